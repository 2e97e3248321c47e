import { expect } from 'chai';
import type { CertificatesAnswer } from '../../../src/providers/certificates/index.js';
import type { ProviderOutcome } from '../../../src/providers/contract.js';
import { sql } from 'kysely';
import type { Store } from '../../../src/store/store.js';
import { STORES, testStores } from '../../support/store.js';
import { harness, NOON, posting, registry, SAMPLES, type Harness } from './support.js';

type Kind = CertificatesAnswer['kind'];

function answer<K extends Kind>(
  outcome: ProviderOutcome<CertificatesAnswer>,
  kind: K,
): Extract<CertificatesAnswer, { kind: K }> {
  if (outcome.kind !== 'answer')
    throw new Error(`expected an answer, got ${outcome.code}: ${outcome.description}`);
  expect(outcome.body.kind).to.equal(kind);
  return outcome.body as Extract<CertificatesAnswer, { kind: K }>;
}

function rejection(outcome: ProviderOutcome<CertificatesAnswer>): {
  code: string;
  machine: string;
  description: string;
} {
  if (outcome.kind !== 'rejected')
    throw new Error(`expected a rejection, got ${JSON.stringify(outcome.body)}`);
  return {
    code: outcome.code,
    machine: outcome.description.split(':')[0] ?? '',
    description: outcome.description,
  };
}

