/**
 * The console as a coordinator scoped to spheres, over plain HTTP: the dashboard names no other sphere's
 * application, another sphere's application answers as one that does not exist, and a check is taken on the
 * version of the application the page showed, never on data changed since.
 */
import { expect } from 'chai';
import { sampleApplication } from '../registry/support.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { http, httpSignIn } from './http.js';

const operator = { name: 'setup operator', role: 'operator' as const };
const today = () => new Date().toISOString().slice(0, 10);

describe('console: a coordinator scoped to spheres', function () {
  this.timeout(60_000);
  let gateway: TestGateway;
  let health: string;
  before(async () => {
    gateway = await startTestGateway({ overrides: { 'http.rateLimit.admin': 0 } });
    health = (
      await gateway.registry.createToken(operator, 'health desk', 'coordinator', { spheres: ['health'] })
    ).token;
  });
  after(() => gateway.stop());

  const statusOf = async (id: string) =>
    (
      await gateway.store.db
        .selectFrom('participants')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).status;

  /** An application in `sphere`, past the coordinator's deadline. */
  async function overdue(sphere: string, shortName: string) {
    const applied = await gateway.registry.submitApplication(
      operator,
      sampleApplication(76_000, { sphere, shortName }),
    );
    await gateway.store.db
      .updateTable('participants')
      .set({ coordinator_due: Date.now() - 86_400_000 })
      .where('id', '=', applied.id)
      .execute();
    return applied;
  }

  it("shows on the dashboard only its spheres' overdue applications", async () => {
    await overdue('health', 'Overdue Clinic');
    await overdue('trade', 'Overdue Shop');
    const { cookie } = await httpSignIn(gateway.url, health);
    const dashboard = await http(`${gateway.url}/console/dashboard`, { cookie });
    expect(dashboard.status).to.equal(200);
    expect(dashboard.text).to.contain('Overdue Clinic').and.not.contain('Overdue Shop');
    // Nothing of the sample participants (sphere other) either: their systems and certificates.
    expect(dashboard.text).to.not.contain('DEMO_CONSUMER');
  });

  it("answers another sphere's application as one that does not exist", async () => {
    const shop = await overdue('trade', 'Another Shop');
    const { cookie, csrf } = await httpSignIn(gateway.url, health);
    const check = (id: string) =>
      http(`${gateway.url}/console/participants/${id}/check`, { cookie, form: { _csrf: csrf } });
    const foreign = await check(shop.id);
    const none = await check('00000000-0000-4000-8000-000000000000');
    expect([foreign.status, none.status]).to.deep.equal([404, 404]);
    expect(foreign.text).to.not.contain('trade');
    expect(await statusOf(shop.id)).to.equal('submitted');
  });

  it('shows everything its check vouches for, not the short name alone, escaped', async () => {
    const application = sampleApplication(78_000, {
      sphere: 'health',
      shortName: 'Clinic In Full',
      fullName: 'Regional Clinic <b>Number</b> Nine',
      legalForm: 'budget institution of health',
      address: '7 Hospital Lane, Blagoveshchensk',
      head: 'Ivanova Anna Petrovna',
    });
    const applied = await gateway.registry.submitApplication(operator, application);
    const { cookie } = await httpSignIn(gateway.url, health);
    const page = await http(`${gateway.url}/console/applications`, { cookie });
    const row = page.text.split('<tr>').find((part) => part.includes(`/participants/${applied.id}/check`));
    expect(row, 'the application is listed').to.be.a('string');
    for (const value of [
      'Regional Clinic &lt;b&gt;Number&lt;/b&gt; Nine',
      'budget institution of health',
      String(application.inn),
      '7 Hospital Lane, Blagoveshchensk',
      'Ivanova Anna Petrovna',
      'contact@example.org',
    ])
      expect(row).to.contain(value);
  });

  it('checks the application as the page showed it: one changed since is refused', async () => {
    const first = sampleApplication(77_000, { sphere: 'health', shortName: 'Clinic As Shown' });
    const applied = await gateway.registry.submitApplication(operator, first);
    const { cookie } = await httpSignIn(gateway.url, health);
    const page = await http(`${gateway.url}/console/applications`, { cookie });
    const form = new RegExp(
      `<form[^>]*action="/console/participants/${applied.id}/check"[^>]*>([\\s\\S]*?)</form>`,
    ).exec(page.text)?.[1];
    const fields = Object.fromEntries(
      [...(form ?? '').matchAll(/<input\s+type="hidden"\s+name="([^"]+)"\s+value="([^"]*)"/g)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
    expect(fields).to.include({ version: String(applied.version) });
    await gateway.registry.updateDetails(operator, applied.id, {
      ...first,
      fullName: 'Changed After The Page Was Shown',
      changedOn: today(),
    });
    const stale = await http(`${gateway.url}/console/participants/${applied.id}/check`, {
      cookie,
      form: fields,
    });
    expect(stale.status).to.equal(409);
    expect(await statusOf(applied.id)).to.equal('submitted');
  });
});
