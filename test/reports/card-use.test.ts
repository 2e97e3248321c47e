/**
 * The card use report over the admin API (JSON and CSV) on SQLite and PostgreSQL, from card register events of a
 * fixed period written into the store; a connection point that looks like a spreadsheet formula stays text.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { CardsTables } from '../../src/store/schema-cards.js';
import { useGateway } from '../support/gateway.js';
import { STORES } from '../support/store.js';

const AT = Date.parse('2020-01-10T10:00:00Z');

for (const store of STORES) {
  describe(`card use report (${store})`, function () {
    this.timeout(60_000);
    const tokens: Record<string, string> = {};
    const get = (query: string, role = 'operator') =>
      fetch(`${gateway.url}/api/v1/reports/cards?${query}`, {
        headers: { authorization: `Bearer ${tokens[role]}` },
      });

    async function card(point: string, actions: Array<[string, number]>) {
      const db = gateway.store.db.withTables<{ [T in keyof CardsTables]: CardsTables[T] }>();
      const id = randomUUID();
      await db
        .insertInto('social_cards')
        .values({
          id,
          pan_hash: randomUUID().replace(/-/g, ''),
          pan_last4: '0000',
          holder_hash: randomUUID().replace(/-/g, ''),
          holder_display: 'Иванов И. И.',
          connection_point: point,
          registered_by: 'SOCCARD_28',
          status: 'ACTIVE',
          status_reason: null,
          registered_at: AT,
          status_changed_at: AT,
        })
        .execute();
      for (const [action, at] of actions)
        await db
          .insertInto('social_card_events')
          .values({
            id: randomUUID(),
            card_id: id,
            action: action as 'REGISTERED',
            system: 'SOCCARD_28',
            reason: null,
            at,
          })
          .execute();
    }

    const gateway = useGateway({ store });
    before(async () => {
      for (const role of ['operator', 'auditor', 'coordinator'] as const)
        tokens[role] = (
          await gateway.registry.createToken({ name: 'test', role: 'operator' }, role, role)
        ).token;
      await card('portal', [['REGISTERED', AT]]);
      await card('portal', [
        ['REGISTERED', AT],
        ['BLOCKED', AT + 1000],
        ['UNBLOCKED', AT + 2000],
      ]);
      await card('app', [
        ['REGISTERED', AT],
        ['DEREGISTERED', AT + 3000],
      ]);
      await card('=HYPERLINK("http://x")', [['REGISTERED', AT]]);
      await card(' @SUM(A1)', [['REGISTERED', AT]]);
      await card('portal', [['REGISTERED', Date.parse('2020-03-01T00:00:00Z')]]); // outside the period
    });

    const period = 'from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z';

    it('counts each connection point’s cards connected, blocked, unblocked and deregistered in the period', async () => {
      const response = await get(period, 'auditor');
      expect(response.status).to.equal(200);
      const body = (await response.json()) as { rows: Array<Record<string, unknown>> };
      expect(body.rows).to.deep.include({
        connectionPoint: 'portal',
        connected: 2,
        blocked: 1,
        unblocked: 1,
        deregistered: 0,
      });
      expect(body.rows).to.deep.include({
        connectionPoint: 'app',
        connected: 1,
        blocked: 0,
        unblocked: 0,
        deregistered: 1,
      });
    });

    it('answers CSV, with a formula-like connection point kept as text', async () => {
      const response = await get(`${period}&format=csv`);
      expect(response.headers.get('content-type')).to.match(/^text\/csv/);
      const lines = (await response.text()).trim().split('\r\n');
      expect(lines[0]).to.equal('"connection_point","connected","blocked","unblocked","deregistered"');
      expect(lines).to.include('"portal",2,1,1,0');
      expect(lines).to.include('"\'=HYPERLINK(""http://x"")",1,0,0,0');
      expect(lines).to.include('"\' @SUM(A1)",1,0,0,0');
    });

    it('refuses a bad period, an unknown format and a coordinator', async () => {
      expect((await get('from=2020-02-01T00:00:00Z&to=2020-01-01T00:00:00Z')).status).to.equal(400);
      expect((await get('from=yesterday&to=2020-01-01T00:00:00Z')).status).to.equal(400);
      expect((await get(`${period}&format=xlsx`)).status).to.equal(400);
      expect((await get(period, 'coordinator')).status).to.equal(403);
    });
  });
}
