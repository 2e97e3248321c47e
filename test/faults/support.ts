/**
 * Fault-test support: a private PostgreSQL cluster the test may stop and start (never the shared server), a
 * steady load of the realistic mix that records every exchange, and the checks every fault test ends with —
 * nothing acknowledged is lost or duplicated, and the message log and audit trail verify.
 *
 * An acknowledged exchange is one the consumer got a signed HTTP 200 answer for (an answer or a business
 * rejection): the gateway vouched for it, so the message log must hold exactly one record of it, and an
 * acknowledged work posting must be in the postings table exactly once.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/store.js';
import { cli } from '../messagelog/support.js';
import { freePort } from '../support/child-gateway.js';
import { sendItem, Workload, type RequestKind, type Sent, type WorkItem } from '../support/workload.js';

export { cli };

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A throw-away PostgreSQL cluster in a temporary directory, on a free port, run as the `postgres` user. Fails
 * loudly when the binaries are missing or we may not run them: these tests must not pass by not running.
 */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<PrivatePostgres> {
    for (const tool of ['initdb', 'pg_ctl', 'postgres']) {
      if (!existsSync(join(PG_BIN, tool))) {
        throw new Error(
          `the fault tests need PostgreSQL's server binaries (${join(PG_BIN, tool)} is missing; set PG_BIN)`,
        );
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'smev-gateway-pg-'));
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
    const cluster = new PrivatePostgres(dir, await freePort());
    cluster.asPostgres('initdb', [
      '-D',
      cluster.data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    cluster.start();
    cluster.asPostgres('createdb', [
      '-h',
      '127.0.0.1',
      '-p',
      String(cluster.port),
      '-U',
      'postgres',
      'gateway',
    ]);
    return cluster;
  }

  get data(): string {
    return join(this.dir, 'data');
  }

  /** The gateway's database in this cluster. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/gateway`;
  }

  start(): void {
    this.asPostgres('pg_ctl', [
      '-D',
      this.data,
      '-l',
      join(this.dir, 'server.log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`,
      '-w',
      'start',
    ]);
  }

  /** A fast shutdown: open transactions are rolled back and every connection is dropped. */
  stop(): void {
    this.asPostgres('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
  }

  destroy(): void {
    if (existsSync(join(this.data, 'postmaster.pid'))) {
      this.asPostgres('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop'], false);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private asPostgres(tool: string, args: string[], check = true): void {
    const run = spawnSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, tool), ...args], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (check && (run.error || run.status !== 0)) {
      throw new Error(
        `${tool} failed (${run.status}): ${run.error?.message ?? ''}${run.stderr}${run.stdout}`,
      );
    }
  }
}

function postgresUser(): { uid: number; gid: number } {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('the fault tests need a `postgres` system user to run a private PostgreSQL cluster');
  }
}

export interface Exchange extends Sent {
  /** When the request left and its answer came, ms since the load started. */
  readonly sentAt: number;
  readonly doneAt: number;
}

export interface Failure {
  readonly item: WorkItem;
  readonly sentAt: number;
  readonly doneAt: number;
  readonly error: string;
}

/**
 * The realistic mix from `concurrency` clients, one request after another each, until stopped. Every exchange
 * is kept with its times; a request that got no HTTP answer is kept as a failure.
 */
export class Load {
  readonly exchanges: Exchange[] = [];
  readonly failures: Failure[] = [];
  readonly t0 = performance.now();
  private running = true;
  private readonly clients: Promise<void>[];
  private readonly workload: Workload;

