/**
 * Signed ping round trips with autocannon against the gateway as `npm start` runs it (a child process, SQLite):
 * every request is a fresh, validly signed Call (MessageIDs are single-use), the answer is signed twice.
 * Prints throughput, latency percentiles, the gateway's RSS, and this machine's bare RSA-2048 signing rate with
 * the ratio throughput / (bare rate × cores).
 *
 *   npm run bench:ping -- [--connections 50] [--requests 20000] [--workers 1] [--url http://host:port/ws]
 */
import { availableParallelism } from 'node:os';
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { signedCall } from '../test/support/gateway.js';
import { arg, row, spawnGateway } from './support.js';

function bareRsaSignsPerSecond(): number {
  const key = createPrivateKey(readFileSync('certs-sample/gateway.key.pem', 'utf8'));
  const data = Buffer.alloc(600, 1);
  const until = performance.now() + 2000;
  let count = 0;
  while (performance.now() < until) {
    sign('sha256', data, key);
    count++;
  }
  return count / 2;
}

async function main(): Promise<void> {
  const connections = Number(arg('connections', '50'));
  const total = Number(arg('requests', '20000'));
  const external = arg('url', '');
  const workers = arg('workers', '1');

  process.stdout.write(`signing ${total} requests in advance…\n`);
  const bodies = Array.from({ length: total }, () => signedCall().xml);
  const gateway = external ? undefined : await spawnGateway({ WORKERS: workers });
  const url = external || gateway!.endpoint;
  const rssStart = gateway?.rssMiB() ?? 0;

  let next = 0;
  const result = await autocannon({
    url,
    connections,
    amount: total,
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:Call"' },
    requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % total] }) }],
  });
  const rssEnd = gateway?.rssMiB() ?? 0;
  await gateway?.stop();

  const bare = bareRsaSignsPerSecond();
  const cores = availableParallelism();
  const throughput = result.requests.average;
  row(
    'requests sent / 2xx / non-2xx / errors',
    `${result.requests.sent} / ${result['2xx']} / ${result.non2xx} / ${result.errors}`,
  );
  row('signed round trips per second (mean)', throughput.toFixed(0));
  row(
    'latency p50 / p97.5 / p99 (ms)',
    `${result.latency.p50} / ${result.latency.p97_5} / ${result.latency.p99}`,
  );
  row('gateway RSS start / end (MiB)', `${rssStart.toFixed(0)} / ${rssEnd.toFixed(0)}`);
  row('bare RSA-2048 signs per second, one core', bare.toFixed(0));
  row('cores / gateway workers', `${cores} / ${external ? '?' : workers}`);
  row('ratio throughput / (bare × cores)', (throughput / (bare * cores)).toFixed(3));
  row('  (each answer carries two RSA signatures: ceiling 0.5)', '');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
