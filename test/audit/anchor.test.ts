/**
 * The gateway signs an audit checkpoint only over a head that extends the last one it trusts. Someone who can write
 * the store erases a signed entry, re-chains the rest and deletes the checkpoints over it: the running gateway
 * must not sign the result (it once did, within seconds, and every verifier then said intact), and /health says so.
 * At a start, the last checkpoint signed with the gateway's key anchors the chain the same way.
 */
import { expect } from 'chai';
import { entryHash } from '../../src/audit/canonical.js';
import { AuditTrail } from '../../src/audit/trail.js';
import type { Store } from '../../src/store/store.js';
import { useGateway } from '../support/gateway.js';
import { STORES, testStores } from '../support/store.js';
import { gatewaySigner, launderEntry, sampleEntry, sampleTrust, seededTrail } from './support.js';

const checkpointSeqs = async (store: Store) =>
  (await store.db.selectFrom('audit_checkpoints').select('seq').orderBy('seq').execute()).map((c) =>
    Number(c.seq),
  );

for (const kind of STORES) {
  const backend = testStores(kind, 'audit_anchor');
  describe(`audit trail: no checkpoint over a rewritten history (${backend.name})`, function () {
    this.timeout(60_000);
    let store: Store;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
      await backend.cleanup();
    });

    it('the running trail refuses to sign once a signed entry was erased and the rest re-chained', async () => {
      const errors: string[] = [];
      const trail = new AuditTrail(store.db, gatewaySigner(), {
        checkpointEvery: 10,
        onCheckpointError: (error) => errors.push(error.message),
      });
      for (let i = 1; i <= 60; i++) {
        await trail.append(store.db, sampleEntry(i));
        await trail.afterCommit();
      }
      expect(await checkpointSeqs(store)).to.deep.equal([10, 20, 30, 40, 50, 60]);
      await launderEntry(store.db, 37);
      expect((await trail.verify(sampleTrust())).firstBroken?.seq).to.equal(31); // unproven, for now

      expect(await trail.checkpoint()).to.equal(undefined);
      expect(await checkpointSeqs(store)).to.deep.equal([10, 20, 30]);
      const verdict = await trail.verify(sampleTrust());
      expect(verdict.ok).to.equal(false);
      expect(verdict.firstBroken?.seq).to.equal(31);
      const integrity = trail.integrity();
      expect(integrity.intact).to.equal(false);
      expect(integrity.intact ? '' : integrity.problem).to.match(
        /behind the last signed checkpoint \(entry 60\)/,
      );
      expect(errors).to.have.length(1);
      // Entries appended on top (a CLI command, the admin API) do not earn it a signature either.
      for (let i = 61; i <= 75; i++) {
        await trail.append(store.db, sampleEntry(i));
        await trail.afterCommit();
      }
      expect(await trail.checkpoint()).to.equal(undefined);
      expect(await checkpointSeqs(store)).to.deep.equal([10, 20, 30]);
      expect(trail.integrity()).to.include({ intact: false });
      expect(errors[1]).to.match(/entry 60 is not the one the last signed checkpoint names/);
    });

    it('at start, a trail rewritten under its last signed checkpoint is not signed over', async () => {
      await seededTrail(store, 60);
      // With the gateway stopped: entry 45 edited and every entry after it re-hashed, the checkpoints kept.
      const rows = await store.db
        .selectFrom('audit_entries')
        .selectAll()
        .where('seq', '>=', 45)
        .orderBy('seq')
        .execute();
      let prev = (
        await store.db
          .selectFrom('audit_entries')
          .select('hash')
          .where('seq', '=', 44)
          .executeTakeFirstOrThrow()
      ).hash;
      for (const row of rows) {
        const edited = {
          ...row,
          seq: Number(row.seq),
          at: Number(row.at),
          prev_hash: prev,
          ...(Number(row.seq) === 45 ? { after_json: '{"status":"never happened"}' } : {}),
        };
        const hash = entryHash(edited);
        await store.db
          .updateTable('audit_entries')
          .set({ after_json: edited.after_json, prev_hash: prev, hash })
          .where('seq', '=', edited.seq)
          .execute();
        prev = hash;
      }
      await store.db.updateTable('audit_head').set({ hash: prev }).where('id', '=', 1).execute();
      // A command appends one more (unsigned); the restarted gateway would sign the head at its first tick.
      const restarted = new AuditTrail(store.db, gatewaySigner(), { onCheckpointError: () => undefined });
      await restarted.append(store.db, sampleEntry(61));
      expect(await restarted.checkpoint()).to.equal(undefined);
      expect(await checkpointSeqs(store)).to.deep.equal([10, 20, 30, 40, 50, 60]);
      expect(restarted.integrity()).to.include({ intact: false });
    });

    it('a trail that links is signed on, by the same process and after a restart', async () => {
      const trail = await seededTrail(store, 25);
      await trail.append(store.db, sampleEntry(26));
      expect((await trail.checkpoint())?.seq).to.equal(26);
      const restarted = new AuditTrail(store.db, gatewaySigner());
      await restarted.append(store.db, sampleEntry(27));
      expect((await restarted.checkpoint())?.seq).to.equal(27);
      expect(restarted.integrity()).to.deep.equal({ intact: true });
      expect((await restarted.verify(sampleTrust())).ok).to.equal(true);
    });
  });
}

describe('audit trail: a running gateway does not sign laundered history, and /health says so', function () {
  this.timeout(60_000);
  const gateway = useGateway();

  it('erasing a signed entry: no checkpoint over the forged head, the verdict stays not intact, /health degraded', async () => {
    const { token } = await gateway.registry.createToken(
      { name: 'backdoor', role: 'operator' },
      'operator',
      'operator',
    );
    await gateway.checkpoint();
    const head = await gateway.store.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow();
    const erased = Number(head.seq); // the backdoor token's creation, signed
    for (let i = 0; i < 3; i++)
      await gateway.registry.createToken({ name: `t${i}`, role: 'auditor' }, 'operator', 'operator');
    await gateway.checkpoint();
    await launderEntry(gateway.store.db, erased);

    await gateway.checkpoint(); // what the timer does within seconds
    expect(await checkpointSeqs(gateway.store)).to.satisfy((seqs: number[]) => seqs.every((s) => s < erased));
    const verdict = await new AuditTrail(gateway.store.db, undefined).verify(sampleTrust());
    expect(verdict.ok).to.equal(false);

    const response = await fetch(`${gateway.url}/health`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { status: string; audit?: { intact: boolean; problem?: string } };
    expect(body.status).to.equal('degraded');
    expect(body.audit?.intact).to.equal(false);
    expect(body.audit?.problem).to.match(/behind the last signed checkpoint/);
  });
});
