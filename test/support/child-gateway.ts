/**
 * The gateway as `npm start` runs it: `node dist/src/cli/main.js serve` in a child process, configured through
 * its environment. For the crash and fault tests (which kill it, take its store away or fill its disk) and the
 * benchmarks (which measure its memory from outside).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

export interface ChildGatewayOptions {
  /** Environment on top of this process's own (SQLITE_FILE, DATABASE_URL, SMEV_GATEWAY_CONFIG, …). */
  readonly env?: Record<string, string>;
  /** The port; a free one by default. A restart on the same port continues the same message-log chain. */
  readonly port?: number;
  /** Copy the gateway's stderr to this process's stderr (benchmarks); otherwise only the tail is kept. */
  readonly echo?: boolean;
  readonly startTimeoutMs?: number;
  /** Another program than `node dist/src/cli/main.js` (an installed `smev-gateway`), and its folder. */
  readonly command?: string;
  readonly cwd?: string;
}

export interface ChildGateway {
  readonly port: number;
  readonly base: string;
  readonly endpoint: string;
  readonly process: ChildProcess;
  /** The last lines the gateway wrote (stdout and stderr), to explain a failure. */
  output(): string;
  /** Still running? */
  alive(): boolean;
  /** Resident memory of the gateway and its worker processes, MiB (from /proc). */
  rssMiB(): number;
  /** SIGTERM and wait; resolves with the exit code (null when a signal ended it). */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
}

const TAIL_LINES = 200;

function residentKiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Start the gateway and wait until `/health` answers 200; throws with its output when it exits or never does. */
export async function spawnGateway(options: ChildGatewayOptions = {}): Promise<ChildGateway> {
  const port = options.port ?? (await freePort());
  const [command, ...args] = options.command
    ? [options.command, 'serve']
    : [process.execPath, 'dist/src/cli/main.js', 'serve'];
  const child = spawn(command as string, args, {
    // Load from one address is the point of these runs: the per-source limit on /ws is off unless a test sets it.
    ...(options.cwd ? { cwd: options.cwd } : {}),
    // One process unless a test asks for more: tests kill, time and read the one process they started.
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_SOAP: '0',
      RATE_LIMIT_SOAP_REFUSED_BYTES: '0',
      WORKERS: '1',
      ...options.env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail.push(...text.split('\n').filter(Boolean));
    if (tail.length > TAIL_LINES) tail.splice(0, tail.length - TAIL_LINES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', (chunk: Buffer) => {
    if (options.echo) process.stderr.write(chunk);
    keep(chunk);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const base = `http://127.0.0.1:${port}`;
  const gateway: ChildGateway = {
    port,
    base,
    endpoint: `${base}/ws`,
    process: child,
    output: () => tail.join('\n'),
    alive,
    rssMiB: () => {
      const pid = child.pid;
      if (!pid || !alive()) return 0;
      return [pid, ...childrenOf(pid)].reduce((sum, p) => sum + residentKiB(p), 0) / 1024;
    },
    stop: async () => {
      if (alive()) child.kill('SIGTERM');
      await exited;
      return child.exitCode;
    },
    kill: async () => {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (!alive())
      throw new Error(`the gateway exited (${child.exitCode ?? child.signalCode}):\n${gateway.output()}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return gateway;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await gateway.kill();
  throw new Error(`the gateway did not become healthy:\n${gateway.output()}`);
}
