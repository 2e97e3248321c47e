/** Shared material for the audit tests: the sample gateway signer and trust store, and audit entries. */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KeyCheckpointSigner } from '../../src/audit/checkpoint-signer.js';
import { AuditTrail, type AuditEntryInput } from '../../src/audit/trail.js';
import { TrustStore } from '../../src/signature/pki/trust-store.js';
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
