/**
 * Control characters in a request's path or query are the client's error, on either store: refused with 400
 * before any router reads them (a NUL is text PostgreSQL cannot keep), text the store refuses anyway is a 400 too,
 * and a request that fails on the gateway's side is logged with its stack. SOAP messages still get SOAP answers.
 */
import { expect } from 'chai';
import { sql } from 'kysely';
import { clientErrorOf } from '../../src/store/errors.js';
import { httpSignIn, http } from '../console/http.js';
import { post, signedCall, useGateway } from '../support/gateway.js';
import { STORES, useStore } from '../support/store.js';
import { captureLines } from '../support/log-lines.js';

for (const kind of STORES) {
  describe(`requests with control characters (${kind})`, function () {
    this.timeout(60_000);
    const gateway = useGateway({ store: kind, overrides: { 'http.rateLimit.admin': 0 } });
    const tokens: Record<string, string> = {};
    const setup = { name: 'test setup', role: 'operator' as const };
    before(async () => {
      for (const role of ['operator', 'auditor'] as const) {
        tokens[role] = (await gateway.registry.createToken(setup, `plain ${role}`, role)).token;
      }
    });
    const api = (method: string, path: string, role = 'operator') =>
      fetch(`${gateway.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${tokens[role]}` } });

    it('refuses them in the admin API with 400, wherever they are', async () => {
      for (const [method, path, role] of [
        ['GET', '/participants/%00', 'operator'],
        ['GET', '/messages?fault=%00', 'auditor'],
        ['GET', '/messages?fault=a&fault=%00', 'auditor'],
        ['GET', '/messages?fa%00ult=1', 'auditor'],
        ['GET', '/systems/%00/certificates', 'operator'],
        ['POST', '/systems/%00/suspend', 'operator'],
        ['DELETE', '/routes/%00', 'operator'],
        ['GET', '/participants/%E2%80%AEx', 'operator'],
        ['GET', '/participants?status=%1B%5B2J', 'operator'],
      ] as const) {
        const response = await api(method, path, role);
        expect(response.status, `${method} ${path}`).to.equal(400);
        expect(((await response.json()) as { error: string }).error).to.match(
          /must not contain control characters/,
        );
      }
      // An ordinary unknown name is still a 404.
      expect((await api('GET', '/participants/nope')).status).to.equal(404);
    });

    it('refuses them in the console with 400', async () => {
      const { cookie } = await httpSignIn(gateway.url, tokens.auditor!);
      for (const path of [
        '/console/log?messageId=%00',
        '/console/log/1@%00',
        '/console/whereabouts?messageId=%00',
      ]) {
        expect((await http(`${gateway.url}${path}`, { cookie })).status, path).to.equal(400);
      }
    });

    it('refuses a schema name with them instead of echoing it, and answers SOAP messages as before', async () => {
      const schema = await fetch(`${gateway.endpoint}?xsd=a%1B%5B2Jb`);
      expect(schema.status).to.equal(400);
      expect(await schema.text()).not.to.include('\u001b');
      // The endpoint ignores a POST's query: the message is answered as SOAP, at any spelling of its path.
      for (const path of ['/ws?x=%00', '/ws/?x=%00', '/WS?x=%00']) {
        const response = await fetch(`${gateway.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: 'urn:Call' },
          body: signedCall().xml,
        });
        expect(response.status, path).to.equal(200);
        expect(await response.text()).to.include('Envelope');
      }
      expect((await post(gateway, signedCall().xml)).status).to.equal(200);
    });

    it('logs a request that failed on the gateway side, with its stack, in the admin API and the console', async () => {
      const registry = gateway.registry;
      const listParticipants = registry.listParticipants.bind(registry);
      const { cookie } = await httpSignIn(gateway.url, tokens.operator!);
      const lines = captureLines(gateway.log);
      registry.listParticipants = () => Promise.reject(new Error('the store went away'));
      try {
        const answer = await api('GET', '/participants');
        expect(answer.status).to.equal(500);
        expect(await answer.json()).to.deep.equal({ error: 'internal error' });
        expect((await http(`${gateway.url}/console/participants`, { cookie })).status).to.equal(500);
      } finally {
        registry.listParticipants = listParticipants;
        gateway.log.silent = true;
      }
      const failures = lines.map((line) => JSON.parse(line) as Record<string, string>);
      expect(failures.map((f) => [f.message, f.path, f.error])).to.deep.equal([
        ['request failed', '/api/v1/participants', 'the store went away'],
        ['request failed', '/console/participants', 'the store went away'],
      ]);
      for (const failure of failures) expect(failure.stack).to.include('Error: the store went away');
    });
  });
}

describe('text PostgreSQL cannot keep', () => {
  const store = useStore('postgres');
  /** The error the store raised for `query`, or undefined. */
  const refusal = (query: { execute(db: typeof store.db): Promise<unknown> }) =>
    query.execute(store.db).then(
      () => undefined,
      (error: unknown) => error,
    );

  it("is the client's error in text and in JSON, whatever brought it", async () => {
    const inText = await refusal(sql`select ${'a\u0000b'}::text as t`);
    const inJson = await refusal(sql`select ${'{"a":"\\u0000"}'}::jsonb->>'a' as j`);
    expect([inText, inJson].map((error) => (error as { code?: string }).code)).to.deep.equal([
      '22021',
      '22P05',
    ]);
    for (const error of [inText, inJson]) {
      expect(clientErrorOf(error)).to.deep.equal({
        status: 400,
        message: 'the request carries a character the store cannot keep (such as NUL)',
      });
    }
  });
});
