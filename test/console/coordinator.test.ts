/**
 * The console in Chromium, as a coordinator: the applications waiting for a check, one checked and one declined
 * with its reason (the form will not go without one, and the server refuses a decline without one too).
 */
import { expect } from 'chai';
import { sampleApplication } from '../registry/support.js';
import { signIn, startConsoleWorld, stopConsoleWorld, type ConsoleWorld } from './support.js';

describe('console: the coordinator', function () {
  this.timeout(120_000);
  let world: ConsoleWorld;
  const operator = { name: 'setup operator', role: 'operator' as const };
  before(async () => {
    world = await startConsoleWorld();
  });
  after(() => stopConsoleWorld(world));

  it('checks one application and declines another with a reason; the trail names the token', async () => {
    const first = await world.gateway.registry.submitApplication(operator, sampleApplication(73_000));
    const second = await world.gateway.registry.submitApplication(operator, sampleApplication(73_000));
    const { context, page } = await signIn(world, world.tokens.coordinator);
    try {
      // The coordinator's sections: the dashboard and the applications, nothing of the operator's or auditor's.
      const sections = await page.locator('nav.main a').allTextContents();
      expect(sections).to.deep.equal(['Обзор', 'Заявки на проверку']);
      await page.getByRole('link', { name: 'Заявки на проверку' }).click();
      await page
        .locator('tr', { hasText: first.shortName })
        .getByRole('button', { name: 'Проверить' })
        .click();
      await page.waitForURL(/applications\?done=1/);
      expect(await page.locator('tr', { hasText: first.shortName }).count()).to.equal(0);

      const row = page.locator('tr', { hasText: second.shortName });
      // Without a reason the browser keeps the form: the field is required.
      await row.getByRole('button', { name: 'Отклонить' }).click();
      expect(page.url()).to.match(/\/console\/applications\?done=1$/);
      expect(
        await row
          .getByLabel('Причина')
          .evaluate((e) => (e as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing),
      ).to.equal(true);
      await row.getByLabel('Причина').fill('ОГРН не совпадает с выпиской');
      await row.getByRole('button', { name: 'Отклонить' }).click();
      await page.waitForURL(/applications\?done=1/);
      expect(await page.locator('tr', { hasText: second.shortName }).count()).to.equal(0);
    } finally {
      await context.close();
    }
    expect((await world.gateway.registry.getParticipant(operator, first.id)).status).to.equal('checked');
    const declined = await world.gateway.registry.getParticipant(operator, second.id);
    expect(declined.status).to.equal('declined');
    expect(declined.transitions.at(-1)).to.include({
      reason: 'ОГРН не совпадает с выпиской',
      actor: world.names.coordinator,
      role: 'coordinator',
    });
    const entries = await world.gateway.store.db
      .selectFrom('audit_entries')
      .select(['action', 'actor'])
      .where('subject_id', 'in', [first.id, second.id])
      .where('action', 'in', ['participant.check', 'participant.decline'])
      .orderBy('seq')
      .execute();
    expect(entries).to.deep.equal([
      { action: 'participant.check', actor: world.names.coordinator },
      { action: 'participant.decline', actor: world.names.coordinator },
    ]);
  });

  it('is refused a decline without a reason by the server too, and an operator-only action with the 403 page', async () => {
    const applied = await world.gateway.registry.submitApplication(operator, sampleApplication(74_000));
    const { context, page } = await signIn(world, world.tokens.coordinator);
    try {
      await page.goto(`${world.gateway.url}/console/applications`);
      const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
      const declined = await page.request.post(
        `${world.gateway.url}/console/participants/${applied.id}/decline`,
        {
          form: { _csrf: csrf, reason: '  ' },
          maxRedirects: 0,
        },
      );
      expect(declined.status()).to.equal(400);
      expect(await declined.text()).to.contain('a reason is required');
      // Registering is the operator's: the permission passes (coordinators take lifecycle actions), the lifecycle
      // table refuses.
      const registered = await page.request.post(
        `${world.gateway.url}/console/participants/${applied.id}/register`,
        {
          form: { _csrf: csrf },
          maxRedirects: 0,
        },
      );
      expect(registered.status()).to.equal(403);
      const routes = await page.goto(`${world.gateway.url}/console/routes`);
      expect(routes?.status()).to.equal(403);
      expect(await page.locator('h1').textContent()).to.equal('Доступ запрещён');
    } finally {
      await context.close();
    }
    expect((await world.gateway.registry.getParticipant(operator, applied.id)).status).to.equal('submitted');
  });
});
