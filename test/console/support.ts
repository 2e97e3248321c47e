/**
 * Console tests: a real gateway, headless Chromium driven by playwright-core (Debian's chromium, no browser
 * download), a token per role, and axe-core injected into pages for the accessibility checks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Role } from '../../src/store/schema.js';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from '../support/gateway.js';

/** CHROMIUM names another browser binary; by default Debian's. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

type ConsoleRole = 'operator' | 'coordinator' | 'auditor' | 'participant';

export interface ConsoleWorld {
  readonly gateway: TestGateway;
  readonly browser: Browser;
  readonly tokens: Record<ConsoleRole, string>;
  /** The token names, as the audit trail records them. */
  readonly names: Record<ConsoleRole, string>;
}

export async function startConsoleWorld(options: TestGatewayOptions = {}): Promise<ConsoleWorld> {
  const gateway = await startTestGateway({
    ...options,
    overrides: { 'http.rateLimit.admin': 0, ...options.overrides },
  });
  const admin = { name: 'test setup', role: 'operator' as Role };
  const tokens = {} as Record<ConsoleRole, string>;
  const names = {} as Record<ConsoleRole, string>;
  const participants = await gateway.registry.listParticipants(admin, { status: 'active' });
  for (const role of ['operator', 'coordinator', 'auditor', 'participant'] as const) {
    names[role] = `${role} Ivanova`;
    tokens[role] = (
      await gateway.registry.createToken(
        admin,
        names[role],
        role,
        role === 'participant' ? { participantId: participants[0]!.id } : {},
      )
    ).token;
  }
  const browser = await launchChromium();
  return { gateway, browser, tokens, names };
}

export async function stopConsoleWorld(world: ConsoleWorld | undefined): Promise<void> {
  await world?.browser.close();
  await world?.gateway.stop();
}

/** A fresh browser context (its own cookies) signed in with `token`; the page is left on the dashboard. */
export async function signIn(
  world: ConsoleWorld,
  token: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await world.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${world.gateway.url}/console/sign-in`);
  await page.getByLabel(/API-токен|API token/).fill(token);
  await page.getByRole('button', { name: /Войти|Sign in/ }).click();
  await page.waitForURL(/\/console\/dashboard/);
  return { context, page };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * axe-core's serious and critical violations on the page. Its source is evaluated through the DevTools protocol,
 * which the page's policy (no script at all) does not govern.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: AxeViolation[] }> } })
      .axe;
    return (await axe.run()).violations;
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
