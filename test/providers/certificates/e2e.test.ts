/**
 * The certificates service through the real HTTP endpoint: signed requests from the sample systems, signed
 * answers checked as a client checks them, on SQLite and PostgreSQL.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { readCallAnswer, type CallAnswer } from '../../../src/client/answer.js';
import { buildCallRequest, signCallRequest } from '../../../src/client/request.js';
import { moscowDate } from '../../../src/providers/certificates/rules.js';
import type { TrustStore } from '../../../src/signature/pki/trust-store.js';
import { loadTrustStore } from '../../../src/signature/setup.js';
import { SOAP11, SOAP12 } from '../../../src/soap/version.js';
import { post, sampleKey, useGateway } from '../../support/gateway.js';
import { STORES } from '../../support/store.js';
import { NOON, SAMPLES } from './support.js';

const NS = 'urn://smev-gateway/services/certificates/1.0';

const status = (number: string) =>
  `<c:CertificateStatusRequest xmlns:c="${NS}"><c:CertificateNumber>${number}</c:CertificateNumber></c:CertificateStatusRequest>`;
const statusByQr = (qr: string) =>
  `<c:CertificateStatusRequest xmlns:c="${NS}"><c:QrPayload>${qr}</c:QrPayload></c:CertificateStatusRequest>`;
const posting = (
  transactionId: string,
  cost: string | number,
  number: string = SAMPLES.active,
  works = 'Замена оконного блока',
) =>
  `<c:WorkPostingRequest xmlns:c="${NS}"><c:CertificateNumber>${number}</c:CertificateNumber><c:WorksName>${works}</c:WorksName>` +
  `<c:ClassifierCode>43.32.10.110</c:ClassifierCode><c:Quantity>1</c:Quantity><c:Cost>${cost}</c:Cost>` +
  `<c:TransactionId>${transactionId}</c:TransactionId></c:WorkPostingRequest>`;
const registry = (date: string, lines: Array<[string, string, number]>, totalCost?: number) =>
  `<c:DailyRegistryRequest xmlns:c="${NS}"><c:RegistryDate>${date}</c:RegistryDate>` +
  lines
    .map(
      ([id, number, cost]) =>
        `<c:Transaction><c:TransactionId>${id}</c:TransactionId><c:CertificateNumber>${number}</c:CertificateNumber><c:Cost>${cost}</c:Cost></c:Transaction>`,
    )
    .join('') +
  `<c:TotalCount>${lines.length}</c:TotalCount><c:TotalCost>${totalCost ?? lines.reduce((s, [, , c]) => s + c, 0)}</c:TotalCost></c:DailyRegistryRequest>`;

/** The text of every element with this local name in an answer payload. */
function values(payload: string | undefined, name: string): string[] {
  return [
    ...(payload ?? '').matchAll(
      new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:[\\w-]+:)?${name}>`, 'g'),
    ),
  ].map((m) => m[1] ?? '');
}
function value(payload: string | undefined, name: string): string | undefined {
  return values(payload, name)[0];
}

for (const dialect of STORES) {
  describe(`certificates end to end (${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, function () {
    this.timeout(60_000);
    let trust: TrustStore;

    async function send(
      payload: string,
      options: { system?: string; test?: boolean; soap12?: boolean } = {},
    ): Promise<CallAnswer & { raw: string }> {
      const version = options.soap12 ? SOAP12 : SOAP11;
      const request = buildCallRequest({ version, payload, testMessage: options.test ?? false });
      const xml = signCallRequest(request.xml, sampleKey(options.system ?? 'DEMO_CONSUMER'));
      const response = await post(gateway, xml, version);
      return { ...readCallAnswer(response.body, trust), raw: response.body };
    }
    function answered(answer: CallAnswer): string {
      if (answer.kind !== 'answer') throw new Error(`expected an answer, got ${JSON.stringify(answer)}`);
      return answer.payload ?? '';
    }
    function refusedWith(answer: CallAnswer, code: string, machine: string): void {
      if (answer.kind !== 'rejected') throw new Error(`expected a rejection, got ${JSON.stringify(answer)}`);
      expect(answer.rejection?.code).to.equal(code);
      expect(
        answer.rejection?.description.startsWith(`${machine}: `),
        answer.rejection?.description,
      ).to.equal(true);
    }
    async function balance(number: string): Promise<number> {
      return Number(value(answered(await send(status(number))), 'Balance'));
    }

    // The service's "today" is a moment of the seeded samples' terms, not the wall clock's.
    const gateway = useGateway({ store: dialect, serviceClock: () => NOON });
    before(() => {
      trust = loadTrustStore(gateway.config);
    });

    describe('CertificateStatusRequest', () => {
      it('answers every example file of a fresh install, signed', async () => {
        const byNumber = answered(
          await send(readFileSync('examples/certificates/CertificateStatusRequest.xml', 'utf8')),
        );
        const byQr = answered(
          await send(readFileSync('examples/certificates/CertificateStatusRequest-qr.xml', 'utf8'), {
            soap12: true,
          }),
        );
        expect(byQr).to.equal(byNumber);
        expect(value(byNumber, 'CertificateNumber')).to.equal(SAMPLES.active);
        expect(value(byNumber, 'Status')).to.equal('ACTIVE');
        expect(value(byNumber, 'NominalValue')).to.equal('15000000');
        expect(value(byNumber, 'ValidFrom')).to.equal('2026-01-01');
        expect(value(byNumber, 'ValidTo')).to.equal('2030-12-31');
        expect(value(byNumber, 'Display')).to.equal('И. И. П., СНИЛС ***-***-*45 95');
      });

      it('never puts the full name or SNILS on the wire', async () => {
        const answer = await send(status(SAMPLES.active));
        answered(answer);
        for (const secret of ['Иванов', 'Петрович', '11223344595', '112-233-445'])
          expect(answer.raw).to.not.contain(secret);
      });

      it('shows the status of each sample', async () => {
        const statusOf = async (number: string) => value(answered(await send(status(number))), 'Status');
        expect(await statusOf(SAMPLES.expired)).to.equal('EXPIRED');
        expect(await statusOf(SAMPLES.exhausted)).to.equal('EXHAUSTED');
        expect(await statusOf(SAMPLES.blocked)).to.equal('BLOCKED');
      });

      it('rejects an unknown certificate with NO_DATA and a bad QR with its reason', async () => {
        refusedWith(await send(status('470000000070')), 'NO_DATA', 'CERTIFICATE_NOT_FOUND');
        refusedWith(
          await send(statusByQr('SGC1:470000000013:99')),
          'UNKNOWN_REQUEST_DESCRIPTION',
          'QR_CHECK_FAILED',
        );
        refusedWith(
          await send(statusByQr('not a certificate')),
          'UNKNOWN_REQUEST_DESCRIPTION',
          'QR_MALFORMED',
        );
      });

      it('a number that is not 12 digits is refused by the schema', async () => {
        const answer = await send(status('4700000000'));
        expect(answer.kind).to.equal('fault');
        expect(answer.raw).to.contain('InvalidContent');
      });
    });

    describe('WorkPostingRequest', () => {
      it('posts the example, a retry gets the first answer, other content is a conflict', async () => {
        const example = readFileSync('examples/certificates/WorkPostingRequest.xml', 'utf8');
        const first = answered(await send(example));
        expect(value(first, 'BalanceAfter')).to.equal(String(15_000_000 - 3_450_000));
        expect(value(first, 'TransactionId')).to.equal('DEMO-2026-0001');
        const retry = answered(await send(example));
        expect(value(retry, 'PostingId')).to.equal(value(first, 'PostingId'));
        expect(value(retry, 'BalanceAfter')).to.equal(value(first, 'BalanceAfter'));
        expect(value(retry, 'PostedAt')).to.equal(value(first, 'PostedAt'));
        expect(await balance(SAMPLES.active)).to.equal(11_550_000);
        refusedWith(await send(example.replace('3450000', '3450001')), 'FAILURE', 'TRANSACTION_CONFLICT');
        // The same transaction id from another organisation is that organisation's own transaction.
        const other = answered(await send(example, { system: 'SOCPROTECT_47' }));
        expect(value(other, 'PostingId')).to.not.equal(value(first, 'PostingId'));
        expect(value(other, 'BalanceAfter')).to.equal(String(11_550_000 - 3_450_000));
      });

      it('TestMessage answers as if posted and changes nothing', async () => {
        const before = await balance(SAMPLES.activeUsed);
        const test = answered(await send(posting('TEST-1', 50_000, SAMPLES.activeUsed), { test: true }));
        expect(Number(value(test, 'BalanceAfter'))).to.equal(before - 50_000);
        expect(await balance(SAMPLES.activeUsed)).to.equal(before);
        const real = answered(await send(posting('TEST-1', 50_000, SAMPLES.activeUsed)));
        expect(value(real, 'PostingId')).to.not.equal(value(test, 'PostingId'));
        expect(await balance(SAMPLES.activeUsed)).to.equal(before - 50_000);
      });

      it('rejects over the balance, expired, blocked and exhausted with their reasons', async () => {
        refusedWith(await send(posting('OVER', 9_999_999_999)), 'FAILURE', 'INSUFFICIENT_BALANCE');
        refusedWith(await send(posting('EXP', 100, SAMPLES.expired)), 'FAILURE', 'CERTIFICATE_EXPIRED');
        refusedWith(await send(posting('BLK', 100, SAMPLES.blocked)), 'ACCESS_DENIED', 'CERTIFICATE_BLOCKED');
        refusedWith(await send(posting('EXH', 100, SAMPLES.exhausted)), 'FAILURE', 'CERTIFICATE_EXHAUSTED');
        refusedWith(await send(posting('UNK', 100, '470000000070')), 'NO_DATA', 'CERTIFICATE_NOT_FOUND');
      });

      it('a fractional, zero or negative cost never reaches the provider', async () => {
        for (const cost of ['1.50', '0', '-100', '1e3']) {
          const answer = await send(posting(`BAD-${cost}`, cost));
          expect(answer.kind, cost).to.equal('fault');
          expect(answer.raw).to.contain('InvalidContent');
        }
      });

      it('20 concurrent signed postings against one certificate never overspend', async () => {
        const start = await balance(SAMPLES.activeSmall);
        expect(start).to.equal(5_000_000);
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) => send(posting(`RACE-${i}`, 300_000, SAMPLES.activeSmall))),
        );
        const accepted = answers.filter((a) => a.kind === 'answer');
        const refused = answers.filter((a) => a.kind === 'rejected');
        expect(accepted).to.have.length(16);
        expect(refused).to.have.length(4);
        for (const r of refused) refusedWith(r, 'FAILURE', 'INSUFFICIENT_BALANCE');
        const after = accepted.map((a) => Number(value(answered(a), 'BalanceAfter'))).sort((a, b) => b - a);
        expect(after).to.deep.equal(Array.from({ length: 16 }, (_, i) => 5_000_000 - 300_000 * (i + 1)));
        expect(await balance(SAMPLES.activeSmall)).to.equal(200_000);
      });
    });

    describe('DailyRegistryRequest', () => {
      it("reconciles today's postings: MATCHED, then a replacing registry MISMATCHED with each difference", async () => {
        const today = moscowDate(NOON);
        const system = 'PORTAL_26';
        answered(await send(posting('P-1', 10_000, SAMPLES.active), { system }));
        answered(await send(posting('P-2', 20_000, SAMPLES.activeUsed), { system }));
        answered(await send(posting('P-3', 30_000, SAMPLES.active), { system }));

        const matched = answered(
          await send(
            registry(today, [
              ['P-1', SAMPLES.active, 10_000],
              ['P-2', SAMPLES.activeUsed, 20_000],
              ['P-3', SAMPLES.active, 30_000],
            ]),
            { system },
          ),
        );
        expect(value(matched, 'Result')).to.equal('MATCHED');
        expect(value(matched, 'Replaced')).to.equal('false');
        expect(value(matched, 'GatewayTotal')).to.equal('60000');

        const mismatched = answered(
          await send(
            registry(today, [
              ['P-1', SAMPLES.active, 10_001],
              ['P-2', SAMPLES.activeUsed, 20_000],
              ['P-9', SAMPLES.active, 5],
            ]),
            { system },
          ),
        );
        expect(value(mismatched, 'Result')).to.equal('MISMATCHED');
        expect(value(mismatched, 'Replaced')).to.equal('true');
        expect(value(mismatched, 'RegistryId')).to.not.equal(value(matched, 'RegistryId'));
        expect(mismatched).to.match(/<Missing>\s*<TransactionId>P-3<\/TransactionId>/);
        expect(mismatched).to.match(/<Extra>\s*<TransactionId>P-9<\/TransactionId>/);
        expect(mismatched).to.match(
          /<Differing>\s*<TransactionId>P-1<\/TransactionId>\s*<Field>\s*<Name>Cost<\/Name>\s*<InRegistry>10001<\/InRegistry>\s*<AtGateway>10000<\/AtGateway>/,
        );
      });

      it('the example posting and the example registry (dated today) match', async () => {
        const today = moscowDate(NOON);
        const system = 'SOCCARD_28';
        answered(
          await send(readFileSync('examples/certificates/WorkPostingRequest.xml', 'utf8'), { system }),
        );
        const example = readFileSync('examples/certificates/DailyRegistryRequest.xml', 'utf8');
        const answer = answered(
          await send(example.replace(/<cert:RegistryDate>[^<]*</, `<cert:RegistryDate>${today}<`), {
            system,
          }),
        );
        expect(value(answer, 'RegistryDate')).to.equal(today);
        expect(value(answer, 'Result')).to.equal('MATCHED');
        expect(value(answer, 'GatewayCount')).to.equal('1');
        expect(value(answer, 'GatewayTotal')).to.equal('3450000');
      });

      it('rejects totals that disagree with the lines and future dates; the schema refuses duplicate lines', async () => {
        const today = moscowDate(NOON);
        refusedWith(
          await send(registry(today, [['Z-1', SAMPLES.active, 100]], 101)),
          'FAILURE',
          'REGISTRY_TOTALS_MISMATCH',
        );
        refusedWith(await send(registry('2099-01-01', [])), 'FAILURE', 'REGISTRY_DATE_IN_FUTURE');
        const duplicate = await send(
          registry(today, [
            ['Z-1', SAMPLES.active, 100],
            ['Z-1', SAMPLES.active, 100],
          ]),
        );
        expect(duplicate.kind).to.equal('fault');
        expect(duplicate.raw).to.contain('InvalidContent');
      });
    });
  });
}
