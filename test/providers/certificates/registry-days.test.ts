/**
 * A day without a daily registry is flagged, and a past day's registry can still be sent, marked late: over the
 * real endpoint and the admin API, on SQLite and PostgreSQL, on a service clock inside the samples' terms.
 */
import { expect } from 'chai';
import { readCallAnswer } from '../../../src/client/answer.js';
import { buildCallRequest, signCallRequest } from '../../../src/client/request.js';
import { moscowDate } from '../../../src/providers/certificates/rules.js';
import { loadTrustStore } from '../../../src/signature/setup.js';
import { SOAP11 } from '../../../src/soap/version.js';
import { post, sampleKey, useGateway } from '../../support/gateway.js';
import { STORES } from '../../support/store.js';
import { NOON, SAMPLES } from './support.js';

const NS = 'urn://smev-gateway/services/certificates/1.0';
const DAY = 86_400_000;

const posting = (transactionId: string, cost: number) =>
  `<c:WorkPostingRequest xmlns:c="${NS}"><c:CertificateNumber>${SAMPLES.active}</c:CertificateNumber>` +
  `<c:WorksName>Замена оконного блока</c:WorksName><c:ClassifierCode>43.32.10.110</c:ClassifierCode>` +
  `<c:Quantity>1</c:Quantity><c:Cost>${cost}</c:Cost><c:TransactionId>${transactionId}</c:TransactionId></c:WorkPostingRequest>`;
const registry = (date: string, lines: Array<[string, number]>) =>
  `<c:DailyRegistryRequest xmlns:c="${NS}"><c:RegistryDate>${date}</c:RegistryDate>` +
  lines
    .map(
      ([id, cost]) =>
        `<c:Transaction><c:TransactionId>${id}</c:TransactionId><c:CertificateNumber>${SAMPLES.active}</c:CertificateNumber><c:Cost>${cost}</c:Cost></c:Transaction>`,
    )
    .join('') +
  `<c:TotalCount>${lines.length}</c:TotalCount><c:TotalCost>${lines.reduce((s, [, c]) => s + c, 0)}</c:TotalCost></c:DailyRegistryRequest>`;

for (const store of STORES) {
  describe(`daily registries missing or late (${store})`, function () {
    this.timeout(60_000);
    let now = NOON;
    const tokens: Record<string, string> = {};

    async function send(payload: string): Promise<string> {
      const request = buildCallRequest({ version: SOAP11, payload });
      const response = await post(gateway, signCallRequest(request.xml, sampleKey('DEMO_CONSUMER')));
      const answer = readCallAnswer(response.body, loadTrustStore(gateway.config));
      if (answer.kind !== 'answer') throw new Error(`expected an answer, got ${JSON.stringify(answer)}`);
      return answer.payload ?? '';
    }
    const report = async (query: string, role = 'operator') => {
      const response = await fetch(`${gateway.url}/api/v1/certificates/registries?${query}`, {
        headers: { authorization: `Bearer ${tokens[role]}` },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    const gateway = useGateway({ store, serviceClock: () => now });
    before(async () => {
      for (const role of ['operator', 'coordinator'] as const)
        tokens[role] = (
          await gateway.registry.createToken({ name: 'test', role: 'operator' }, role, role)
        ).token;
    });

    it('lists the past days a supplier sent no registry, and marks a past day sent late', async () => {
      const first = moscowDate(NOON);
      const second = moscowDate(new Date(NOON.getTime() + DAY));
      await send(posting(`RD-${store}-1`, 100));
      const onTime = await send(registry(first, [[`RD-${store}-1`, 100]]));
      expect(onTime).to.not.contain('<Late>');

      now = new Date(NOON.getTime() + DAY);
      await send(posting(`RD-${store}-2`, 200));
      now = new Date(NOON.getTime() + 3 * DAY);
      const today = moscowDate(now);
      const range = `from=${first}&to=${today}&organisation=DEMO_CONSUMER`;
      const before = await report(range);
      expect(before.status).to.equal(200);
      const missing = (before.body.missing as Array<{ day: string }>).map((m) => m.day);
      expect(missing).to.include(second);
      expect(missing).to.not.include(first);
      expect(missing, "today's registry is not due yet").to.not.include(today);

      const late = await send(registry(second, [[`RD-${store}-2`, 200]]));
      expect(late).to.match(/<(\w+:)?Late>true<\/(\w+:)?Late>/);
      const after = await report(range);
      expect((after.body.missing as Array<{ day: string }>).map((m) => m.day)).to.not.include(second);
      expect(after.body.late).to.deep.include({
        organisation: 'DEMO_CONSUMER',
        day: second,
        receivedAt: now.toISOString(),
      });
    });

    it('refuses a bad range and a coordinator', async () => {
      expect((await report('from=2026-06-20&to=2026-06-10')).status).to.equal(400);
      expect((await report('from=2026-01-01&to=2027-06-10')).status).to.equal(400);
      expect((await report('from=yesterday&to=2026-06-10')).status).to.equal(400);
      expect((await report('from=2026-06-01&to=2026-06-10', 'coordinator')).status).to.equal(403);
    });
  });
}
