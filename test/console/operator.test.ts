/**
 * The console in Chromium, as an operator: the dashboard's pictures, the participants with overdue ones first,
 * a registration and a new route made in the browser and seen there, both in the audit trail under the token's
 * name; the systems with their certificates and queue depth, a bad PEM refused, a message's whereabouts.
 */
import { expect } from 'chai';
import { sampleApplication } from '../registry/support.js';
import { post, signedCall } from '../support/gateway.js';
import { signIn, startConsoleWorld, stopConsoleWorld, type ConsoleWorld } from './support.js';

describe('console: the operator', function () {
  this.timeout(120_000);
  let world: ConsoleWorld;
  const operator = { name: 'setup operator', role: 'operator' as const };
  const coordinator = { name: 'setup coordinator', role: 'coordinator' as const };
  before(async () => {
    world = await startConsoleWorld();
  });
  after(() => stopConsoleWorld(world));

  it('sees the dashboard drawn as SVG charts with their data as text', async () => {
    await post(world.gateway, signedCall().xml);
    const { context, page } = await signIn(world, world.tokens.operator);
    try {
      expect(await page.locator('h1').textContent()).to.equal('Обзор');
      const charts = page.locator('svg.chart[role="img"]');
      expect(await charts.count()).to.be.at.least(2);
      expect(await charts.first().getAttribute('aria-label')).to.match(/Обмены и ошибки/);
      // The text alternative holds the same figures: the exchange just made is counted.
      const total = page.locator('section', { hasText: 'Обмены и ошибки' }).locator('p.muted');
      expect(await total.textContent()).to.match(/обмены: [1-9]/);
      expect(
        await page.locator('section', { hasText: 'Последняя контрольная точка' }).textContent(),
      ).to.match(/UTC|не было/);
    } finally {
      await context.close();
    }
  });

  it('registers a checked application in the browser, sees it registered, and the trail names the token', async () => {
    const applied = await world.gateway.registry.submitApplication(operator, sampleApplication(71_000));
    await world.gateway.registry.transition(coordinator, applied.id, 'check');
    const { context, page } = await signIn(world, world.tokens.operator);
    try {
      await page.getByRole('link', { name: 'Участники' }).click();
      const row = page.locator('tr', { hasText: applied.shortName });
      expect(await row.locator('td').nth(3).textContent()).to.equal('проверена');
      await row.getByRole('button', { name: 'Зарегистрировать' }).click();
      await page.waitForURL(/participants\?done=1/);
      expect(await page.getByRole('status').textContent()).to.equal('Готово.');
      expect(
        await page.locator('tr', { hasText: applied.shortName }).locator('td').nth(3).textContent(),
      ).to.equal('зарегистрирован');
    } finally {
      await context.close();
    }
    const entry = await world.gateway.store.db
      .selectFrom('audit_entries')
      .selectAll()
      .where('action', '=', 'participant.register')
      .where('subject_id', '=', applied.id)
      .executeTakeFirstOrThrow();
    expect(entry).to.include({ actor: world.names.operator, role: 'operator' });
  });

  it('lists overdue applications first', async () => {
    const { context, page } = await signIn(world, world.tokens.operator);
    try {
      // An application submitted a week ago is past its coordinator's deadline.
      const old = await world.gateway.store.db
        .selectFrom('participants')
        .select('id')
        .where('status', '=', 'active')
        .executeTakeFirstOrThrow();
      const late = await world.gateway.registry.submitApplication(operator, sampleApplication(72_000));
      await world.gateway.store.db
        .updateTable('participants')
        .set({ coordinator_due: Date.now() - 86_400_000 })
        .where('id', '=', late.id)
        .execute();
      expect(old.id).to.not.equal(late.id);
      await page.goto(`${world.gateway.url}/console/participants`);
      const first = page.locator('tbody tr').first();
      expect(await first.textContent())
        .to.contain(late.shortName)
        .and.to.contain('просрочено');
    } finally {
      await context.close();
    }
  });

  it('adds a route in the browser and sees it in the list; withdraws it again', async () => {
    const { context, page } = await signIn(world, world.tokens.operator);
    try {
      await page.goto(`${world.gateway.url}/console/routes?lang=en`);
      await page.getByLabel('Consumer', { exact: true }).fill('DEMO_CONSUMER');
      await page.getByLabel('Namespace', { exact: true }).fill('urn://example/console/1.0');
      await page.getByLabel('Element', { exact: true }).fill('ConsoleTestRequest');
      await page.getByLabel('Recipient', { exact: true }).fill('PORTAL_26');
      await page.getByLabel('Provider', { exact: true }).fill('queue');
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.waitForURL(/routes\?done=1/);
      const row = page.locator('tr', { hasText: 'ConsoleTestRequest' });
      expect(await row.textContent()).to.contain('PORTAL_26');
      const routes = await world.gateway.registry.listRoutes(operator);
      expect(routes.some((r) => r.localName === 'ConsoleTestRequest')).to.equal(true);
      await row.getByRole('button', { name: /Withdraw/ }).click();
      await page.waitForURL(/routes\?done=1/);
      expect(await page.locator('tr', { hasText: 'ConsoleTestRequest' }).count()).to.equal(0);
    } finally {
      await context.close();
    }
    const actions = await world.gateway.store.db
      .selectFrom('audit_entries')
      .select(['action', 'actor'])
      .where('action', 'in', ['route.add', 'route.withdraw'])
      .where('actor', '!=', 'first-start seed')
      .execute();
    expect(actions.map((a) => a.actor)).to.deep.equal([world.names.operator, world.names.operator]);
  });

  it('sees systems with their certificates and queue depth; a PEM that is no certificate is refused with the reason', async () => {
    const { context, page } = await signIn(world, world.tokens.operator);
    try {
      await page.getByRole('link', { name: 'Системы' }).click();
      const row = page.locator('#system-DEMO_CONSUMER');
      expect(await row.textContent()).to.match(/Действует до \d{4}-\d\d-\d\d/);
      expect(await row.textContent()).to.contain('действителен');
      await row.locator('summary').click();
      await row
        .getByLabel('Сертификат в формате PEM')
        .fill('-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----');
      await row.getByRole('button', { name: 'Загрузить' }).click();
      expect(await page.getByRole('alert').textContent()).to.match(/pem/i);
      expect(await page.locator('h1').textContent()).to.equal('Запрос не выполнен');
    } finally {
      await context.close();
    }
  });

  it('suspends a system with a reason and resumes it; a suspension without a reason changes nothing', async () => {
    const { context, page } = await signIn(world, world.tokens.operator);
    const statusOf = async () =>
      (await page.locator('#system-SOCCARD_28').locator('td').nth(3).textContent())?.trim() ?? '';
    try {
      await page.getByRole('link', { name: 'Системы' }).click();
      expect(await statusOf()).to.match(/^active/);
      // The browser would refuse the empty field; a client that skips it is refused by the server.
      const refused = await page.request.post(`${world.gateway.url}/console/systems/SOCCARD_28/suspend`, {
        form: { _csrf: await page.locator('input[name="_csrf"]').first().inputValue(), reason: '' },
        maxRedirects: 0,
      });
      expect(refused.status()).to.equal(400);
      await page.getByLabel('Причина').first().waitFor();
      const row = page.locator('#system-SOCCARD_28');
      await row.locator('form[action$="/suspend"]').getByLabel('Причина').fill('плановая проверка');
      await row.getByRole('button', { name: 'Приостановить SOCCARD_28' }).click();
      await page.waitForURL(/systems\?done=1/);
      expect(await statusOf()).to.match(/^suspended/);
      await page
        .locator('#system-SOCCARD_28')
        .getByRole('button', { name: 'Возобновить SOCCARD_28' })
        .click();
      await page.waitForURL(/systems\?done=1/);
      expect(await statusOf()).to.match(/^active/);
    } finally {
      await context.close();
    }
    const actions = await world.gateway.store.db
      .selectFrom('audit_entries')
      .select(['action', 'actor'])
      .where('subject_id', '=', 'SOCCARD_28')
      .where('action', 'in', ['system.suspended', 'system.active'])
      .execute();
    expect(actions.map((a) => a.action)).to.deep.equal(['system.suspended', 'system.active']);
    expect(actions.every((a) => a.actor === world.names.operator)).to.equal(true);
  });

  it("finds a queued message's whereabouts by MessageID", async () => {
    const { context, page } = await signIn(world, world.tokens.operator);
    try {
      await page.getByRole('link', { name: 'Где сообщение' }).click();
      await page.getByLabel('MessageID').fill('00000000-0000-0000-0000-000000000000');
      await page.getByRole('button', { name: 'Найти' }).click();
      expect(await page.getByRole('status').textContent()).to.contain('нет');
    } finally {
      await context.close();
    }
  });
});
