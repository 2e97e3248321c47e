/**
 * Bad requests to the admin API are answered with every problem at once: each bad field of an application (schema
 * and check digits alike), and a body sent without `Content-Type: application/json` is told so.
 */
import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { useGateway } from '../support/gateway.js';
import type { RegistryError } from '../../src/registry/errors.js';
import { innWithCheckDigit, ogrnWithCheckDigit } from '../../src/registry/seed.js';
import { storeRouteApplication } from './support.js';

describe('admin API input errors', function () {
  this.timeout(60_000);
  let token: string;

  const gateway = useGateway({ store: 'sqlite' });
  before(async () => {
    token = (await gateway.registry.createToken({ name: 'test', role: 'operator' }, 'op', 'operator')).token;
  });

  const send = (path: string, body: string, contentType?: string, method = 'POST') =>
    fetch(`${gateway.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(contentType ? { 'content-type': contentType } : {}) },
      // Bytes, so fetch adds no Content-Type of its own (it would call a string text/plain).
      body: new TextEncoder().encode(body),
    });

  const application = {
    fullName: 'Org',
    shortName: 'ORG',
    legalForm: 'state institution',
    ogrn: ogrnWithCheckDigit('102770000901'),
    inn: innWithCheckDigit('770000901'),
    address: 'Address',
    head: 'Head',
    contact: { name: 'C', position: 'officer', phone: '+7 912 345-67-89', email: 'c@example.org' },
  };

  it('names every bad field of an application at once, schema problems and check digits alike', async () => {
    const bad = {
      ...application,
      ogrn: '1027700000000',
      inn: '7700000000',
      address: undefined,
      colour: 'blue',
      contact: { ...application.contact, email: 'not an address' },
    };
    const response = await send('/applications', JSON.stringify(bad), 'application/json');
    expect(response.status).to.equal(400);
    const body = (await response.json()) as { error: string; field: string; problems: { field: string }[] };
    expect(body.problems.map((p) => p.field).sort()).to.deep.equal(
      ['address', 'colour', 'contact.email', 'inn', 'ogrn'].sort(),
    );
    expect(body.field).to.equal(body.problems[0]?.field);
    for (const field of ['address', 'colour', 'contact.email', 'inn', 'ogrn']) {
      expect(body.error).to.include(`${field}: `);
    }
    // Nothing was entered.
    const listed = (await (
      await fetch(`${gateway.url}/api/v1/participants`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { ogrn: string }[];
    expect(listed.map((p) => p.ogrn)).not.to.include('1027700000000');
  });

  it('names every bad field of a route at once', async () => {
    const response = await send(
      '/routes',
      JSON.stringify({ consumer: 'DEMO_CONSUMER', namespace: '', localName: '1bad', provider: 'ftp:x' }),
      'application/json',
    );
    expect(response.status).to.equal(400);
    const body = (await response.json()) as { problems: { field: string }[] };
    expect(body.problems.map((p) => p.field).sort()).to.deep.equal(
      ['localName', 'namespace', 'provider', 'recipient'].sort(),
    );
  });

  it('refuses a route or an application whose queue name would exceed the official 200 characters', async () => {
    const namespace = `urn://example.org/${'q'.repeat(150)}/1.0`;
    // {namespace}localName: 2 + 172 + localName; 26 characters make 200, 27 make 201.
    const fits = 'L'.repeat(200 - 2 - namespace.length);
    const route = { consumer: 'DEMO_CONSUMER', namespace, recipient: 'SOCPROTECT_47', provider: 'queue' };
    const application = { consumer: 'PORTAL_26', namespace, recipient: 'SMEV_GATEWAY' };
    for (const [path, body] of [
      ['/routes', route],
      ['/route-applications', application],
    ] as const) {
      const refused = await send(
        path,
        JSON.stringify({ ...body, localName: `${fits}L` }),
        'application/json',
      );
      expect(refused.status, path).to.equal(400);
      const { problems } = (await refused.json()) as { problems: { field: string; message: string }[] };
      expect(problems, path).to.have.length(1);
      expect(problems[0]?.field).to.equal('localName');
      expect(problems[0]?.message).to.match(/queue of 201 characters.*at most 200/);
    }
    // Counted in characters as the schema counts them: an astral character is one, not two UTF-16 units.
    const astral = {
      ...route,
      namespace: `${namespace.slice(0, -4)}\u{1F600}/1.0`,
      localName: fits.slice(1),
    };
    expect((await send('/routes', JSON.stringify(astral), 'application/json')).status).to.equal(201);
    const accepted = await send('/routes', JSON.stringify({ ...route, localName: fits }), 'application/json');
    expect(accepted.status).to.equal(201);
  });

  it('refuses at approval an application stored with too long a queue name', async () => {
    const namespace = `urn://example.org/${'a'.repeat(180)}/1.0`;
    const operator = { name: 'op', role: 'operator' as const };
    const id = '00000000-0000-4000-8000-000000000001';
    await storeRouteApplication(gateway.store, {
      id,
      namespace,
      localName: 'TooLongForItsQueue',
      appliedBy: 'old',
    });
    let refused: unknown;
    await gateway.registry.routeApplications
      .approve(operator, id, {})
      .catch((error: unknown) => (refused = error));
    expect((refused as RegistryError).field).to.equal('localName');
  });

  it('refuses control characters in text a person will read, naming the field; a namespace must be a URI', async () => {
    const problemsOf = async (path: string, body: object) => {
      const response = await send(path, JSON.stringify(body), 'application/json');
      expect(response.status, path).to.equal(400);
      return ((await response.json()) as { problems: { field: string; message: string }[] }).problems;
    };
    const routeApplication = { consumer: 'PORTAL_26', localName: 'Hostile', recipient: 'SMEV_GATEWAY' };
    const hostile = 'urn:x\u001b]0;owned-title\u0007\u001b[2J\u001b[32mALL APPROVED\u001b[8m';
    for (const namespace of [hostile, 'urn:x\u009b2J', 'urn:x\u202etxt.exe', 'not a uri', '']) {
      expect(
        await problemsOf('/route-applications', { ...routeApplication, namespace }),
        namespace,
      ).to.deep.equal([
        {
          field: 'namespace',
          message:
            'must be a URI with its scheme, such as urn://example/service/1.0, without spaces or control characters',
        },
      ]);
    }
    expect(await problemsOf('/applications', { ...application, shortName: 'ORG\u001b[8m' })).to.deep.equal([
      { field: 'shortName', message: 'must not contain control characters' },
    ]);
    expect(
      await problemsOf('/systems/PORTAL_26/suspend', { reason: 'audit\nverdict: intact' }),
    ).to.deep.equal([{ field: 'reason', message: 'must not contain control characters' }]);
    // The console and the command line give a reason to the registry directly: it is checked there too.
    const operator = { name: 'op', role: 'operator' as const };
    let refused: unknown;
    await gateway.registry
      .setSystemStatus(operator, 'PORTAL_26', 'suspended', 'x\u001b[2J')
      .catch((error: unknown) => (refused = error));
    expect((refused as RegistryError).field).to.equal('reason');
  });

  it('tells a body without Content-Type: application/json what it lacks', async () => {
    for (const contentType of [undefined, 'application/x-www-form-urlencoded', 'text/plain']) {
      const response = await send('/applications', JSON.stringify(application), contentType);
      expect(response.status).to.equal(415);
      const body = (await response.json()) as { error: string };
      expect(body.error).to.include('Content-Type: application/json');
      expect(body.error).to.include(contentType ?? 'no Content-Type');
    }
    // JSON with its charset is JSON.
    const accepted = await send(
      '/applications',
      JSON.stringify(application),
      'application/json; charset=utf-8',
    );
    expect(accepted.status).to.equal(201);
  });

  it('tells malformed JSON apart from a missing type', async () => {
    const response = await send('/applications', '{"fullName": ', 'application/json');
    expect(response.status).to.equal(400);
    expect(((await response.json()) as { error: string }).error).to.match(/^malformed JSON: /);
  });

  it('answers a body in another charset or coding with 415 and what is wrong, not an internal error', async () => {
    const latin1 = await send(
      '/systems/DEMO_CONSUMER/suspend',
      '{"reason":"x"}',
      'application/json; charset=latin1',
    );
    expect(latin1.status).to.equal(415);
    expect(((await latin1.json()) as { error: string }).error).to.match(/charset/i);
    const brotli = await fetch(`${gateway.url}/api/v1/systems/DEMO_CONSUMER/suspend`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-encoding': 'compress',
      },
      body: gzipSync('{"reason":"x"}'),
    });
    expect(brotli.status).to.equal(415);
    expect(((await brotli.json()) as { error: string }).error).to.match(/encoding/i);
  });

  it('refuses an action that every object inherits (toString, __proto__) as unknown, changing nothing', async () => {
    for (const action of ['toString', '__proto__', 'constructor', 'valueOf']) {
      const response = await send(`/systems/PORTAL_26/${action}`, '{"reason":"x"}', 'application/json');
      expect(response.status, action).to.equal(404);
      expect(((await response.json()) as { error: string }).error).to.include('there is no system action');
    }
    const systems = (await (
      await fetch(`${gateway.url}/api/v1/systems`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { mnemonic: string; status: string }[];
    expect(systems.find((s) => s.mnemonic === 'PORTAL_26')?.status).to.equal('active');
  });

  it('answers a path that does not percent-decode with 400 JSON, without a stack trace', async () => {
    for (const path of ['/api/v1/participants/%E0%A4%A', '/attachments/%E0%A4%A', '/registry/%E0%A4%A']) {
      const response = await fetch(`${gateway.url}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status, path).to.equal(400);
      expect(response.headers.get('content-type'), path).to.match(/^application\/json/);
      const text = await response.text();
      expect(text, path).not.to.match(/node_modules|at \w+ \(|URIError/);
      expect((JSON.parse(text) as { error: string }).error, path).to.match(/decode/);
    }
  });
});
