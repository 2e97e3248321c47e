/**
 * Remote providers that misbehave, over real sockets, against the gateway as `npm start` runs it: each sample
 * system's ping is routed (`remote:<url>`) to a local upstream that hangs (silent, or stalled halfway through its
 * answer), drops the connection, answers garbage, or fails until told otherwise. The consumer gets the catalogue's fault (ProviderTimeout or ProviderFailure,
 * both `SMEVFailure` on the wire, with the cause as the detail code) within the provider deadline; the circuit
 * breaker opens after its threshold, fails calls fast without touching the upstream, lets one trial through
 * after its cool-down and closes on success; the built-in services keep answering throughout; nothing crashes,
 * and every exchange, faults included, is in a message log that verifies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openCliContext } from '../../src/cli/context.js';
import { openStore } from '../../src/store/store.js';
import { PROVIDER_NS } from '../../src/providers/remote/wire.js';
import { spawnGateway, type ChildGateway } from '../support/child-gateway.js';
import { sendItem, Workload, type Sent } from '../support/workload.js';
import { expectLogsVerify, sleep, withStore } from './support.js';

const PING_NS = 'urn://smev-gateway/services/ping/1.0';
/** The remote provider's own time limit, and the exchange deadline above it. */
const REMOTE_TIMEOUT_MS = 2_000;
const PROVIDER_TIMEOUT_MS = 4_000;
const BREAKER = { failureThreshold: 3, coolDownMs: 2_000 };
/** Slack for a busy machine on top of a deadline. */
const SLACK_MS = 1_500;

/** Which upstream behaviour each sample system's ping is routed to. */
const ROUTED = {
  DEMO_CONSUMER: 'hang',
  SOCPROTECT_47: 'reset',
  SOCCARD_28: 'garbage',
  PORTAL_26: 'flaky',
} as const;

const answer = (text: string) =>
  `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><pd:ProvideDataResponse xmlns:pd="${PROVIDER_NS}"><pd:Content><p:PingResponse xmlns:p="${PING_NS}"><p:Text>remote ${text}</p:Text><p:ReceivedAt>2026-01-01T00:00:00Z</p:ReceivedAt></p:PingResponse></pd:Content></pd:ProvideDataResponse></soap:Body></soap:Envelope>`;

