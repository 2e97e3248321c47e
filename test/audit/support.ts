/** Shared material for the audit tests: the sample gateway signer and trust store, and audit entries. */
import { createPrivateKey } from 'node:crypto';
import type { Kysely } from 'kysely';
import { entryHash } from '../../src/audit/canonical.js';
import { readFileSync } from 'node:fs';
import { KeyCheckpointSigner } from '../../src/audit/checkpoint-signer.js';
import { AuditTrail, type AuditEntryInput } from '../../src/audit/trail.js';
import { TrustStore } from '../../src/signature/pki/trust-store.js';
import type { Database } from '../../src/store/schema.js';
import type { Store } from '../../src/store/store.js';

export function gatewaySigner(): KeyCheckpointSigner {
  return new KeyCheckpointSigner(
    createPrivateKey(readFileSync('certs-sample/gateway.key.pem', 'utf8')),
    readFileSync('certs-sample/gateway.crt.pem', 'utf8'),
  );
}

export function sampleTrust(): TrustStore {
  return TrustStore.fromPem(
    [readFileSync('certs-sample/ca.crt.pem', 'utf8')],
    [readFileSync('certs-sample/ca.crl.pem', 'utf8')],
  );
}

/** A registry-like change, numbered i. */
export function sampleEntry(i: number): AuditEntryInput {
  return {
    actor: i % 3 === 0 ? 'coordinator-1' : 'operator-7',
    role: i % 3 === 0 ? 'coordinator' : 'operator',
    action: i % 2 === 0 ? 'system.update' : 'participant.check',
    subjectType: i % 2 === 0 ? 'system' : 'participant',
    subjectId: `subject-${i}`,
    before: i === 1 ? undefined : { status: 'submitted', version: i - 1, name: `Организация №${i}` },
    after: {
      version: i,
      status: 'checked',
      name: `Организация №${i}`,
      tags: ['a', { z: 1, a: [null, true] }],
    },
  };
}

/** A trail on `store` of `count` sample entries, checkpointed every 10 and after the last (as the timer would). */
export async function seededTrail(store: Store, count: number): Promise<AuditTrail> {
  const trail = new AuditTrail(store.db, gatewaySigner(), { checkpointEvery: 10 });
  for (let i = 1; i <= count; i++) {
    await store.db.transaction().execute((trx) => trail.append(trx, sampleEntry(i)));
    await trail.afterCommit();
  }
  await trail.checkpoint();
  return trail;
}

/**
 * What someone who can write the store does to erase entry `seq` (a reviewer's finding): deletes it, renumbers and
 * re-hashes the entries after it, moves the head and deletes every checkpoint from `seq` on. The chain that is left
 * links from genesis to the new head; only a checkpoint over the old head could tell.
 */
export async function launderEntry(db: Kysely<Database>, seq: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('audit_entries').where('seq', '=', seq).execute();
    const before = await trx
      .selectFrom('audit_entries')
      .select('hash')
      .where('seq', '=', seq - 1)
      .executeTakeFirstOrThrow();
    const later = await trx
      .selectFrom('audit_entries')
      .selectAll()
      .where('seq', '>', seq)
      .orderBy('seq')
      .execute();
    let prev = before.hash;
    for (const row of later) {
      const moved = { ...row, seq: Number(row.seq) - 1, at: Number(row.at), prev_hash: prev };
      const hash = entryHash(moved);
      await trx
        .updateTable('audit_entries')
        .set({ seq: moved.seq, prev_hash: prev, hash })
        .where('seq', '=', row.seq)
        .execute();
      prev = hash;
    }
    const last = Number(later.at(-1)?.seq ?? seq) - 1;
    await trx.updateTable('audit_head').set({ seq: last, hash: prev }).where('id', '=', 1).execute();
    await trx.deleteFrom('audit_checkpoints').where('seq', '>=', seq).execute();
  });
}
