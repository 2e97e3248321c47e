/**
 * Signed ping round trips, the gateway beside the hand-built peer (`../shared/bench-peer/`: express + node-soap +
 * xml-crypto, one verification and one signature per request), in one run with the same load generator and
 * connections. The gateway runs as `npm start` runs it (a child process, SQLite, message log on, every check on);
 * every request to it is a fresh, validly signed Call (MessageIDs are single-use), answered with two signatures.
 * Prints for both: throughput, latency percentiles, and CPU per request (user + system time of the server's
 * process tree over the measured requests, from /proc); then their ratio.
 *
 *   npm run bench:ping -- [--connections 50] [--requests 6000] [--workers N] [--peer PATH | --no-peer]
 *                         [--profile DIR]   (a V8 CPU profile of each gateway process in DIR; one worker unless --workers)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { buildCallRequest, signCallRequest } from '../src/client/request.js';
import { NS } from '../src/soap/namespaces.js';
import { SOAP11 } from '../src/soap/version.js';
import { PING_PAYLOAD, sampleKey, signedCall } from '../test/support/gateway.js';
import { arg, freePort, postCalls, row, spawnGateway } from './support.js';

const WARM_UP = 300;

interface Server {
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<unknown>;
}

interface Run {
  readonly ok: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuMs: number;
}

/** CPU seconds (user + system) a process and its descendants have used so far, from /proc. */
function cpuSeconds(pid: number): number {
  let seconds = 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    seconds = (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ ticks
  } catch {
    return 0;
  }
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    children = [];
  }
  return seconds + children.reduce((sum, child) => sum + cpuSeconds(child), 0);
}

/** Warm the server up, then send `bodies` (one after another, `connections` at a time) and measure. */
async function measure(
  server: Server,
  bodies: (i: number) => string,
  total: number,
  connections: number,
): Promise<Run> {
  let next = 0;
  const body = () => bodies(next++);
  await postCalls(server.endpoint, WARM_UP, connections, body);
  const before = cpuSeconds(server.pid);
  const { result, seconds } = await postCalls(server.endpoint, total, connections, body);
  const cpu = cpuSeconds(server.pid) - before;
  return {
    ok: result['2xx'],
    failed: result.non2xx + result.errors,
    perSecond: result['2xx'] / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMs: (cpu * 1000) / total,
  };
}

/** The peer's request: the gateway's own signed Call with CallRequest in the peer's namespace. */
function peerRequest(): string {
  const unsigned = buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD }).xml;
  return signCallRequest(unsigned.split(NS.sync).join('urn://peer/sync/1.0'), sampleKey('DEMO_CONSUMER'));
}

async function startPeer(path: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [path], {
    env: {
      ...process.env,
      NODE_PATH: resolve('node_modules'),
      PORT: String(port),
      KEY: 'certs-sample/gateway.key.pem',
      CERT: 'certs-sample/gateway.crt.pem',
      CA: 'certs-sample/ca.crt.pem',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ready, fail) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && ready());
    child.once('exit', (code) => fail(new Error(`the peer exited (${code})`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}/ws`,
    pid: child.pid as number,
    stop: () => new Promise((done) => (child.once('exit', done), child.kill('SIGTERM'))),
  };
}

/** node refuses --cpu-prof in NODE_OPTIONS, so a profiled gateway starts through a small wrapper script. */
function profilingCommand(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const command = join(dir, 'serve-profiled.sh');
  const main = resolve('dist/src/cli/main.js');
  writeFileSync(
    command,
    `#!/bin/sh\nexec "${process.execPath}" --cpu-prof --cpu-prof-dir="${dir}" "${main}" "$@"\n`,
    {
      mode: 0o755,
    },
  );
  return command;
}

function print(label: string, run: Run): void {
  row(`${label}: answered / failed`, `${run.ok} / ${run.failed}`);
  row(`${label}: round trips per second`, run.perSecond.toFixed(0));
  row(`${label}: latency p50 / p99 (ms)`, `${run.p50} / ${run.p99}`);
  row(`${label}: CPU per request (ms)`, run.cpuMs.toFixed(2));
}

async function main(): Promise<void> {
  const connections = Number(arg('connections', '50'));
  const total = Number(arg('requests', '6000'));
  const profile = arg('profile', '');
  const workers = arg('workers', profile ? '1' : String(availableParallelism()));
  const peerPath = process.argv.includes('--no-peer') ? '' : arg('peer', '../shared/bench-peer/server.js');

  process.stdout.write(`signing ${total + WARM_UP} requests in advance…\n`);
  const bodies = Array.from({ length: total + WARM_UP }, () => signedCall().xml);
  // Logged as `npm start` logs (info: a line for every exchange); the test default of warn would spare it that.
  const child = await spawnGateway(
    { WORKERS: workers, LOG_LEVEL: 'info' },
    profile ? profilingCommand(profile) : undefined,
  );
  const gateway = await measure(
    { endpoint: child.endpoint, pid: child.process.pid as number, stop: () => child.stop() },
    (i) => bodies[i] as string,
    total,
    connections,
  );
  await child.stop();

  let peer: Run | undefined;
  if (peerPath && existsSync(peerPath)) {
    const server = await startPeer(peerPath);
    const body = peerRequest(); // the peer keeps no replay set: one body serves every request
    peer = await measure(server, () => body, total, connections);
    await server.stop();
  }

  row('connections / requests measured', `${connections} / ${total}`);
  row('gateway workers / cores', `${workers} / ${availableParallelism()}`);
  print('gateway', gateway);
  if (!peer) return;
  print('peer', peer);
  row('gateway / peer round trips per second', (gateway.perSecond / peer.perSecond).toFixed(2));
  row('gateway / peer CPU per request', (gateway.cpuMs / peer.cpuMs).toFixed(2));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
