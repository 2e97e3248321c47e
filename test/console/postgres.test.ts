/**
 * The console on PostgreSQL: sessions, the dashboard's per-minute figures and the log search work on the store
 * the gateway's workers share there too, and a second gateway on the same schema (another worker) honours a
 * session the first one opened.
 */
import { expect } from 'chai';
import { post, signedCall, startTestGateway, type TestGateway } from '../support/gateway.js';
import { dropSchema } from '../support/store.js';
import { signIn, startConsoleWorld, stopConsoleWorld, type ConsoleWorld } from './support.js';

describe('console: on PostgreSQL', function () {
  this.timeout(120_000);
  let world: ConsoleWorld;
  let second: TestGateway | undefined;
  // Named here, so that a second instance can share it; dropped at the end.
  const schema = `console_${process.pid}_${Date.now()}`;
  before(async () => {
    world = await startConsoleWorld({ store: 'postgres', schema });
  });
  after(async () => {
    await second?.stop();
    await stopConsoleWorld(world);
    await dropSchema(schema);
  });

  it('signs in, counts the exchange on the dashboard and finds it in the log; another instance knows the session', async () => {
    await post(world.gateway, signedCall().xml);
    const { context, page } = await signIn(world, world.tokens.auditor);
    try {
      const total = page.locator('section', { hasText: 'Обмены и ошибки' }).locator('p.muted');
      expect(await total.textContent()).to.match(/обмены: 1\b/);
      await page.goto(`${world.gateway.url}/console/log?sender=DEMO_CONSUMER`);
      expect(await page.locator('tbody tr').count()).to.equal(1);

      // Cookies are kept per host, not per port: the browser sends the session to the second instance too.
      second = await startTestGateway({
        store: 'postgres',
        schema,
        overrides: { 'http.rateLimit.admin': 0 },
      });
      await page.goto(`${second.url}/console/log?sender=DEMO_CONSUMER`);
      expect(await page.locator('h1').textContent()).to.equal('Журнал сообщений');
    } finally {
      await context.close();
    }
  });
});
