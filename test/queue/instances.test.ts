/**
 * Several instances on one PostgreSQL: three `serve` processes share one schema; six consumer clients (three
 * systems) and four provider clients (one system taking with GetRequest) exchange QUEUE_TEST_MESSAGES (5,000)
 * messages through all three; one instance is killed with SIGKILL mid-run. At the end every message was
 * answered exactly once by the provider's own count, and every answer was acknowledged by its consumer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createAuditTrail } from '../../src/audit/setup.js';
import { ackXml, readHandedOut, sendRequestXml, sendResponseXml, takeXml } from '../../src/client/queued.js';
import { loadConfig } from '../../src/config/config.js';
import { Registry } from '../../src/registry/registry.js';
import { builtinMessageTypes } from '../../src/providers/builtin.js';
import { seedIfEmpty } from '../../src/registry/seed.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { SOAP11 } from '../../src/soap/version.js';
import { openStore } from '../../src/store/store.js';
import { sampleKey } from '../support/gateway.js';
import { dropSchema, freshSchema, POSTGRES_URL } from '../support/store.js';
import { ANSWER_PAYLOAD, PROVIDER, QUESTION, QUESTION_PAYLOAD } from './support.js';

const MESSAGES = Number(process.env.QUEUE_TEST_MESSAGES ?? 5000);
const CONSUMERS = ['DEMO_CONSUMER', 'PORTAL_26', 'SOCCARD_28'];
const INSTANCES = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

async function serve(port: number, configFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['dist/src/cli/main.js', 'serve'], {
    env: { ...process.env, PORT: String(port), SMEV_GATEWAY_CONFIG: configFile, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}): ${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return child;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`the gateway did not start: ${stderr}`);
}

describe('several instances on one PostgreSQL share the queues (SIGKILL mid-run)', function () {
  this.timeout(20 * 60_000);
  const schema = freshSchema('test_instances');
  const children: ChildProcess[] = [];
  let dir: string;
  after(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(
      children.map((child) =>
        child.exitCode === null && child.signalCode === null ? once(child, 'exit') : undefined,
      ),
    );
    if (dir) rmSync(dir, { recursive: true, force: true });
    await dropSchema(schema);
  });

  it(`every one of ${MESSAGES} messages is answered exactly once and acknowledged`, async () => {
    dir = mkdtempSync(join(tmpdir(), 'smev-gateway-instances-'));
    // The registry with queue routes, made before any instance starts.
    const config = loadConfig({ env: {} });
    const store = await openStore({ databaseUrl: POSTGRES_URL, schema });
    try {
      const registry = new Registry(store, createAuditTrail(store, config), loadTrustStore(config));
      await seedIfEmpty(store, registry, builtinMessageTypes());
      for (const consumer of CONSUMERS) {
        await registry.addRoute(
          { name: 'test', role: 'operator' },
          { consumer, recipient: PROVIDER, ...QUESTION, provider: 'queue' },
        );
      }
    } finally {
      await store.close();
    }
    const configFile = join(dir, 'gateway.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        store: { databaseUrl: POSTGRES_URL, schema },
        queue: { visibilityTimeoutSeconds: 3, statusNotices: false, maxDepth: 0, workerConcurrency: 0 },
        // The requests are signed before the run, which takes minutes on a shared machine.
        replay: { windowSeconds: 3600 },
        // The queues are under test here; the message log has its own crash test.
        messageLog: { enabled: false },
        // Thousands of requests from one address are the load under test, not an abuse to limit.
        http: { rateLimit: { soap: 0 } },
      }),
    );
    const ports: number[] = [];
    for (let i = 0; i < INSTANCES; i++) {
      const port = await freePort();
      children.push(await serve(port, configFile));
      ports.push(port);
    }
    const alive = new Set(ports);

    // Pre-signed requests, dealt to the six consumer clients (two per system).
    const started = performance.now();
    const requests = Array.from({ length: MESSAGES }, (_, i) => {
      const system = CONSUMERS[i % CONSUMERS.length] as string;
      return { system, ...sendRequestXml(SOAP11, sampleKey(system), { payload: QUESTION_PAYLOAD }) };
    });
    const presignMs = performance.now() - started;
    const sentBy = new Map<string, string>();
    const answeredCount = new Map<string, number>();
    const received = new Set<string>();
    const acked = new Set<string>();
    let rr = 0;
    let failedCalls = 0;
    let redeliveries = 0;
    let calls = 0;
    let callMs = 0;

    /** One call to some living instance; undefined when the instance could not be reached. */
    const call = async (xml: string, action: string) => {
      const targets = ports.filter((p) => alive.has(p));
      const port = targets[rr++ % targets.length] as number;
      calls++;
      const t0 = performance.now();
      try {
        const response = await fetch(`http://127.0.0.1:${port}/ws`, {
          method: 'POST',
          headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"` },
          body: xml,
        });
        const result = { status: response.status, body: await response.text() };
        callMs += performance.now() - t0;
        return result;
      } catch {
        failedCalls++;
        return undefined;
      }
    };
    /** Repeat the very same message until some instance takes it (a retry of a lost answer is safe). */
    const deliverOnce = async (xml: string, action: string, accept: (body: string) => boolean) => {
      for (;;) {
        const response = await call(xml, action);
        if (response && (response.status === 200 || accept(response.body))) return response;
        if (response && response.status !== 200 && !response.body.includes('SMEVFailure')) {
          throw new Error(`${action} refused: ${response.body.slice(0, 600)}`);
        }
        await sleep(50);
      }
    };
    const done = () => acked.size >= MESSAGES;

    const consumerClient = async (system: string, mine: typeof requests) => {
      const key = sampleKey(system);
      let next = 0;
      let idle = 0;
      while (!done()) {
        const request = mine[next];
        if (request) {
          next++;
          await deliverOnce(request.xml, 'urn:SendRequest', (body) => body.includes('MessageIsAlreadySent'));
          sentBy.set(request.messageId, system);
        }
        const response = await call(takeXml(SOAP11, key, 'GetResponse'), 'urn:GetResponse');
        const answer = response?.status === 200 ? readHandedOut(response.body) : undefined;
        if (!answer) {
          // Empty queue: wait a little longer each time, so idle polling does not eat the machine.
          if (!request) await sleep(Math.min(250, 20 * ++idle));
          continue;
        }
        idle = 0;
        const original = answer.originalMessageId ?? '';
        if (received.has(original)) redeliveries++;
        received.add(original);
        expect(sentBy.get(original) ?? system, 'an answer goes to its own consumer').to.equal(system);
        await deliverOnce(ackXml(SOAP11, key, answer.messageId), 'urn:Ack', () => false);
        acked.add(original);
      }
    };

    const providerClient = async () => {
      const key = sampleKey(PROVIDER);
      let idle = 0;
      while (!done()) {
        const response = await call(takeXml(SOAP11, key, 'GetRequest'), 'urn:GetRequest');
        const request = response?.status === 200 ? readHandedOut(response.body) : undefined;
        if (!request) {
          await sleep(Math.min(250, 20 * ++idle));
          continue;
        }
        idle = 0;
        const answer = sendResponseXml(SOAP11, key, request.replyTo ?? '', {
          kind: 'answer',
          payload: ANSWER_PAYLOAD,
        });
        let closed = false;
        await deliverOnce(answer.xml, 'urn:SendResponse', (body) => {
          // Answered already by another taker (this one's copy came back after a visibility timeout).
          if (body.includes('TargetMessageIsNotFound')) closed = true;
          return closed || body.includes('MessageIsAlreadySent');
        });
        if (!closed) answeredCount.set(request.messageId, (answeredCount.get(request.messageId) ?? 0) + 1);
        await deliverOnce(ackXml(SOAP11, key, request.messageId), 'urn:Ack', () => false);
      }
    };

    const runStarted = performance.now();
    const clients = [
      ...CONSUMERS.flatMap((system) => {
        const mine = requests.filter((r) => r.system === system);
        const half = Math.ceil(mine.length / 2);
        return [consumerClient(system, mine.slice(0, half)), consumerClient(system, mine.slice(half))];
      }),
      ...Array.from({ length: 4 }, () => providerClient()),
    ];
    // Kill the second instance once a third of the messages made their round trip.
    let killedAt = 0;
    const killer = (async () => {
      while (acked.size < MESSAGES / 3) await sleep(50);
      const victim = children[1] as ChildProcess;
      victim.kill('SIGKILL');
      await once(victim, 'exit');
      alive.delete(ports[1] as number);
      killedAt = acked.size;
    })();
    await Promise.all([...clients, killer]);
    const runMs = performance.now() - runStarted;

    expect(children[1]?.signalCode).to.equal('SIGKILL');
    expect(sentBy.size).to.equal(MESSAGES);
    const notOnce = requests.filter((r) => answeredCount.get(r.messageId) !== 1).map((r) => r.messageId);
    expect(notOnce, 'answered other than exactly once').to.deep.equal([]);
    const unacked = requests.filter((r) => !acked.has(r.messageId)).map((r) => r.messageId);
    expect(unacked, 'not acknowledged by its consumer').to.deep.equal([]);

    // The store agrees: one answer per request, each acknowledged.
    const check = await openStore({ databaseUrl: POSTGRES_URL, schema });
    try {
      const rows = await check.db
        .withTables<{ queue_messages: { kind: string; state: string; request_id: string } }>()
        .selectFrom('queue_messages')
        .select(['kind', 'state', 'request_id'])
        .where('kind', '=', 'response')
        .execute();
      expect(rows.length).to.equal(MESSAGES);
      expect(new Set(rows.map((r) => r.request_id)).size).to.equal(MESSAGES);
      expect(rows.every((r) => r.state === 'acknowledged')).to.equal(true);
    } finally {
      await check.close();
    }
    process.stdout.write(
      `      ${MESSAGES} round trips in ${(runMs / 1000).toFixed(1)} s (${((MESSAGES / runMs) * 1000).toFixed(0)}/s; pre-signing ${(presignMs / 1000).toFixed(1)} s); ` +
        `killed after ${killedAt} acknowledged; calls lost to the kill: ${failedCalls}; answers handed out again: ${redeliveries}; ` +
        `${calls} calls, ${(callMs / Math.max(1, calls)).toFixed(1)} ms each on average\n`,
    );
  });
});
