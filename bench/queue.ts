/**
 * Queued round trips per second: SendRequest → the hosted ping provider (the gateway's worker) → GetResponse →
 * Ack, with clients that each send one request and then take answers until theirs have all come back. Three
 * set-ups, one after another on the same machine: SQLite with one instance, PostgreSQL with one, and PostgreSQL
 * with two instances sharing one schema (clients alternate between them). Requests are signed before the clock
 * starts; take and Ack requests are signed as they go, as a client does. Prints the three figures side by side.
 *
 *   node dist/bench/queue.js [--messages 600] [--clients 8]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ackXml, readHandedOut, sendRequestXml, takeXml } from '../src/client/queued.js';
import { SOAP11 } from '../src/soap/version.js';
import { PING_PAYLOAD, sampleKey } from '../test/support/gateway.js';
import { dropSchema, freshSchema, POSTGRES_URL } from '../test/support/store.js';
import { arg, spawnGateway, type ChildGateway } from './support.js';

const SYSTEM = 'DEMO_CONSUMER';

async function post(endpoint: string, xml: string, action: string): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"` },
    body: xml,
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${action}: HTTP ${response.status}: ${body.slice(0, 300)}`);
  return body;
}

async function run(endpoints: string[], messages: number, clients: number): Promise<number> {
  const key = sampleKey(SYSTEM);
  const requests = Array.from({ length: messages }, () =>
    sendRequestXml(SOAP11, key, { payload: PING_PAYLOAD }),
  );
  let next = 0;
  let acked = 0;
  let turn = 0;
  const endpoint = () => endpoints[turn++ % endpoints.length] as string;
  const started = performance.now();
  const client = async () => {
    while (acked < messages) {
      const request = requests[next];
      if (request) {
        next++;
        await post(endpoint(), request.xml, 'urn:SendRequest');
      }
      const answer = readHandedOut(
        await post(endpoint(), takeXml(SOAP11, key, 'GetResponse'), 'urn:GetResponse'),
      );
      if (!answer) {
        if (!request) await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      await post(endpoint(), ackXml(SOAP11, key, answer.messageId), 'urn:Ack');
      acked++;
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return (messages / (performance.now() - started)) * 1000;
}

async function withGateways(
  label: string,
  count: number,
  postgres: boolean,
  work: (endpoints: string[]) => Promise<number>,
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'smev-gateway-bench-queue-'));
  const schema = freshSchema('bench_queue');
  const configFile = join(dir, 'gateway.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      // Signed before the clock starts, so a slow machine must not make them stale.
      replay: { windowSeconds: 3600 },
      queue: { workerPollMs: 5, workerConcurrency: 4 },
      ...(postgres ? { store: { databaseUrl: POSTGRES_URL, schema } } : {}),
    }),
  );
  const gateways: ChildGateway[] = [];
  try {
    // One after another: the first migrates the store and registers the samples.
    for (let i = 0; i < count; i++) {
      gateways.push(
        await spawnGateway({ SMEV_GATEWAY_CONFIG: configFile, SQLITE_FILE: join(dir, 'gateway.db') }),
      );
    }
    process.stderr.write(`${label}: running\n`);
    return await work(gateways.map((g) => g.endpoint));
  } finally {
    await Promise.all(gateways.map((g) => g.stop()));
    rmSync(dir, { recursive: true, force: true });
    if (postgres) await dropSchema(schema);
  }
}

async function main(): Promise<void> {
  const messages = Number(arg('messages', '600'));
  const clients = Number(arg('clients', '8'));
  const setups = [
    { label: 'SQLite, 1 instance', count: 1, postgres: false },
    { label: 'PostgreSQL, 1 instance', count: 1, postgres: true },
    { label: 'PostgreSQL, 2 instances', count: 2, postgres: true },
  ];
  const figures: number[] = [];
  for (const setup of setups) {
    figures.push(
      await withGateways(setup.label, setup.count, setup.postgres, (e) => run(e, messages, clients)),
    );
  }
  process.stdout.write(
    `queued round trips per second (SendRequest → hosted ping → GetResponse → Ack), ${messages} messages, ${clients} clients\n`,
  );
  process.stdout.write(`${setups.map((s) => s.label.padEnd(26)).join('')}\n`);
  process.stdout.write(`${figures.map((f) => `${f.toFixed(1)}/s`.padEnd(26)).join('')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
