/**
 * Benchmark support: a gateway in a child process (as `npm start` runs it), signed requests of the realistic
 * mix made ahead by worker threads, an autocannon driver that counts answers, rejections and faults by code,
 * and printing helpers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import { spawnGateway as spawnChild, type ChildGateway } from '../test/support/child-gateway.js';
import { Tally, Workload, classify, type WorkItem } from '../test/support/workload.js';

export { freePort, type ChildGateway } from '../test/support/child-gateway.js';

/** Start `node dist/src/cli/main.js serve` with a fresh SQLite file (or the given environment). */
export async function spawnGateway(
  env: Record<string, string> = {},
  command?: string,
): Promise<ChildGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'smev-gateway-bench-'));
  const gateway = await spawnChild({
    env: { SQLITE_FILE: join(dir, 'gateway.db'), ...env },
    echo: true,
    ...(command ? { command } : {}),
  });
  // The store goes with the gateway: a soak leaves hundreds of megabytes of records behind.
  return {
    ...gateway,
    stop: async () => {
      const code = await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? (process.argv[index + 1] as string) : fallback;
}

export function row(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(44)} ${value}\n`);
}

/**
 * Signed requests of the realistic mix, made ahead of use by worker threads. MessageIDs are single-use and must
 * be used within the gateway's replay window (5 minutes by default), so a long run keeps the pool topped up
 * (`keepAbove`) rather than signing everything at the start.
 */
export class SignedPool {
  private items: WorkItem[] = [];
  private head = 0;
  private outstanding = 0;
  private floor = 0;
  private readonly workers: Worker[];
  private readonly waiters: Array<() => void> = [];
  private inline: Workload | undefined;
  /** Requests signed on the spot because the pool ran dry (the run outpaced the signers). */
  shortfall = 0;

  constructor(
    threads: number,
    private readonly batch = 200,
  ) {
    this.workers = Array.from({ length: threads }, (_, i) => {
      const worker = new Worker(new URL('./signer-worker.js', import.meta.url), {
        workerData: { seed: Date.now() + i * 7919 },
      });
      worker.on('message', (signed: WorkItem[]) => {
        this.outstanding -= signed.length;
        this.items.push(...signed);
        for (const wake of this.waiters.splice(0)) wake();
        this.topUp();
      });
      worker.on('error', (error) => process.stderr.write(`signer: ${error.stack}\n`));
      return worker;
    });
  }

  get available(): number {
    return this.items.length - this.head;
  }

  /** Sign until `count` requests are ready. */
  async fill(count: number): Promise<void> {
    while (this.available < count) {
      const missing = count - this.available - this.outstanding;
      for (let i = 0; missing > 0 && i * this.batch < missing; i++) this.ask(i);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** From now on, sign more whenever fewer than `level` requests are ready. */
  keepAbove(level: number): void {
    this.floor = level;
    this.topUp();
  }

  take(): WorkItem {
    if (this.head >= this.items.length) {
      this.shortfall++;
      return (this.inline ??= new Workload()).next();
    }
    const item = this.items[this.head++]!;
    if (this.head > 10_000) [this.items, this.head] = [this.items.slice(this.head), 0];
    this.topUp();
    return item;
  }

  private ask(index: number): void {
    const worker = this.workers[index % this.workers.length];
    if (!worker) return;
    this.outstanding += this.batch;
    worker.postMessage(this.batch);
  }

  private topUp(): void {
    for (let i = 0; this.available + this.outstanding < this.floor; i++) this.ask(i);
  }

  async close(): Promise<void> {
    this.floor = 0;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** What a run saw: answers, business rejections and faults by code, transport errors, latencies. */
export class RunStats {
  readonly kinds = new Tally();
  readonly rejections = new Tally();
  readonly faults = new Tally();
  answers = 0;
  readonly latencies: number[] = [];
  started = performance.now();
  ended = 0;

  record(kind: string, status: number, body: string, ms: number): void {
    const outcome = classify(status, body);
    this.kinds.add(kind);
    this.latencies.push(ms);
    if (outcome.kind === 'answer') this.answers++;
    else if (outcome.kind === 'rejected') this.rejections.add(outcome.code);
    else this.faults.add(outcome.code);
  }

  get responses(): number {
    return this.latencies.length;
  }

  get seconds(): number {
    return ((this.ended || performance.now()) - this.started) / 1000;
  }

  percentile(p: number): number {
    const sorted = Float64Array.from(this.latencies).sort();
    if (!sorted.length) return 0;
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  }
}

export interface DriveOptions {
  readonly connections: number;
  /** Stop after this many requests… */
  readonly amount?: number;
  /** …or after this many seconds. */
  readonly seconds?: number;
  /** Requests per second over all connections; as fast as it goes when absent. */
  readonly rate?: number;
  /** Where each response is counted (a run may switch phases midway, as the soak does after warm-up). */
  readonly stats: () => RunStats;
}

export interface DriveResult {
  /** Requests that got no HTTP answer: connection errors and timeouts (autocannon's own count). */
  readonly errors: number;
  readonly timeouts: number;
}

/** Drive the gateway with autocannon, each request taken from the pool (a fresh signed MessageID each). */
export async function drive(url: string, pool: SignedPool, options: DriveOptions): Promise<DriveResult> {
  interface Context {
    item?: WorkItem;
    started?: number;
  }
  const result = await autocannon({
    url,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : {}),
    ...(options.seconds ? { duration: options.seconds } : {}),
    ...(options.rate ? { overallRate: options.rate } : {}),
    timeout: 30,
    method: 'POST',
    requests: [
      {
        setupRequest: (request, context: Context) => {
          const item = pool.take();
          context.item = item;
          context.started = performance.now();
          return { ...request, headers: item.headers, body: item.xml };
        },
        onResponse: (status, body, context: Context) => {
          const ms = performance.now() - (context.started ?? performance.now());
          options.stats().record(context.item?.kind ?? '?', status, body, ms);
        },
      },
    ],
  });
  return { errors: result.errors, timeouts: result.timeouts };
}

/** Signed Calls posted by `postCalls`, and the time from the first request to the last answer. */
export interface CallsPosted {
  readonly result: autocannon.Result;
  readonly seconds: number;
}

/**
 * POST `amount` SOAP 1.1 Calls, `connections` at a time, each body from `body()` (signed ahead: MessageIDs are
 * single-use). The time is taken to the last answer: autocannon notices that it is done only on its next
 * one-second tick, so its own end (and its average, of whole-second buckets) rounds a run up to whole seconds.
 */
export async function postCalls(
  url: string,
  amount: number,
  connections: number,
  body: () => string,
): Promise<CallsPosted> {
  let lastAnswer = 0;
  const started = performance.now();
  const result = await autocannon({
    url,
    connections,
    amount,
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:Call"' },
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: body() }),
        onResponse: () => (lastAnswer = performance.now()),
      },
    ],
  });
  return { result, seconds: (lastAnswer - started) / 1000 };
}

/** The gateway's resident memory, MiB: from /proc for a child, else from its `/metrics`. */
export async function residentMiB(gateway: ChildGateway | undefined, base: string): Promise<number> {
  if (gateway) return gateway.rssMiB();
  const text = await (await fetch(`${base}/metrics`)).text();
  const bytes = /^process_resident_memory_bytes(?:\{[^}]*\})?\s+(\S+)/m.exec(text)?.[1];
  return bytes ? Number(bytes) / 2 ** 20 : 0;
}

export function printStats(label: string, stats: RunStats, transport: DriveResult): void {
  const ms = (p: number) => stats.percentile(p).toFixed(0);
  row(`${label}: responses in ${stats.seconds.toFixed(0)} s`, String(stats.responses));
  row(`${label}: throughput (responses/s)`, (stats.responses / stats.seconds).toFixed(1));
  row(`${label}: latency p50 / p95 / p99 / max (ms)`, `${ms(50)} / ${ms(95)} / ${ms(99)} / ${ms(100)}`);
  row(`${label}: answers`, String(stats.answers));
  row(`${label}: business rejections (answers too)`, `${stats.rejections.total} (${stats.rejections})`);
  row(`${label}: faults by code`, `${stats.faults.total} (${stats.faults})`);
  row(`${label}: no HTTP answer (errors / timeouts)`, `${transport.errors} / ${transport.timeouts}`);
  row(`${label}: mix`, String(stats.kinds));
}
