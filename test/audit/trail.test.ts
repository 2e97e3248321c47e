/**
 * The audit trail on SQLite and PostgreSQL: 250 appends with checkpoints at 100 and 200 verify; each kind of
 * tampering (edited row, deleted row, swapped seqs, a rewritten row with its hash recomputed, truncation, a row
 * beyond the head, forged and re-signed checkpoints) is named by the first broken seq; the export verifies
 * offline and tampering with it is named too; concurrent appends keep the chain contiguous.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { canonicalJson, entryHash, type AuditEntryRow } from '../../src/audit/canonical.js';
import { KeyCheckpointSigner } from '../../src/audit/checkpoint-signer.js';
import { AuditTrail } from '../../src/audit/trail.js';
import { verifyAuditExport, type AuditExport, type AuditVerdict } from '../../src/audit/verify.js';
import { selfSigned } from '../../src/sample-pki/issue.js';
import type { TrustStore } from '../../src/signature/pki/trust-store.js';
import type { Database } from '../../src/store/schema.js';
import type { Store } from '../../src/store/store.js';
import { STORES, testStores } from '../support/store.js';
import { gatewaySigner, sampleEntry, sampleTrust } from './support.js';

class Rollback extends Error {}

const dir = mkdtempSync(join(tmpdir(), 'smev-audit-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));

for (const kind of STORES) {
  const backend = testStores(kind, 'audit');
  describe(`audit trail on ${backend.name}`, function () {
    this.timeout(60_000);
    let store: Store;
    let trail: AuditTrail;
    let trust: TrustStore;

    before(async () => {
      store = await backend.open();
      trail = new AuditTrail(store.db, gatewaySigner());
      trust = sampleTrust();
    });
    after(async () => {
      await store?.close();
      await backend.cleanup();
    });

    /** Tampers inside a transaction, verifies there (a trail over the transaction sees the change), rolls back. */
    async function verdictAfter(
      tamper: (trx: Transaction<Database>) => Promise<unknown>,
    ): Promise<AuditVerdict> {
      let verdict: AuditVerdict | undefined;
      await store.db
        .transaction()
        .execute(async (trx) => {
          await tamper(trx);
          verdict = await new AuditTrail(trx, gatewaySigner()).verify(trust);
          throw new Rollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        });
      if (!verdict) throw new Error('no verdict');
      return verdict;
    }

    const entryRow = async (db: Kysely<Database>, seq: number): Promise<AuditEntryRow> => {
      const row = await db
        .selectFrom('audit_entries')
        .selectAll()
        .where('seq', '=', seq)
        .executeTakeFirstOrThrow();
      return { ...row, seq: Number(row.seq), at: Number(row.at) };
    };

    it('appends 250 entries in the changes’ transactions, signs checkpoints at 100 and 200, and verifies', async () => {
      const base = Date.parse('2026-03-01T09:00:00Z');
      const started = process.hrtime.bigint();
      for (let i = 1; i <= 250; i++) {
        const appended = await store.db.transaction().execute(async (trx) => {
          await trx
            .updateTable('registry_revision')
            .set((eb) => ({ revision: eb('revision', '+', 1) }))
            .where('id', '=', 1)
            .execute();
          return trail.append(trx, sampleEntry(i), new Date(base + i * 1000));
        });
        expect(appended.seq).to.equal(i);
        await trail.afterCommit();
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      console.log(
        `      ${backend.name}: ${Math.round(250 / seconds)} appends/s (each in its own transaction with a registry write, afterCommit, 2 checkpoints)`,
      );

      const checkpoints = await store.db
        .selectFrom('audit_checkpoints')
        .select('seq')
        .orderBy('seq')
        .execute();
      expect(checkpoints.map((c) => Number(c.seq))).to.deep.equal([100, 200]);
      // Entries after the last checkpoint prove nothing yet: unproven, named, not ok.
      const before = await trail.verify(trust);
      expect(before).to.include({ ok: false });
      expect(before.firstBroken).to.deep.equal({
        seq: 201,
        problem:
          'entries 201..250 are not covered by a trusted checkpoint: unproven (the gateway signs one within seconds)',
      });
      // The gateway's timer signs over them.
      expect((await trail.checkpoint())?.seq).to.equal(250);
      const verdict = await trail.verify(trust);
      expect(verdict).to.deep.equal({ ok: true, entries: 250, checkpoints: 3, problems: [] });
      const head = await store.db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
      expect(Number(head.seq)).to.equal(250);
      expect(head.hash).to.equal((await entryRow(store.db, 250)).hash);
    });

    it('stores before/after as canonical JSON and hashes the documented array', async () => {
      const row = await entryRow(store.db, 2);
      expect(row.before_json).to.equal('{"name":"Организация №2","status":"submitted","version":1}');
      expect(row.after_json).to.equal(
        '{"name":"Организация №2","status":"checked","tags":["a",{"a":[null,true],"z":1}],"version":2}',
      );
      expect((await entryRow(store.db, 1)).before_json).to.equal(null);
      expect((await entryRow(store.db, 1)).prev_hash).to.equal('0'.repeat(64));
      expect(row.prev_hash).to.equal((await entryRow(store.db, 1)).hash);
      expect(row.hash).to.equal(entryHash(row));
      expect(canonicalJson({ b: 1, a: undefined, d: new Date(0), c: [undefined, NaN] })).to.equal(
        '{"b":1,"c":[null,null],"d":"1970-01-01T00:00:00.000Z"}',
      );
    });

    it('leaves no entry when the change rolls back', async () => {
      await store.db
        .transaction()
        .execute(async (trx) => {
          await trail.append(trx, sampleEntry(999));
          throw new Rollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        });
      expect((await trail.verify(trust)).entries).to.equal(250);
    });

    it('names an edited row (after_json of entry 137)', async () => {
      const v = await verdictAfter((trx) =>
        trx
          .updateTable('audit_entries')
          .set({ after_json: '{"status":"active"}' })
          .where('seq', '=', 137)
          .execute(),
      );
      expect(v.ok).to.equal(false);
      expect(v.firstBroken?.seq).to.equal(137);
      expect(v.problems).to.have.length(1);
    });

    it('names a rewritten row whose hash was recomputed (the next entry’s link breaks)', async () => {
      const v = await verdictAfter(async (trx) => {
        const row = await entryRow(trx, 137);
        const forged = { ...row, after_json: '{"status":"active"}' };
        await trx
          .updateTable('audit_entries')
          .set({ after_json: forged.after_json, hash: entryHash(forged) })
          .where('seq', '=', 137)
          .execute();
      });
      expect(v.firstBroken?.seq).to.equal(137);
      expect(v.firstBroken?.problem).to.match(/entry 137 was rewritten/);
    });

    it('names the checkpoint when entries up to it were rewritten with a recomputed chain and head', async () => {
      const v = await verdictAfter(async (trx) => {
        let prev = (await entryRow(trx, 136)).hash;
        for (let seq = 137; seq <= 250; seq++) {
          const row = await entryRow(trx, seq);
          const forged = { ...row, actor: seq === 137 ? 'someone-else' : row.actor, prev_hash: prev };
          prev = entryHash(forged);
          await trx
            .updateTable('audit_entries')
            .set({ actor: forged.actor, prev_hash: forged.prev_hash, hash: prev })
            .where('seq', '=', seq)
            .execute();
        }
        await trx.updateTable('audit_head').set({ hash: prev }).where('id', '=', 1).execute();
      });
      expect(v.firstBroken?.seq).to.equal(200);
      expect(v.firstBroken?.problem).to.match(/checkpoint 200 .* entries 101\.\.200 were rewritten/);
    });

    it('names a deleted row as a gap', async () => {
      const v = await verdictAfter((trx) => trx.deleteFrom('audit_entries').where('seq', '=', 137).execute());
      expect(v.firstBroken).to.deep.equal({ seq: 137, problem: 'entry 137 is missing' });
      expect(v.entries).to.equal(249);
    });

    it('names deleted rows at the end (the head still names them)', async () => {
      const v = await verdictAfter((trx) =>
        trx.deleteFrom('audit_entries').where('seq', '>=', 249).execute(),
      );
      expect(v.firstBroken?.seq).to.equal(249);
      expect(v.firstBroken?.problem).to.match(/entries 249\.\.250 are missing/);
    });

    it('names a row beyond the head', async () => {
      const v = await verdictAfter(async (trx) => {
        const last = await entryRow(trx, 250);
        const extra = { ...last, seq: 251, prev_hash: last.hash };
        await trx
          .insertInto('audit_entries')
          .values({ ...extra, hash: entryHash(extra) })
          .execute();
      });
      expect(v.firstBroken).to.deep.equal({ seq: 251, problem: 'entry 251 lies beyond the head' });
    });

    it('names swapped rows by the lower seq', async () => {
      const v = await verdictAfter(async (trx) => {
        await trx.updateTable('audit_entries').set({ seq: -1 }).where('seq', '=', 50).execute();
        await trx.updateTable('audit_entries').set({ seq: 50 }).where('seq', '=', 60).execute();
        await trx.updateTable('audit_entries').set({ seq: 60 }).where('seq', '=', -1).execute();
      });
      expect(v.firstBroken?.seq).to.equal(50);
      expect(v.problems).to.deep.equal([
        'entry 50 does not match its hash: its contents or its seq were changed',
        'entry 60 does not match its hash: its contents or its seq were changed',
      ]);
    });

    it('names a checkpoint whose head hash was changed', async () => {
      const v = await verdictAfter((trx) =>
        trx
          .updateTable('audit_checkpoints')
          .set({ head_hash: 'f'.repeat(64) })
          .where('seq', '=', 100)
          .execute(),
      );
      expect(v.firstBroken?.seq).to.equal(100);
      expect(v.firstBroken?.problem).to.match(
        /checkpoint 100 is forged or damaged: the signature does not verify/,
      );
    });

    it('names a checkpoint whose signature was changed', async () => {
      const v = await verdictAfter(async (trx) => {
        const cp = await trx
          .selectFrom('audit_checkpoints')
          .selectAll()
          .where('seq', '=', 200)
          .executeTakeFirstOrThrow();
        const bytes = Buffer.from(cp.signature, 'base64');
        bytes[10] = (bytes[10] ?? 0) ^ 1;
        await trx
          .updateTable('audit_checkpoints')
          .set({ signature: bytes.toString('base64') })
          .where('seq', '=', 200)
          .execute();
      });
      expect(v.firstBroken?.seq).to.equal(200);
    });

    it('names a checkpoint re-signed with a key the trust store does not know', async () => {
      const now = new Date();
      const rogue = selfSigned({
        commonName: 'rogue',
        notBefore: new Date(now.getTime() - 86_400_000),
        notAfter: new Date(now.getTime() + 86_400_000),
      });
      const rogueTrail = (db: Kysely<Database>) =>
        new AuditTrail(db, new KeyCheckpointSigner(createPrivateKey(rogue.keyPem), rogue.certPem));
      const v = await verdictAfter(async (trx) => {
        await trx.deleteFrom('audit_checkpoints').where('seq', '>=', 200).execute();
        await trx
          .updateTable('audit_head')
          .set({ seq: 200, hash: (await entryRow(trx, 200)).hash })
          .where('id', '=', 1)
          .execute();
        await rogueTrail(trx).checkpoint();
        await trx
          .updateTable('audit_head')
          .set({ seq: 250, hash: (await entryRow(trx, 250)).hash })
          .where('id', '=', 1)
          .execute();
      });
      expect(v.firstBroken?.seq).to.equal(200);
      expect(v.firstBroken?.problem).to.match(/checkpoint 200 is signed by an untrusted certificate/);
    });

    it('signs a checkpoint only when the head moved, and on demand (shutdown)', async () => {
      expect(await trail.checkpoint()).to.equal(undefined); // 250 is signed already
      await store.db.deleteFrom('audit_checkpoints').where('seq', '=', 250).execute();
      expect(await trail.checkpoint()).to.not.equal(undefined);
      expect(await trail.checkpoint()).to.equal(undefined);
      expect((await trail.verify(trust)).checkpoints).to.equal(3);
    });

    describe('export', () => {
      let file: string;
      let exported: AuditExport;
      before(async () => {
        file = join(dir, `${backend.name}.json`);
        expect(await trail.export(file)).to.deep.equal({ entries: 250, checkpoints: 3 });
        exported = JSON.parse(readFileSync(file, 'utf8')) as AuditExport;
      });
      const copy = (): AuditExport => structuredClone(exported);
      const entryAt = (e: AuditExport, seq: number): AuditEntryRow => {
        const found = e.entries.find((x) => x.seq === seq);
        if (!found) throw new Error(`no entry ${seq}`);
        return found;
      };

      it('writes a tagged file with every column that verifies offline', () => {
        expect(exported.format).to.equal('smev-gateway-audit-export');
        expect(exported.version).to.equal(1);
        expect(exported.head.seq).to.equal(250);
        expect(Object.keys(exported.entries[0] ?? {}).sort()).to.deep.equal([
          'action',
          'actor',
          'after_json',
          'at',
          'before_json',
          'hash',
          'prev_hash',
          'role',
          'seq',
          'subject_id',
          'subject_type',
        ]);
        expect(exported.checkpoints[0]?.certificate).to.match(/BEGIN CERTIFICATE/);
        const last = exported.checkpoints.at(-1)!;
        expect(verifyAuditExport(exported, trust)).to.deep.equal({
          ok: true,
          entries: 250,
          checkpoints: 3,
          problems: [],
          provenThrough: {
            seq: 250,
            signedAt: new Date(last.at).toISOString(),
            exportedAt: exported.exportedAt,
          },
        });
        expect(verifyAuditExport(exported)).to.include({ ok: true });
      });

      it('cut back to an earlier checkpoint, it is intact and says it is proven only through that checkpoint', () => {
        const e = copy();
        e.entries = e.entries.filter((x) => x.seq <= 200);
        e.checkpoints = e.checkpoints.filter((c) => c.seq <= 200);
        e.head = { seq: 200, hash: entryAt(e, 200).hash };
        const verdict = verifyAuditExport(e, trust);
        expect(verdict.ok).to.equal(true);
        expect(verdict.provenThrough?.seq).to.equal(200);
        expect(verdict.provenThrough?.signedAt).to.equal(new Date(e.checkpoints.at(-1)!.at).toISOString());
      });

      it('names an edited entry in the file', () => {
        const e = copy();
        entryAt(e, 137).after_json = '{"status":"active"}';
        expect(verifyAuditExport(e, trust).firstBroken?.seq).to.equal(137);
      });

      it('names an entry removed from the file', () => {
        const e = copy();
        e.entries = e.entries.filter((x) => x.seq !== 137);
        expect(verifyAuditExport(e, trust).firstBroken).to.deep.equal({
          seq: 137,
          problem: 'entry 137 is missing',
        });
      });

      it('names swapped entries in the file', () => {
        const e = copy();
        entryAt(e, 60).seq = -60;
        entryAt(e, 50).seq = 60;
        entryAt(e, -60).seq = 50;
        e.entries.sort((a, b) => a.seq - b.seq);
        expect(verifyAuditExport(e, trust).firstBroken?.seq).to.equal(50);
      });

      it('names a forged checkpoint in the file', () => {
        const e = copy();
        const cp = e.checkpoints.find((c) => c.seq === 100);
        if (!cp) throw new Error('no checkpoint 100');
        cp.at += 1;
        expect(verifyAuditExport(e, trust).firstBroken?.seq).to.equal(100);
      });

      it('names a truncated file and refuses what is not an export', () => {
        const e = copy();
        e.entries = e.entries.slice(0, 180);
        const v = verifyAuditExport(e, trust);
        expect(v.firstBroken?.seq).to.equal(181);
        expect(v.problems).to.include('checkpoint 200 names entry 200, which is missing');
        const malformed = copy();
        (malformed.entries as unknown[])[9] = { seq: 10 };
        expect(verifyAuditExport(malformed, trust).firstBroken).to.deep.equal({
          seq: 10,
          problem: 'entry #10 in the file is malformed',
        });
        expect(verifyAuditExport({ hello: 1 })).to.deep.include({ ok: false, entries: 0 });
        expect(verifyAuditExport({ ...copy(), version: 2 }).ok).to.equal(false);
      });
    });

    it('keeps the chain contiguous under 20 concurrent appends, each in its own transaction', async () => {
      const fresh = await backend.open();
      try {
        const concurrent = new AuditTrail(fresh.db, gatewaySigner(), { checkpointEvery: 5 });
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            fresh.db
              .transaction()
              .execute(async (trx) => {
                // Each change writes its own row (no shared row besides the head, so only the head lock orders
                // them) and holds its transaction open a little so the appends really overlap on PostgreSQL.
                await trx
                  .insertInto('api_tokens')
                  .values({
                    id: `t${i}`,
                    name: `token ${i}`,
                    role: 'operator',
                    token_hash: `h${i}`,
                    created_at: 0,
                    revoked_at: null,
                  })
                  .execute();
                if (fresh.dialect === 'postgres') await sql`select pg_sleep(0.01)`.execute(trx);
                const done = await concurrent.append(trx, sampleEntry(i + 1));
                if (fresh.dialect === 'postgres') await sql`select pg_sleep(0.005)`.execute(trx);
                return done;
              })
              .then(async (done) => {
                await concurrent.afterCommit();
                return done;
              }),
          ),
        );
        expect(results.map((r) => r.seq).sort((a, b) => a - b)).to.deep.equal(
          Array.from({ length: 20 }, (_, i) => i + 1),
        );
        await concurrent.checkpoint();
        const verdict = await concurrent.verify(trust);
        expect(verdict).to.deep.include({ ok: true, entries: 20 });
        expect(verdict.checkpoints).to.be.at.least(1);
        const tokens = await fresh.db.selectFrom('api_tokens').select('id').execute();
        expect(tokens).to.have.length(20);
      } finally {
        await fresh.close();
      }
    });

    it('appends on its own transaction when given the database itself', async () => {
      const fresh = await backend.open();
      try {
        const own = new AuditTrail(fresh.db, gatewaySigner());
        const n = 200;
        const started = process.hrtime.bigint();
        for (let i = 1; i <= n; i++) await own.append(fresh.db, sampleEntry(i));
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        console.log(
          `      ${backend.name}: ${Math.round(n / seconds)} appends/s (bare append, own transaction)`,
        );
        expect(await own.verify(trust)).to.deep.include({ ok: false, entries: n }); // no checkpoint yet
        await own.checkpoint();
        expect(await own.verify(trust)).to.deep.include({ ok: true, entries: n });
      } finally {
        await fresh.close();
      }
    });
  });
}