  constructor(
    private readonly endpoint: string,
    concurrency: number,
    options: { mix?: Partial<Record<RequestKind, number>>; timeoutMs?: number; pauseMs?: number } = {},
  ) {
    this.workload = new Workload(options.mix);
    this.clients = Array.from({ length: concurrency }, async () => {
      while (this.running) {
        const item = this.workload.next();
        const sentAt = this.now();
        try {
          const sent = await sendItem(this.endpoint, item, options.timeoutMs);
          this.exchanges.push({ ...sent, sentAt, doneAt: this.now() });
        } catch (error) {
          this.failures.push({
            item,
            sentAt,
            doneAt: this.now(),
            error: String((error as Error).cause ?? error),
          });
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
      }
    });
  }

  now(): number {
    return performance.now() - this.t0;
  }

  /** Exchanges answered 200 (answers and business rejections). */
  acknowledged(): Exchange[] {
    return this.exchanges.filter((e) => e.status === 200);
  }

  /** Wait until `count` more exchanges are acknowledged, failing after `timeoutMs`. */
  async untilAcknowledged(count: number, timeoutMs: number, since = this.now()): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const counted = () => this.exchanges.filter((e) => e.status === 200 && e.sentAt >= since).length;
    while (counted() < count) {
      if (performance.now() > deadline) {
        const last = this.exchanges
          .slice(-3)
          .map((e) => `${e.status} ${e.outcome.kind} ${JSON.stringify(e.outcome)}`);
        throw new Error(
          `only ${counted()} of ${count} exchanges acknowledged in ${timeoutMs} ms; last: ${last.join('; ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.clients);
  }
}

/** Counts of outcomes by fault code, for messages. */
export function faultCodes(exchanges: readonly Exchange[]): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const e of exchanges) {
    if (e.outcome.kind === 'fault') codes[e.outcome.code] = (codes[e.outcome.code] ?? 0) + 1;
  }
  return codes;
}

/**
 * Nothing acknowledged is lost or duplicated: each acknowledged MessageID has exactly one 200 record in the
 * message log and no MessageID has two; each acknowledged posting is stored exactly once; and every
 * certificate's balance is its nominal value less the postings stored against it.
 */
export async function expectNothingLost(store: Store, acknowledged: readonly Exchange[]): Promise<void> {
  const rows = await store.db
    .selectFrom('message_log')
    .select(['message_id', 'http_status'])
    .where('http_status', '=', 200)
    .execute();
  const answered = new Map<string, number>();
  for (const row of rows)
    if (row.message_id) answered.set(row.message_id, (answered.get(row.message_id) ?? 0) + 1);
  const missing = acknowledged.filter((e) => !answered.has(e.item.messageId)).map((e) => e.item.messageId);
  expect(missing, 'acknowledged but not in the message log').to.deep.equal([]);
  const twice = [...answered].filter(([, n]) => n > 1).map(([id]) => id);
  expect(twice, 'MessageIDs answered 200 more than once').to.deep.equal([]);

  const postings = acknowledged.filter((e) => e.item.posting && e.outcome.kind === 'answer');
  if (postings.length) {
    const stored = await store.db
      .selectFrom('social_certificate_postings' as never)
      .select([sql<string>`transaction_id`.as('transaction_id'), sql<number>`count(*)`.as('n')])
      .groupBy(sql`transaction_id`)
      .execute();
    const byId = new Map(stored.map((r) => [r.transaction_id, Number(r.n)]));
    const lost = postings.filter((e) => byId.get(e.item.posting!.transactionId) !== 1);
    expect(
      lost.map((e) => `${e.item.posting!.transactionId}: ${byId.get(e.item.posting!.transactionId) ?? 0}`),
      'acknowledged postings not stored exactly once',
    ).to.deep.equal([]);
  }
  const unbalanced = await sql<{ number: string }>`
    select c.number from social_certificates c
    where c.balance <> c.nominal - coalesce(
      (select sum(p.cost) from social_certificate_postings p where p.certificate_number = c.number), 0)
      and c.number in ('470000000013', '470000000062')`.execute(store.db);
  expect(unbalanced.rows, 'certificates whose balance disagrees with their postings').to.deep.equal([]);
}

/** `log verify` and `audit verify` say intact for the store in `env`. */
export function expectLogsVerify(env: Record<string, string>): void {
  const log = cli(['log', 'verify'], env);
  expect(log.status, `log verify: ${log.stdout}${log.stderr}`).to.equal(0);
  expect(log.stdout).to.contain('verdict: intact');
  const audit = cli(['audit', 'verify'], env);
  expect(audit.status, `audit verify: ${audit.stdout}${audit.stderr}`).to.equal(0);
  expect(audit.stdout).to.contain('verdict: intact');
}

export async function withStore<T>(
  options: { databaseUrl?: string; sqliteFile?: string },
  work: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(options);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