describe('fault: remote providers that hang, reset or answer garbage (real sockets, real CLI)', function () {
  this.timeout(120_000);
  const calls: Record<string, number> = { hang: 0, reset: 0, garbage: 0, flaky: 0 };
  let flakyHealthy = false;
  let upstream: Server;
  let gateway: ChildGateway | undefined;
  let dir: string;
  let configFile: string;
  const workload = new Workload();
  const exchanges: Sent[] = [];

  const send = async (kind: 'ping' | 'certificate-status', system?: string): Promise<Sent> => {
    const sent = await sendItem(gateway!.endpoint, workload.next(kind, system), 30_000);
    exchanges.push(sent);
    return sent;
  };
  const ping = (system: keyof typeof ROUTED) => send('ping', system);

  before(async () => {
    upstream = createServer((request: IncomingMessage, response: ServerResponse) => {
      const behaviour = (request.url ?? '').slice(1);
      calls[behaviour] = (calls[behaviour] ?? 0) + 1;
      request.resume();
      request.on('end', () => {
        // Never answers: every other call not a byte, the others the headers and half an answer, then nothing.
        if (behaviour === 'hang') {
          if (calls.hang! % 2 === 0)
            response.writeHead(200, { 'content-type': 'text/xml' }).write(answer('hang').slice(0, 100));
          return;
        }
        if (behaviour === 'reset') return void request.socket.destroy();
        if (behaviour === 'garbage')
          return void response.writeHead(200, { 'content-type': 'text/xml' }).end('<<<this is not XML');
        if (behaviour === 'flaky' && !flakyHealthy)
          return void response.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
        response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(answer(behaviour));
      });
    });
    upstream.listen(0, '127.0.0.1');
    await new Promise((resolve) => upstream.once('listening', resolve));
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

    dir = mkdtempSync(join(tmpdir(), 'smev-gateway-remote-fault-'));
    configFile = join(dir, 'gateway.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        store: { sqliteFile: join(dir, 'gateway.db') },
        limits: { providerTimeoutMs: PROVIDER_TIMEOUT_MS },
        services: {
          remote: {
            messageTypes: [`{${PING_NS}}PingRequest`],
            timeoutMs: REMOTE_TIMEOUT_MS,
            breaker: BREAKER,
          },
        },
      }),
    );
    // The store as the gateway's first start leaves it (the CLI never makes one); then the operator reroutes
    // each system's ping, as `routes withdraw` and `routes add` do (audited).
    await (await openStore({ sqliteFile: join(dir, 'gateway.db') })).close();
    const ctx = await openCliContext(configFile);
    try {
      const operator = { name: 'fault test', role: 'operator' as const };
      for (const route of await ctx.registry.listRoutes(operator)) {
        const behaviour = ROUTED[route.consumer as keyof typeof ROUTED];
        if (route.localName !== 'PingRequest' || !behaviour) continue;
        await ctx.registry.withdrawRoute(operator, route.id);
        await ctx.registry.addRoute(operator, {
          consumer: route.consumer,
          namespace: PING_NS,
          localName: 'PingRequest',
          recipient: route.recipient,
          provider: `remote:${base}/${behaviour}`,
        });
      }
    } finally {
      await ctx.close();
    }
    gateway = await spawnGateway({ env: { SMEV_GATEWAY_CONFIG: configFile } });
    for (let i = 0; i < 3; i++) await send('certificate-status'); // first exchanges compile the code paths
  });

  after(async () => {
    await gateway?.kill();
    upstream?.closeAllConnections();
    upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a hanging upstream: ProviderTimeout within the deadline, while the built-in services keep answering', async () => {
    const started = performance.now();
    const hung = Array.from({ length: 6 }, () => ping('DEMO_CONSUMER'));
    await sleep(100);
    const others = await Promise.all(
      Array.from({ length: 5 }, async () => ({
        ...(await send('certificate-status')),
        at: performance.now(),
      })),
    );
    const timedOut = await Promise.all(hung);
    const hungDone = started + Math.min(...timedOut.map((s) => s.ms));

    for (const sent of timedOut) {
      expect(sent.status).to.equal(500);
      expect(sent.outcome).to.deep.equal({ kind: 'fault', code: 'SMEVFailure/Timeout' });
      expect(sent.ms).to.be.within(REMOTE_TIMEOUT_MS - 100, REMOTE_TIMEOUT_MS + SLACK_MS);
    }
    expect(others.map((s) => s.outcome.kind)).to.deep.equal(Array(5).fill('answer'));
    expect(
      others.every((s) => s.at < hungDone),
      `the built-in service answered while the remote calls hung (answers took ${others.map((s) => s.ms.toFixed(0)).join(', ')} ms)`,
    ).to.equal(true);
  });

  it('a connection reset: ProviderFailure/Connection, not retried for a request that is not idempotent', async () => {
    const before = calls.reset!;
    const sent = await ping('SOCPROTECT_47');
    expect(sent.status).to.equal(500);
    expect(sent.outcome).to.deep.equal({ kind: 'fault', code: 'SMEVFailure/Connection' });
    expect(sent.body).to.contain('not retried');
    expect(calls.reset! - before).to.equal(1);
  });

  it('a garbage answer: ProviderFailure/MalformedAnswer', async () => {
    const sent = await ping('SOCCARD_28');
    expect(sent.status).to.equal(500);
    expect(sent.outcome).to.deep.equal({ kind: 'fault', code: 'SMEVFailure/MalformedAnswer' });
  });

  it('the circuit breaker opens after its threshold, fails fast, and closes after a good trial', async () => {
    for (let i = 0; i < BREAKER.failureThreshold; i++) {
      const sent = await ping('PORTAL_26');
      expect(sent.outcome).to.deep.equal({ kind: 'fault', code: 'SMEVFailure/HttpStatus' });
    }
    const reached = calls.flaky!;
    for (let i = 0; i < 3; i++) {
      const sent = await ping('PORTAL_26');
      expect(sent.outcome).to.deep.equal({ kind: 'fault', code: 'SMEVFailure/CircuitOpen' });
      expect(sent.ms, 'an open circuit fails fast').to.be.below(SLACK_MS);
    }
    expect(calls.flaky, 'an open circuit does not call the upstream').to.equal(reached);

    // After the cool-down one trial goes through; it fails, so the circuit opens again at once.
    await sleep(BREAKER.coolDownMs + 200);
    expect((await ping('PORTAL_26')).outcome).to.deep.equal({
      kind: 'fault',
      code: 'SMEVFailure/HttpStatus',
    });
    expect((await ping('PORTAL_26')).outcome).to.deep.equal({
      kind: 'fault',
      code: 'SMEVFailure/CircuitOpen',
    });
    expect(calls.flaky).to.equal(reached + 1);

    // The upstream recovers: the next trial closes the circuit and calls flow again.
    flakyHealthy = true;
    await sleep(BREAKER.coolDownMs + 200);
    for (let i = 0; i < 3; i++) {
      const sent = await ping('PORTAL_26');
      expect(sent.status, sent.body.slice(0, 300)).to.equal(200);
      expect(sent.outcome.kind).to.equal('answer');
      expect(sent.body).to.contain('remote flaky');
    }
    expect(calls.flaky).to.equal(reached + 4);
  });

  it('nothing crashed, and every exchange is in a message log that verifies', async () => {
    expect(gateway!.alive(), gateway!.output()).to.equal(true);
    expect((await send('certificate-status')).outcome.kind).to.equal('answer');
    expect(await gateway!.stop(), 'SIGTERM exit code').to.equal(0);
    await withStore({ sqliteFile: join(dir, 'gateway.db') }, async (store) => {
      const rows = await store.db
        .selectFrom('message_log')
        .select(['message_id', 'http_status', 'fault_code'])
        .execute();
      const byId = new Map(rows.map((r) => [r.message_id, r]));
      for (const sent of exchanges) {
        const row = byId.get(sent.item.messageId);
        expect(row, `no record of ${sent.item.kind} ${sent.item.messageId}`).to.not.equal(undefined);
        expect(Number(row!.http_status)).to.equal(sent.status);
      }
    });
    expectLogsVerify({ SMEV_GATEWAY_CONFIG: configFile });
  });
});