for (const kind of STORES) {
  const backend = testStores(kind, 'certificates');
  describe(`certificates provider (${backend.name})`, function () {
    this.timeout(60_000);
    let store: Store;
    let h: Harness;
    before(async () => {
      store = await backend.open();
    });
    beforeEach(async () => {
      // A fresh set of samples per test: restore balances, forget postings and registries.
      await sql`delete from social_certificate_registry_lines`.execute(store.db);
      await sql`delete from social_certificate_registries`.execute(store.db);
      await sql`delete from social_certificate_postings`.execute(store.db);
      await sql`update social_certificates set balance = 15000000 where number = ${SAMPLES.active}`.execute(
        store.db,
      );
      await sql`update social_certificates set balance = 5000000 where number = ${SAMPLES.activeSmall}`.execute(
        store.db,
      );
      await sql`update social_certificates set balance = 1250050 where number = ${SAMPLES.activeUsed}`.execute(
        store.db,
      );
      h = harness(store);
    });
    after(async () => {
      await store.close();
      await backend.cleanup();
    });

    describe('CertificateStatusRequest', () => {
      it('answers by number with the term, the value and the masked holder only', async () => {
        const status = answer(
          await h.call({ kind: 'status', lookup: { by: 'number', value: SAMPLES.active } }),
          'status',
        );
        expect(status).to.deep.equal({
          kind: 'status',
          certificateNumber: SAMPLES.active,
          holderInitials: 'И. И. П.',
          holderSnilsMasked: '***-***-*45 95',
          holderDisplay: 'И. И. П., СНИЛС ***-***-*45 95',
          measureCode: 'HOUSING_REPAIR',
          measureName: 'Ремонт жилого помещения',
          nominal: 15_000_000,
          balance: 15_000_000,
          validFrom: '2026-01-01',
          validTo: '2030-12-31',
          status: 'ACTIVE',
        });
        const text = JSON.stringify(status);
        for (const secret of ['Иванов', 'Иван"', 'Петрович', '11223344595', '112-233-445', '112233']) {
          expect(text).to.not.contain(secret);
        }
      });

      it('answers by QR payload the same as by number', async () => {
        const byQr = answer(
          await h.call({ kind: 'status', lookup: { by: 'qr', value: 'SGC1:470000000013:37\n' } }),
          'status',
        );
        const byNumber = answer(
          await h.call({ kind: 'status', lookup: { by: 'number', value: SAMPLES.active } }),
          'status',
        );
        expect(byQr).to.deep.equal(byNumber);
      });

      it('shows EXPIRED, EXHAUSTED and BLOCKED', async () => {
        const statusOf = async (number: string) =>
          answer(await h.call({ kind: 'status', lookup: { by: 'number', value: number } }), 'status').status;
        expect(await statusOf(SAMPLES.expired)).to.equal('EXPIRED');
        expect(await statusOf(SAMPLES.exhausted)).to.equal('EXHAUSTED');
        expect(await statusOf(SAMPLES.blocked)).to.equal('BLOCKED');
        expect(await statusOf(SAMPLES.activeUsed)).to.equal('ACTIVE');
      });

      it('turns EXPIRED the day after ValidTo, in Moscow time', async () => {
        h.now = new Date('2030-12-31T20:59:59Z');
        expect(
          answer(await h.call({ kind: 'status', lookup: { by: 'number', value: SAMPLES.active } }), 'status')
            .status,
        ).to.equal('ACTIVE');
        h.now = new Date('2030-12-31T21:00:00Z');
        expect(
          answer(await h.call({ kind: 'status', lookup: { by: 'number', value: SAMPLES.active } }), 'status')
            .status,
        ).to.equal('EXPIRED');
      });

      it('rejects an unknown certificate with NO_DATA', async () => {
        const r = rejection(
          await h.call({ kind: 'status', lookup: { by: 'number', value: '470000000070' } }),
        );
        expect(r).to.include({ code: 'NO_DATA', machine: 'CERTIFICATE_NOT_FOUND' });
      });

      it('rejects malformed QR payloads and mistyped numbers precisely', async () => {
        expect(
          rejection(await h.call({ kind: 'status', lookup: { by: 'qr', value: 'https://example.ru/x' } })),
        ).to.include({
          code: 'UNKNOWN_REQUEST_DESCRIPTION',
          machine: 'QR_MALFORMED',
        });
        expect(
          rejection(await h.call({ kind: 'status', lookup: { by: 'qr', value: 'SGC1:470000000013:38' } })),
        ).to.include({
          code: 'UNKNOWN_REQUEST_DESCRIPTION',
          machine: 'QR_CHECK_FAILED',
        });
        expect(
          rejection(await h.call({ kind: 'status', lookup: { by: 'number', value: '470000000012' } })),
        ).to.include({
          code: 'UNKNOWN_REQUEST_DESCRIPTION',
          machine: 'CERTIFICATE_NUMBER_INVALID',
        });
      });
    });

    describe('WorkPostingRequest', () => {
      it('debits the balance and records the posting for the sending organisation', async () => {
        const posted = answer(await h.call(posting('T-1', 3_450_000)), 'posting');
        expect(posted).to.include({
          transactionId: 'T-1',
          certificateNumber: SAMPLES.active,
          cost: 3_450_000,
          balanceAfter: 11_550_000,
        });
        expect(posted.postedAt.getTime()).to.equal(NOON.getTime());
        expect(await h.balance(SAMPLES.active)).to.equal(11_550_000);
        expect(await h.postings()).to.deep.equal([
          { transaction_id: 'T-1', cost: 3_450_000, organisation: 'SERVICE_ORG_1' },
        ]);
      });

      it('may spend the balance to exactly zero, then the certificate is EXHAUSTED', async () => {
        answer(await h.call(posting('ALL', 1_250_050, SAMPLES.activeUsed)), 'posting');
        expect(await h.balance(SAMPLES.activeUsed)).to.equal(0);
        const status = answer(
          await h.call({ kind: 'status', lookup: { by: 'number', value: SAMPLES.activeUsed } }),
          'status',
        );
        expect(status.status).to.equal('EXHAUSTED');
        expect(rejection(await h.call(posting('MORE', 1, SAMPLES.activeUsed)))).to.include({
          code: 'FAILURE',
          machine: 'CERTIFICATE_EXHAUSTED',
        });
      });

      it('a retry returns the first answer and debits once', async () => {
        const first = answer(await h.call(posting('T-1', 1_000_000)), 'posting');
        h.now = new Date(NOON.getTime() + 60_000);
        const again = answer(await h.call(posting('T-1', 1_000_000)), 'posting');
        expect(again).to.deep.equal(first);
        expect(await h.balance(SAMPLES.active)).to.equal(14_000_000);
        expect(await h.postings()).to.have.length(1);
      });

      it('a retry returns the first answer even after the certificate was blocked', async () => {
        const first = answer(await h.call(posting('T-1', 1_000_000)), 'posting');
        await sql`update social_certificates set status = 'BLOCKED' where number = ${SAMPLES.active}`.execute(
          store.db,
        );
        try {
          expect(answer(await h.call(posting('T-1', 1_000_000)), 'posting')).to.deep.equal(first);
          expect(rejection(await h.call(posting('T-2', 1)))).to.include({
            code: 'ACCESS_DENIED',
            machine: 'CERTIFICATE_BLOCKED',
          });
        } finally {
          await sql`update social_certificates set status = 'ACTIVE' where number = ${SAMPLES.active}`.execute(
            store.db,
          );
        }
      });

      it('a retry with the same transaction id but other content is a TRANSACTION_CONFLICT', async () => {
        answer(await h.call(posting('T-1', 1_000_000)), 'posting');
        for (const other of [
          posting('T-1', 1_000_001),
          posting('T-1', 1_000_000, SAMPLES.activeSmall),
          posting('T-1', 1_000_000, SAMPLES.active, { worksName: 'Другое' }),
          posting('T-1', 1_000_000, SAMPLES.active, { classifierCode: '1.1' }),
          posting('T-1', 1_000_000, SAMPLES.active, { quantity: 3 }),
        ]) {
          const r = rejection(await h.call(other));
          expect(r).to.include({ code: 'FAILURE', machine: 'TRANSACTION_CONFLICT' });
        }
        expect(await h.balance(SAMPLES.active)).to.equal(14_000_000);
        expect(await h.balance(SAMPLES.activeSmall)).to.equal(5_000_000);
      });

      it('keys idempotency by the sending organisation: another one may use the same transaction id', async () => {
        const a = answer(await h.call(posting('T-1', 1_000_000), { sender: 'ORG_A' }), 'posting');
        const b = answer(await h.call(posting('T-1', 1_000_000), { sender: 'ORG_B' }), 'posting');
        expect(b.postingId).to.not.equal(a.postingId);
        expect(b.balanceAfter).to.equal(13_000_000);
      });

      it('rejects over the balance with INSUFFICIENT_BALANCE and changes nothing', async () => {
        const r = rejection(await h.call(posting('BIG', 15_000_001)));
        expect(r).to.include({ code: 'FAILURE', machine: 'INSUFFICIENT_BALANCE' });
        expect(r.description).to.contain('150\u00a0000,00 руб.');
        expect(await h.balance(SAMPLES.active)).to.equal(15_000_000);
        expect(await h.postings()).to.deep.equal([]);
        // A rejected transaction id is not remembered: it may be used again with a fitting cost.
        answer(await h.call(posting('BIG', 15_000_000)), 'posting');
      });

      it('rejects expired, blocked, exhausted and unknown certificates with their reasons', async () => {
        expect(rejection(await h.call(posting('E', 100, SAMPLES.expired)))).to.include({
          code: 'FAILURE',
          machine: 'CERTIFICATE_EXPIRED',
        });
        expect(rejection(await h.call(posting('B', 100, SAMPLES.blocked)))).to.include({
          code: 'ACCESS_DENIED',
          machine: 'CERTIFICATE_BLOCKED',
        });
        expect(rejection(await h.call(posting('X', 100, SAMPLES.exhausted)))).to.include({
          code: 'FAILURE',
          machine: 'CERTIFICATE_EXHAUSTED',
        });
        expect(rejection(await h.call(posting('U', 100, '470000000070')))).to.include({
          code: 'NO_DATA',
          machine: 'CERTIFICATE_NOT_FOUND',
        });
        expect(rejection(await h.call(posting('N', 100, '470000000012')))).to.include({
          code: 'UNKNOWN_REQUEST_DESCRIPTION',
          machine: 'CERTIFICATE_NUMBER_INVALID',
        });
        expect(await h.postings()).to.deep.equal([]);
      });

      it('rejects postings before ValidFrom', async () => {
        h.now = new Date('2025-12-31T20:00:00Z');
        expect(rejection(await h.call(posting('EARLY', 100)))).to.include({
          code: 'FAILURE',
          machine: 'CERTIFICATE_NOT_YET_VALID',
        });
      });

      it('rejects non-positive or fractional amounts that bypass the schema', async () => {
        for (const body of [
          posting('Z', 0),
          posting('F', 1.5),
          posting('Q', 100, SAMPLES.active, { quantity: 0 }),
        ]) {
          expect(rejection(await h.call(body))).to.include({ code: 'FAILURE', machine: 'INVALID_AMOUNT' });
        }
      });

      it('TestMessage: answers as if posted and changes nothing', async () => {
        const test = answer(await h.call(posting('T-TEST', 2_000_000), { test: true }), 'posting');
        expect(test).to.include({ balanceAfter: 13_000_000, cost: 2_000_000 });
        expect(await h.balance(SAMPLES.active)).to.equal(15_000_000);
        expect(await h.postings()).to.deep.equal([]);
        expect(rejection(await h.call(posting('T-TEST2', 99_000_000), { test: true }))).to.include({
          machine: 'INSUFFICIENT_BALANCE',
        });
        // The real posting afterwards is a first posting, not a retry of the test.
        const real = answer(await h.call(posting('T-TEST', 2_000_000)), 'posting');
        expect(real.postingId).to.not.equal(test.postingId);
        expect(await h.balance(SAMPLES.active)).to.equal(13_000_000);
      });

      it('20 concurrent postings against one certificate never overspend', async () => {
        // 5 000 000 kopecks; 20 × 300 000 asked: exactly 16 fit, 4 must be refused.
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, (_, i) => h.call(posting(`RACE-${i}`, 300_000, SAMPLES.activeSmall))),
        );
        const accepted = outcomes.filter((o) => o.kind === 'answer');
        const refused = outcomes.filter((o) => o.kind === 'rejected');
        expect(accepted).to.have.length(16);
        expect(refused.map((o) => rejection(o).machine)).to.deep.equal(Array(4).fill('INSUFFICIENT_BALANCE'));
        expect(await h.balance(SAMPLES.activeSmall)).to.equal(200_000);
        const balances = accepted.map((o) => answer(o, 'posting').balanceAfter).sort((a, b) => b - a);
        expect(balances).to.deep.equal(Array.from({ length: 16 }, (_, i) => 5_000_000 - 300_000 * (i + 1)));
        const postings = await h.postings();
        expect(postings.reduce((sum, p) => sum + p.cost, 0)).to.equal(4_800_000);
      });

      it('20 concurrent retries of one transaction post it once and all get the same answer', async () => {
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, () => h.call(posting('SAME', 250_000, SAMPLES.activeSmall))),
        );
        const answers = outcomes.map((o) => answer(o, 'posting'));
        expect(new Set(answers.map((a) => a.postingId)).size).to.equal(1);
        expect(new Set(answers.map((a) => a.balanceAfter))).to.deep.equal(new Set([4_750_000]));
        expect(await h.balance(SAMPLES.activeSmall)).to.equal(4_750_000);
        expect(await h.postings()).to.have.length(1);
      });

      it('the store itself refuses a balance below zero', async () => {
        let failed = false;
        try {
          await sql`update social_certificates set balance = -1 where number = ${SAMPLES.active}`.execute(
            store.db,
          );
        } catch {
          failed = true;
        }
        expect(failed).to.equal(true);
      });
    });

    describe('DailyRegistryRequest', () => {
      const DAY = '2026-06-15';
      async function postThree() {
        answer(await h.call(posting('R-1', 100_000)), 'posting');
        answer(await h.call(posting('R-2', 200_000, SAMPLES.activeSmall)), 'posting');
        answer(await h.call(posting('R-3', 300_000)), 'posting');
        // Another organisation's posting the same day is not this registry's business.
        answer(await h.call(posting('R-1', 999, SAMPLES.active), { sender: 'OTHER_ORG' }), 'posting');
      }
      const line = (transactionId: string, cost: number, certificateNumber: string = SAMPLES.active) => ({
        transactionId,
        certificateNumber,
        cost,
      });

      it("MATCHED when the registry lists exactly the day's postings", async () => {
        await postThree();
        const result = answer(
          await h.call(
            registry(DAY, [
              line('R-3', 300_000),
              line('R-1', 100_000),
              line('R-2', 200_000, SAMPLES.activeSmall),
            ]),
          ),
          'registry',
        );
        expect(result).to.include({
          result: 'MATCHED',
          replaced: false,
          registryCount: 3,
          registryTotal: 600_000,
          gatewayCount: 3,
          gatewayTotal: 600_000,
        });
        expect(result.missing).to.deep.equal([]);
        expect(result.extra).to.deep.equal([]);
        expect(result.differing).to.deep.equal([]);
      });

      it('MISMATCHED lists each missing, extra and differing transaction', async () => {
        await postThree();
        h.now = new Date('2026-06-16T09:00:00Z');
        answer(await h.call(posting('NEXT-DAY', 50_000)), 'posting');
        const result = answer(
          await h.call(
            registry(DAY, [
              line('R-1', 100_500),
              line('R-2', 200_000, SAMPLES.active),
              line('GHOST', 7_000),
              line('NEXT-DAY', 50_000),
            ]),
          ),
          'registry',
        );
        expect(result.result).to.equal('MISMATCHED');
        expect(result.missing).to.deep.equal([line('R-3', 300_000)]);
        expect(result.extra).to.deep.equal([
          line('GHOST', 7_000),
          { ...line('NEXT-DAY', 50_000), postedOn: '2026-06-16' },
        ]);
        expect(result.differing).to.deep.equal([
          { transactionId: 'R-1', fields: [{ name: 'Cost', inRegistry: '100500', atGateway: '100000' }] },
          {
            transactionId: 'R-2',
            fields: [
              { name: 'CertificateNumber', inRegistry: SAMPLES.active, atGateway: SAMPLES.activeSmall },
            ],
          },
        ]);
        expect(result).to.include({
          registryCount: 4,
          registryTotal: 357_500,
          gatewayCount: 3,
          gatewayTotal: 600_000,
        });
      });

      it('an empty registry for a day without postings is MATCHED', async () => {
        const result = answer(await h.call(registry('2026-06-10', [])), 'registry');
        expect(result).to.include({ result: 'MATCHED', gatewayCount: 0, registryCount: 0 });
      });

      it('a second registry for the same day replaces the first and says so', async () => {
        await postThree();
        const first = answer(await h.call(registry(DAY, [line('R-1', 100_000)])), 'registry');
        expect(first).to.include({ result: 'MISMATCHED', replaced: false });
        const second = answer(
          await h.call(
            registry(DAY, [
              line('R-1', 100_000),
              line('R-2', 200_000, SAMPLES.activeSmall),
              line('R-3', 300_000),
            ]),
          ),
          'registry',
        );
        expect(second).to.include({ result: 'MATCHED', replaced: true });
        expect(second.registryId).to.not.equal(first.registryId);
        const stored = await sql<{
          submission_id: string;
          result: string;
          line_count: number;
          replacements: number;
        }>`
          select submission_id, result, line_count, replacements from social_certificate_registries`.execute(
          store.db,
        );
        expect(
          stored.rows.map((r) => ({
            ...r,
            line_count: Number(r.line_count),
            replacements: Number(r.replacements),
          })),
        ).to.deep.equal([
          { submission_id: second.registryId, result: 'MATCHED', line_count: 3, replacements: 1 },
        ]);
        const lines = await sql<{
          n: number;
        }>`select count(*) as n from social_certificate_registry_lines`.execute(store.db);
        expect(Number(lines.rows[0]?.n)).to.equal(3);
        // Another organisation's registry for the same day is its own.
        expect(answer(await h.call(registry(DAY, []), { sender: 'OTHER_ORG' }), 'registry')).to.include({
          replaced: false,
        });
      });

      it('concurrent registries for one day leave exactly one stored', async () => {
        const results = await Promise.all(
          Array.from({ length: 5 }, () => h.call(registry(DAY, [line('X', 1)]))),
        );
        const answers = results.map((o) => answer(o, 'registry'));
        expect(answers.filter((a) => !a.replaced)).to.have.length(1);
        const stored = await sql<{ n: number; replacements: number }>`
          select count(*) as n, max(replacements) as replacements from social_certificate_registries`.execute(
          store.db,
        );
        expect(Number(stored.rows[0]?.n)).to.equal(1);
        expect(Number(stored.rows[0]?.replacements)).to.equal(4);
        const lines = await sql<{
          n: number;
        }>`select count(*) as n from social_certificate_registry_lines`.execute(store.db);
        expect(Number(lines.rows[0]?.n)).to.equal(1);
      });

      it('TestMessage: reconciles but stores nothing', async () => {
        await postThree();
        const test = answer(await h.call(registry(DAY, [line('R-1', 100_000)]), { test: true }), 'registry');
        expect(test).to.include({ result: 'MISMATCHED', replaced: false });
        const stored = await sql<{
          n: number;
        }>`select count(*) as n from social_certificate_registries`.execute(store.db);
        expect(Number(stored.rows[0]?.n)).to.equal(0);
      });

      it('rejects totals that disagree with the lines, duplicate lines and future dates', async () => {
        expect(rejection(await h.call(registry(DAY, [line('A', 100)], { count: 2 })))).to.include({
          code: 'FAILURE',
          machine: 'REGISTRY_TOTALS_MISMATCH',
        });
        expect(rejection(await h.call(registry(DAY, [line('A', 100)], { cost: 101 })))).to.include({
          machine: 'REGISTRY_TOTALS_MISMATCH',
        });
        expect(rejection(await h.call(registry(DAY, [line('A', 100), line('A', 100)])))).to.include({
          code: 'FAILURE',
          machine: 'REGISTRY_DUPLICATE_TRANSACTION',
        });
        expect(rejection(await h.call(registry('2026-06-16', [])))).to.include({
          code: 'FAILURE',
          machine: 'REGISTRY_DATE_IN_FUTURE',
        });
        expect(rejection(await h.call(registry('2026-02-30', [])))).to.include({
          machine: 'REGISTRY_DATE_INVALID',
        });
        const stored = await sql<{
          n: number;
        }>`select count(*) as n from social_certificate_registries`.execute(store.db);
        expect(Number(stored.rows[0]?.n)).to.equal(0);
      });
    });
  });
}
