/**
 * The dashboard's figures, read from the store that every worker process shares (never one process's memory):
 * exchanges and faults per minute and latency percentiles from the message log, queue depth per recipient,
 * the last checkpoint and time-stamp, overdue applications, certificates near their end. CRLs come from the
 * trust store, which every worker reads from the same files.
 */
import { sql } from 'kysely';
import type { Actor, Registry } from '../registry/registry.js';
import { maySee } from '../registry/scope.js';
import type { TrustStore } from '../signature/pki/trust-store.js';
import type { QueueTables } from '../store/schema-queue.js';
import type { Store } from '../store/store.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Latency percentiles are computed over at most this many of the last hour's exchanges. */
const LATENCY_SAMPLE = 5000;

export interface DashboardStats {
  readonly minutes: { start: number; exchanges: number; faults: number }[];
  readonly latency: { p50: number; p90: number; p99: number; count: number };
  readonly queue: { recipient: string; depth: number }[];
  readonly lastCheckpointAt: number | undefined;
  readonly lastTimestampAt: number | undefined;
  readonly overdue: { id: string; shortName: string; status: string }[];
  readonly ending: { what: string; notAfter: number }[];
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? 0;
}

/** The figures `viewer` may see: participants, queues and certificates of those in its sight (registry/scope.ts). */
export async function dashboardStats(
  store: Store,
  registry: Registry,
  trust: TrustStore | undefined,
  now: Date,
  viewer: Actor,
): Promise<DashboardStats> {
  const end = Math.floor(now.getTime() / MINUTE) * MINUTE + MINUTE;
  const start = end - 60 * MINUTE;
  const db = store.db;
  const perMinute = db
    .selectFrom('message_log')
    .select([
      sql<number>`received_at / ${sql.lit(MINUTE)}`.as('minute'),
      (eb) => eb.fn.countAll<number>().as('exchanges'),
      (eb) => eb.fn.count<number>('fault_code').as('faults'),
    ])
    .where('received_at', '>=', start)
    .groupBy(sql`received_at / ${sql.lit(MINUTE)}`)
    .execute();
  const durations = db
    .selectFrom('message_log')
    .select('duration_us')
    .where('received_at', '>=', start)
    .orderBy('received_at', 'desc')
    .limit(LATENCY_SAMPLE)
    .execute();
  const queue = db
    .withTables<{ [T in keyof QueueTables]: QueueTables[T] }>()
    .selectFrom('queue_messages')
    .select(['recipient', (eb) => eb.fn.countAll<number>().as('depth')])
    .where('state', 'in', ['queued', 'delivered'])
    .groupBy('recipient')
    .orderBy('recipient')
    .execute();
  const checkpoint = db
    .selectFrom('message_log_checkpoints')
    .select((eb) => eb.fn.max('at').as('at'))
    .where('kind', '=', 'head')
    .executeTakeFirst();
  const stamped = db
    .selectFrom('message_log_checkpoints')
    .select((eb) => eb.fn.max('at').as('at'))
    .where('timestamp_token', 'is not', null)
    .executeTakeFirst();
  const certificates = db
    .selectFrom('system_certificates as c')
    .innerJoin('information_systems as s', 's.id', 'c.system_id')
    .innerJoin('participants as p', 'p.id', 's.participant_id')
    .select(['s.mnemonic', 'c.subject', 'c.not_after', 'p.id', 'p.sphere'])
    .where('c.status', '=', 'active')
    .where('c.not_after', '<', now.getTime() + 30 * DAY)
    .orderBy('c.not_after')
    .execute();
  const [minutes, latencies, depths, cp, ts, certs, overdue, systems] = await Promise.all([
    perMinute,
    durations,
    queue,
    checkpoint,
    stamped,
    certificates,
    registry.listParticipants(viewer, { overdue: true }),
    registry.listSystems(viewer),
  ]);
  const seenSystems = new Set(systems.map((s) => s.mnemonic));
  const byMinute = new Map(minutes.map((m) => [Number(m.minute) * MINUTE, m]));
  const sorted = latencies.map((l) => Number(l.duration_us) / 1000).sort((a, b) => a - b);
  const crls = (trust?.crls() ?? []).filter((c) => c.nextUpdate.getTime() < now.getTime() + 30 * DAY);
  const at = (row: { at: unknown } | undefined) =>
    row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  return {
    minutes: Array.from({ length: 60 }, (_, i) => {
      const minute = start + i * MINUTE;
      const row = byMinute.get(minute);
      return { start: minute, exchanges: Number(row?.exchanges ?? 0), faults: Number(row?.faults ?? 0) };
    }),
    latency: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      count: sorted.length,
    },
    queue: depths
      .filter((d) => seenSystems.has(d.recipient))
      .map((d) => ({ recipient: d.recipient, depth: Number(d.depth) })),
    lastCheckpointAt: at(cp),
    lastTimestampAt: at(ts),
    overdue: overdue.map((p) => ({ id: p.id, shortName: p.shortName, status: p.status })),
    ending: [
      ...certs
        .filter((c) => maySee(viewer, c))
        .map((c) => ({ what: `${c.mnemonic}: ${c.subject}`, notAfter: Number(c.not_after) })),
      ...crls.map((c) => ({ what: `CRL ${c.issuer}`, notAfter: c.nextUpdate.getTime() })),
    ].sort((a, b) => a.notAfter - b.notAfter),
  };
}
