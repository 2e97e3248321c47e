/**
 * The console in Chromium, as an auditor: the message log searched by sender, MessageID and fault code, a
 * record with both messages, its signatures verified and its place in the chain; "verify" for the log and the
 * trail with the verdict shown; the audit trail as a timeline; both exports downloaded and read back.
 */
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { post, signedCall } from '../support/gateway.js';
import { signIn, startConsoleWorld, stopConsoleWorld, type ConsoleWorld } from './support.js';

describe('console: the auditor', function () {
  this.timeout(120_000);
  let world: ConsoleWorld;
  let messageId: string;
  before(async () => {
    world = await startConsoleWorld();
    const call = signedCall();
    messageId = call.messageId;
    expect((await post(world.gateway, call.xml)).status).to.equal(200);
    await post(world.gateway, signedCall({ system: 'PORTAL_26' }).xml);
  });
  after(() => stopConsoleWorld(world));

  it('searches the log, opens a record with both messages, verified signatures and its chain position', async () => {
    const { context, page } = await signIn(world, world.tokens.auditor);
    try {
      expect(await page.locator('nav.main a').allTextContents()).to.deep.equal([
        'Обзор',
        'Где сообщение',
        'Журнал сообщений',
        'Журнал аудита',
      ]);
      await page.getByRole('link', { name: 'Журнал сообщений' }).click();
      await page.getByLabel('Отправитель').fill('DEMO_CONSUMER');
      await page.getByRole('button', { name: 'Искать' }).click();
      expect(await page.locator('p', { hasText: 'Найдено записей' }).textContent()).to.contain('1');
      expect(await page.locator('tbody tr').first().textContent()).to.contain(messageId);

      await page.getByLabel('Отправитель').fill('');
      await page.getByLabel('MessageID').fill(messageId);
      await page.getByLabel('Код ошибки').fill('NoSuchFault');
      await page.getByRole('button', { name: 'Искать' }).click();
      expect(await page.locator('p', { hasText: 'Найдено записей' }).textContent()).to.match(/: 0$/);

      await page.getByLabel('Код ошибки').fill('');
      await page.getByRole('button', { name: 'Искать' }).click();
      await page.locator('tbody tr').first().getByRole('link').click();
      expect(await page.locator('h1').textContent()).to.equal('Запись журнала');
      expect(await page.locator('p.notice.good').textContent()).to.contain('Все подписи проверены.');
      expect(await page.locator('dl.facts').nth(1).textContent()).to.match(/Номер\s*\d+ \/ \d+/);
      const bodies = page.locator('pre');
      expect(await bodies.nth(0).textContent()).to.contain(messageId);
      expect(await bodies.nth(1).textContent()).to.contain('PingResponse');
    } finally {
      await context.close();
    }
    const reads = await world.gateway.store.db
      .selectFrom('audit_entries')
      .select('action')
      .where('actor', '=', world.names.auditor)
      .execute();
    expect(reads.map((r) => r.action)).to.include.members([
      'console.sign-in',
      'messagelog.search',
      'messagelog.read',
    ]);
  });

  it('verifies the log and the trail and shows the verdicts; the timeline lists the sign-in', async () => {
    const { context, page } = await signIn(world, world.tokens.auditor);
    try {
      await world.gateway.checkpoint();
      await page.goto(`${world.gateway.url}/console/log`);
      await page.getByRole('button', { name: 'Проверить целостность' }).click();
      expect(await page.locator('#verdict').textContent()).to.contain('Цепочка цела.');

      await page.goto(`${world.gateway.url}/console/audit`);
      expect(await page.locator('ol.timeline li').first().textContent()).to.contain('messagelog.verify');
      expect((await page.locator('ol.timeline').textContent())?.replace(/\s+/g, ' ')).to.contain(
        `${world.names.auditor} (auditor): console.sign-in`,
      );
      await world.gateway.checkpoint();
      await page.getByRole('button', { name: 'Проверить целостность' }).click();
      expect(await page.locator('#verdict').textContent()).to.contain('Цепочка цела.');
    } finally {
      await context.close();
    }
  });

  it('downloads the log archive of a period and the audit trail', async () => {
    const { context, page } = await signIn(world, world.tokens.auditor);
    try {
      await page.goto(`${world.gateway.url}/console/log?lang=en`);
      const from = new Date(Date.now() - 3_600_000).toISOString().slice(0, 16);
      const to = new Date(Date.now() + 3_600_000).toISOString().slice(0, 16);
      await page.locator('#e-from').fill(from);
      await page.locator('#e-to').fill(to);
      const [archive] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export' }).click(),
      ]);
      const log = JSON.parse(await readFile((await archive.path())!, 'utf8')) as {
        format: string;
        records: unknown[];
      };
      expect(log.format).to.equal('smev-gateway-message-log-archive');
      expect(log.records.length).to.be.at.least(2);

      await page.goto(`${world.gateway.url}/console/audit`);
      const [trail] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: /audit trail/ }).click(),
      ]);
      const audit = JSON.parse(await readFile((await trail.path())!, 'utf8')) as {
        format: string;
        entries: unknown[];
      };
      expect(audit.format).to.equal('smev-gateway-audit-export');
      expect(audit.entries.length).to.be.greaterThan(0);
    } finally {
      await context.close();
    }
  });
});
