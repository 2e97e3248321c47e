/** Benchmark support: a gateway in a child process (as `npm start` runs it), and printing helpers. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface ChildGateway {
  readonly endpoint: string;
  readonly process: ChildProcess;
  rssMiB(): number;
  stop(): Promise<void>;
}

/** Start `node dist/src/cli/main.js serve` with a fresh SQLite file (or the given environment). */
export async function spawnGateway(env: Record<string, string> = {}): Promise<ChildGateway> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'smev-gateway-bench-'));
  const child = spawn(process.execPath, ['dist/src/cli/main.js', 'serve'], {
    env: {
      ...process.env,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SQLITE_FILE: join(dir, 'gateway.db'),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const endpoint = `http://127.0.0.1:${port}/ws`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    endpoint,
    process: child,
    rssMiB: () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
      } catch {
        return 0;
      }
    },
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? (process.argv[index + 1] as string) : fallback;
}

export function row(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(44)} ${value}\n`);
}
