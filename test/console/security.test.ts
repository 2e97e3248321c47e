/**
 * The console's defences, over plain HTTP as an attacker would send it: changes without a session or without the
 * CSRF token are refused and change nothing; the session cookie is HttpOnly and SameSite=Strict (Secure and
 * `__Host-` over TLS) and only its hash is stored; roles are refused what they may not do; a session ends on
 * sign-out, on revoking its token, and after the idle time-out (seen in Chromium). Pages carry no script and a
 * policy that allows none.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { expect } from 'chai';
import { createUnsignedAuditTrail } from '../../src/audit/setup.js';
import { consoleRouter } from '../../src/console/router.js';
import { csrfIn, http, httpSignIn as signInOverHttp, pair } from './http.js';
import { signIn, startConsoleWorld, stopConsoleWorld, type ConsoleWorld } from './support.js';

describe('console: security', function () {
  this.timeout(120_000);
  let world: ConsoleWorld;
  before(async () => {
    world = await startConsoleWorld({ overrides: { 'console.sessionIdleMinutes': 0.05 } });
  });
  after(() => stopConsoleWorld(world));

  const httpSignIn = (token: string) => signInOverHttp(world.gateway.url, token);

  const routeForm = (localName: string) => ({
    consumer: 'DEMO_CONSUMER',
    namespace: 'urn://example/console/1.0',
    localName,
    recipient: 'PORTAL_26',
    provider: 'queue',
  });
  const routeNamed = async (localName: string) =>
    (await world.gateway.registry.listRoutes({ name: 'test', role: 'operator' })).some(
      (r) => r.localName === localName,
    );

  it('sets an HttpOnly, SameSite=Strict session cookie and stores only its SHA-256', async () => {
    const { cookie, setCookie } = await httpSignIn(world.tokens.operator);
    expect(setCookie)
      .to.match(/; HttpOnly/i)
      .and.to.match(/; SameSite=Strict/i)
      .and.not.to.match(/; Secure/i);
    const id = cookie.slice('console_session='.length);
    const rows = await world.gateway.store.db.selectFrom('console_sessions').selectAll().execute();
    expect(rows.map((r) => r.id_hash)).to.include(createHash('sha256').update(id).digest('hex'));
    expect(JSON.stringify(rows)).not.to.contain(id);
  });

  it('refuses a change without a session (401) and without or with a wrong CSRF token (403); nothing changes', async () => {
    const { cookie, csrf } = await httpSignIn(world.tokens.operator);
    const none = await http(`${world.gateway.url}/console/routes`, {
      form: { ...routeForm('NoSession'), _csrf: csrf },
    });
    expect(none.status).to.equal(401);
    const noToken = await http(`${world.gateway.url}/console/routes`, { cookie, form: routeForm('NoCsrf') });
    expect(noToken.status).to.equal(403);
    const wrong = await http(`${world.gateway.url}/console/routes`, {
      cookie,
      form: { ...routeForm('WrongCsrf'), _csrf: csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) },
    });
    expect(wrong.status).to.equal(403);
    expect(wrong.text).to.contain('Форма устарела');
    for (const name of ['NoSession', 'NoCsrf', 'WrongCsrf'])
      expect(await routeNamed(name), name).to.equal(false);
    // The same form with the token goes through.
    const ok = await http(`${world.gateway.url}/console/routes`, {
      cookie,
      form: { ...routeForm('WithCsrf'), _csrf: csrf },
    });
    expect(ok.status).to.equal(303);
    expect(await routeNamed('WithCsrf')).to.equal(true);
    // Sign-in itself needs the pre-session token.
    const bare = await http(`${world.gateway.url}/console/sign-in`, {
      form: { token: world.tokens.operator },
    });
    expect(bare.status).to.equal(403);
    expect(bare.cookies.some((c) => c.startsWith('console_session='))).to.equal(false);
  });

  it('sends pages without a session to sign-in, and refuses bad tokens and participant tokens', async () => {
    const page = await http(`${world.gateway.url}/console/log`);
    expect(page.status).to.equal(303);
    expect(page.location).to.equal('/console/sign-in');
    const form = await http(`${world.gateway.url}/console/sign-in`);
    const pre = pair(form.cookies.find((c) => c.startsWith('console_presession='))!);
    const bad = await http(`${world.gateway.url}/console/sign-in`, {
      cookie: pre,
      form: { _csrf: csrfIn(form.text), token: 'sgw_nope' },
    });
    expect(bad.status).to.equal(401);
    expect(bad.text).not.to.contain('sgw_nope');
    const participant = await http(`${world.gateway.url}/console/sign-in`, {
      cookie: pre,
      form: { _csrf: csrfIn(form.text), token: world.tokens.participant },
    });
    expect(participant.status).to.equal(403);
    expect(participant.cookies.some((c) => c.startsWith('console_session='))).to.equal(false);
  });

  it('refuses each role what the admin API refuses it, with the 403 page', async () => {
    const auditor = await httpSignIn(world.tokens.auditor);
    for (const path of ['/console/participants', '/console/systems', '/console/routes', '/console/tokens']) {
      const answer = await http(`${world.gateway.url}${path}`, { cookie: auditor.cookie });
      expect(answer.status, path).to.equal(403);
      expect(answer.text).to.contain('Доступ запрещён');
    }
    const change = await http(`${world.gateway.url}/console/routes`, {
      cookie: auditor.cookie,
      form: { ...routeForm('ByAuditor'), _csrf: auditor.csrf },
    });
    expect(change.status).to.equal(403);
    expect(await routeNamed('ByAuditor')).to.equal(false);
    const operator = await httpSignIn(world.tokens.operator);
    for (const path of [
      '/console/log',
      '/console/audit',
      '/console/log/export?from=2020-01-01T00:00&to=2030-01-01T00:00',
    ]) {
      expect((await http(`${world.gateway.url}${path}`, { cookie: operator.cookie })).status, path).to.equal(
        403,
      );
    }
    const verify = await http(`${world.gateway.url}/console/audit/verify`, {
      cookie: operator.cookie,
      form: { _csrf: operator.csrf },
    });
    expect(verify.status).to.equal(403);
  });

  it('serves pages with no script and a policy that allows none; escapes what it shows', async () => {
    const operator = await httpSignIn(world.tokens.operator);
    const page = await http(
      `${world.gateway.url}/console/whereabouts?messageId=%3Cscript%3Ealert(1)%3C/script%3E`,
      {
        cookie: operator.cookie,
      },
    );
    expect(page.csp)
      .to.contain("default-src 'none'")
      .and.contain("style-src 'self'")
      .and.not.contain('script-src');
    expect(page.text).not.to.match(/<script/i);
    expect(page.text).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('ends a session on sign-out and when its token is revoked', async () => {
    const first = await httpSignIn(world.tokens.operator);
    const out = await http(`${world.gateway.url}/console/sign-out`, {
      cookie: first.cookie,
      form: { _csrf: first.csrf },
    });
    expect(out.status).to.equal(303);
    expect((await http(`${world.gateway.url}/console/dashboard`, { cookie: first.cookie })).status).to.equal(
      303,
    );

    const made = await world.gateway.registry.createToken(
      { name: 'setup', role: 'operator' },
      'short-lived',
      'operator',
    );
    const second = await httpSignIn(made.token);
    expect((await http(`${world.gateway.url}/console/dashboard`, { cookie: second.cookie })).status).to.equal(
      200,
    );
    await world.gateway.registry.revokeToken({ name: 'setup', role: 'operator' }, made.id);
    expect((await http(`${world.gateway.url}/console/dashboard`, { cookie: second.cookie })).status).to.equal(
      303,
    );
  });

  it('ends an idle session: the next page asks to sign in again (in Chromium)', async () => {
    const { context, page } = await signIn(world, world.tokens.auditor);
    try {
      await page.goto(`${world.gateway.url}/console/log`);
      expect(await page.locator('h1').textContent()).to.equal('Журнал сообщений');
      // The idle time is 0.05 minutes (3 s) here.
      await new Promise((resolve) => setTimeout(resolve, 3500));
      await page.goto(`${world.gateway.url}/console/log`);
      expect(page.url()).to.match(/\/console\/sign-in\?expired=1$/);
      expect(await page.getByRole('status').textContent()).to.contain('Сеанс завершён');
    } finally {
      await context.close();
    }
  });

  it('marks the cookie Secure and names it __Host- when served over TLS', async () => {
    const app = express();
    app.use(
      '/console',
      consoleRouter({
        store: world.gateway.store,
        registry: world.gateway.registry,
        trail: createUnsignedAuditTrail(world.gateway.store),
        sessionIdleMinutes: 15,
        sessionMaxHours: 12,
        https: true,
        log: world.gateway.log,
      }),
    );
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const form = await http(`${base}/console/sign-in`);
      const pre = pair(form.cookies.find((c) => c.startsWith('console_presession='))!);
      expect(form.cookies.join()).to.match(/Secure/);
      const signedIn = await http(`${base}/console/sign-in`, {
        cookie: pre,
        form: { _csrf: csrfIn(form.text), token: world.tokens.auditor },
      });
      const session = signedIn.cookies.find((c) => c.startsWith('__Host-console_session='));
      expect(session)
        .to.match(/; Secure/i)
        .and.to.match(/; HttpOnly/i)
        .and.to.match(/; Path=\//);
    } finally {
      server.close();
    }
  });

  it('speaks English with ?lang=en and keeps it in a cookie', async () => {
    const english = await http(`${world.gateway.url}/console/sign-in?lang=en`);
    expect(english.text).to.contain('<html lang="en">').and.contain('Sign in');
    const lang = pair(english.cookies.find((c) => c.startsWith('console_lang='))!);
    const again = await http(`${world.gateway.url}/console/sign-in`, { cookie: lang });
    expect(again.text).to.contain('<html lang="en">');
    expect((await http(`${world.gateway.url}/console/sign-in`)).text).to.contain('<html lang="ru">');
  });
});
