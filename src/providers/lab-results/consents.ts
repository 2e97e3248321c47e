/**
 * The consents visitors gave when registering visits, for auditors: venue, the consent text's version, when it
 * was given and recorded, and the registering system. Never the phone (only its keyed hash is stored).
 */
import { z } from 'zod';
import type { TestsTables } from '../../store/schema-tests.js';
import type { Store } from '../../store/store.js';

export const ConsentQuery = z
  .object({
    venue: z.string().max(64).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

export async function listConsents(store: Store, query: z.infer<typeof ConsentQuery>) {
  let select = store.db
    .withTables<{ tests_consents: TestsTables['tests_consents'] }>()
    .selectFrom('tests_consents')
    .select(['id', 'venue_code', 'text_version', 'given_at', 'recorded_at', 'sender'])
    .orderBy('recorded_at', 'desc')
    .limit(query.limit);
  if (query.venue) select = select.where('venue_code', '=', query.venue);
  if (query.from) select = select.where('recorded_at', '>=', Date.parse(query.from));
  if (query.to) select = select.where('recorded_at', '<=', Date.parse(query.to));
  const rows = await select.execute();
  return rows.map((r) => ({
    id: r.id,
    venueCode: r.venue_code,
    textVersion: r.text_version,
    givenAt: new Date(Number(r.given_at)).toISOString(),
    recordedAt: new Date(Number(r.recorded_at)).toISOString(),
    sender: r.sender,
  }));
}
