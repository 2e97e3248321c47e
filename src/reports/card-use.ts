/**
 * The report on social card use (Amur rules): per connection point, over a period, how many cards were
 * connected (registered), blocked, unblocked and taken off the register — from the card register's own events.
 * As JSON rows or CSV (csv.ts).
 */
import { z } from 'zod';
import type { CardsTables } from '../store/schema-cards.js';
import type { Store } from '../store/store.js';
import { csvTable } from './csv.js';

export const CardUseQuery = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict()
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), {
    message: 'from must be before to',
    path: ['from'],
  });

export interface CardUseRow {
  connectionPoint: string;
  connected: number;
  blocked: number;
  unblocked: number;
  deregistered: number;
}

const COLUMNS: Record<string, keyof Omit<CardUseRow, 'connectionPoint'>> = {
  REGISTERED: 'connected',
  BLOCKED: 'blocked',
  UNBLOCKED: 'unblocked',
  DEREGISTERED: 'deregistered',
};

export async function cardUseReport(store: Store, period: { from: Date; to: Date }): Promise<CardUseRow[]> {
  const rows = await store.db
    .withTables<{ [T in keyof CardsTables]: CardsTables[T] }>()
    .selectFrom('social_card_events as e')
    .innerJoin('social_cards as c', 'c.id', 'e.card_id')
    .select(['c.connection_point', 'e.action', (eb) => eb.fn.countAll<number>().as('n')])
    .where('e.at', '>=', period.from.getTime())
    .where('e.at', '<', period.to.getTime())
    .groupBy(['c.connection_point', 'e.action'])
    .execute();
  const byPoint = new Map<string, CardUseRow>();
  for (const row of rows) {
    const point = row.connection_point;
    const entry = byPoint.get(point) ?? {
      connectionPoint: point,
      connected: 0,
      blocked: 0,
      unblocked: 0,
      deregistered: 0,
    };
    const column = COLUMNS[row.action];
    if (column) entry[column] += Number(row.n);
    byPoint.set(point, entry);
  }
  return [...byPoint.values()].sort((a, b) => a.connectionPoint.localeCompare(b.connectionPoint));
}

export function cardUseCsv(rows: readonly CardUseRow[]): string {
  return csvTable(
    ['connection_point', 'connected', 'blocked', 'unblocked', 'deregistered'],
    rows.map((r) => [r.connectionPoint, r.connected, r.blocked, r.unblocked, r.deregistered]),
  );
}
