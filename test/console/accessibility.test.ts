/**
 * Accessibility in Chromium: axe-core finds no serious or critical violation on the main pages (sign-in, the
 * public check, dashboard, participants, log search, a record), in Russian and in English; the skip link leads to
 * the content, focus is visible, and the pages fit a phone-sized screen without scrolling sideways.
 *
 * With CONSOLE_SCREENSHOTS=1 it also writes docs/images/console-dashboard.png and console-record.png
 * (`npm run console:screenshots`).
 */
import { mkdirSync } from 'node:fs';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { post, signedCall } from '../support/gateway.js';
import { sampleApplication } from '../registry/support.js';
import {
  seriousViolations,
  signIn,
  startConsoleWorld,
  stopConsoleWorld,
  type ConsoleWorld,
} from './support.js';

const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS === '1';

describe('console: accessibility', function () {
  this.timeout(180_000);
  let world: ConsoleWorld;
  let recordPath = '';
  before(async () => {
    world = await startConsoleWorld();
    const operator = { name: 'setup operator', role: 'operator' as const };
    const late = await world.gateway.registry.submitApplication(operator, sampleApplication(75_000));
    await world.gateway.store.db
      .updateTable('participants')
      .set({ coordinator_due: Date.now() - 3_600_000 })
      .where('id', '=', late.id)
      .execute();
    // Some traffic for the charts: successes from two systems and a few refusals.
    for (let i = 0; i < 12; i++)
      await post(world.gateway, signedCall({ system: i % 3 ? 'DEMO_CONSUMER' : 'PORTAL_26' }).xml);
    const replayed = signedCall();
    for (let i = 0; i < 3; i++) await post(world.gateway, replayed.xml);
    await world.gateway.checkpoint();
    const row = await world.gateway.store.db
      .selectFrom('message_log')
      .select(['seq', 'instance_id'])
      .where('fault_code', 'is', null)
      .orderBy('seq')
      .executeTakeFirstOrThrow();
    recordPath = `/console/log/${Number(row.seq)}@${row.instance_id}`;
  });
  after(() => stopConsoleWorld(world));

  async function expectNoSeriousViolations(page: Page, what: string): Promise<void> {
    const violations = await seriousViolations(page);
    expect(
      violations.map(
        (v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
      ),
      what,
    ).to.deep.equal([]);
  }

  it('finds no serious or critical violation on the sign-in and public check pages', async () => {
    const context = await world.browser.newContext();
    const page = await context.newPage();
    try {
      // The check itself works: an unlabelled field on a blank page is a critical violation.
      await page.setContent('<html lang="en"><title>t</title><main><input type="text"></main></html>');
      expect((await seriousViolations(page)).map((v) => v.id)).to.include('label');
      for (const path of [
        '/console/sign-in',
        '/console/check',
        '/console/sign-in?lang=en',
        '/console/check?lang=en',
      ]) {
        await page.goto(`${world.gateway.url}${path}`);
        await expectNoSeriousViolations(page, path);
      }
    } finally {
      await context.close();
    }
  });

  it('finds no serious or critical violation on the dashboard, participants, log search and a record', async () => {
    const operator = await signIn(world, world.tokens.operator);
    const auditor = await signIn(world, world.tokens.auditor);
    try {
      for (const lang of ['ru', 'en']) {
        for (const path of [
          '/console/dashboard',
          '/console/participants',
          '/console/systems',
          '/console/routes',
        ]) {
          await operator.page.goto(`${world.gateway.url}${path}?lang=${lang}`);
          await expectNoSeriousViolations(operator.page, `${path} (${lang})`);
        }
        for (const path of ['/console/log?sender=DEMO_CONSUMER', recordPath, '/console/audit']) {
          await auditor.page.goto(`${world.gateway.url}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
          await expectNoSeriousViolations(auditor.page, `${path} (${lang})`);
        }
      }
    } finally {
      await operator.context.close();
      await auditor.context.close();
    }
  });

  it('leads the keyboard to the content through the skip link, with focus visible', async () => {
    const { context, page } = await signIn(world, world.tokens.operator);
    try {
      await page.keyboard.press('Tab');
      const skip = page.getByRole('link', { name: 'Перейти к содержанию' });
      expect(
        await skip.evaluate(
          (e) => e === (e.ownerDocument as unknown as { activeElement: unknown }).activeElement,
        ),
      ).to.equal(true);
      // Focused, it comes into view (it hides off-screen otherwise) with an outline.
      const box = await skip.boundingBox();
      expect(box?.x).to.be.greaterThanOrEqual(0);
      const outline = await skip.evaluate(
        (e) =>
          (
            globalThis as unknown as { getComputedStyle: (e: unknown) => { outlineStyle: string } }
          ).getComputedStyle(e).outlineStyle,
      );
      expect(outline).to.not.equal('none');
      await page.keyboard.press('Enter');
      // Following the link is a same-document navigation the key press does not wait for.
      await page.waitForURL(/#content$/, { timeout: 5000 });
      expect(page.url()).to.match(/#content$/);
    } finally {
      await context.close();
    }
  });

  it('fits a phone-sized screen: no page scrolls sideways', async () => {
    const { context, page } = await signIn(world, world.tokens.operator);
    try {
      await page.setViewportSize({ width: 375, height: 740 });
      for (const path of ['/console/dashboard', '/console/participants', '/console/routes']) {
        await page.goto(`${world.gateway.url}${path}`);
        const widths = await page.evaluate(() => {
          const root = (
            globalThis as unknown as {
              document: { documentElement: { scrollWidth: number; clientWidth: number } };
            }
          ).document.documentElement;
          return { scroll: root.scrollWidth, client: root.clientWidth };
        });
        expect(widths.scroll, path).to.be.at.most(widths.client + 1);
      }
    } finally {
      await context.close();
    }
  });

  (SCREENSHOTS ? it : it.skip)('writes the README screenshots', async () => {
    mkdirSync('docs/images', { recursive: true });
    const operator = await signIn(world, world.tokens.operator);
    const auditor = await signIn(world, world.tokens.auditor);
    try {
      await operator.page.setViewportSize({ width: 1280, height: 900 });
      await operator.page.goto(`${world.gateway.url}/console/dashboard`);
      await operator.page.screenshot({ path: 'docs/images/console-dashboard.png', fullPage: true });
      await auditor.page.setViewportSize({ width: 1280, height: 900 });
      await auditor.page.goto(`${world.gateway.url}${recordPath}`);
      await auditor.page.screenshot({ path: 'docs/images/console-record.png' });
    } finally {
      await operator.context.close();
      await auditor.context.close();
    }
  });
});
