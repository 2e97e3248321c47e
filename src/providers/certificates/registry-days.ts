/**
 * Which daily registries are missing or late (Leningrad rules: a supplier sends the registry of each day's
 * transactions on that day). A supplier is expected to send one for every past day from its first posting or
 * registry on; a registry received on a later (Moscow) day than its own is late.
 */
import { z } from 'zod';
import type { CertificatesTables } from '../../store/schema-certificates.js';
import type { Store } from '../../store/store.js';
import { moscowDate } from './rules.js';

const DAY = 86_400_000;
const MAX_DAYS = 366;

export const RegistryDaysQuery = z
  .object({ from: z.iso.date(), to: z.iso.date(), organisation: z.string().max(64).optional() })
  .strict()
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['from'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / DAY < MAX_DAYS, {
    message: `at most ${MAX_DAYS} days`,
    path: ['to'],
  });

function days(from: string, to: string): string[] {
  const list: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY)
    list.push(new Date(t).toISOString().slice(0, 10));
  return list;
}

export async function registryDays(store: Store, query: z.infer<typeof RegistryDaysQuery>, now: Date) {
  const db = store.db.withTables<{ [T in keyof CertificatesTables]: CertificatesTables[T] }>();
  const today = moscowDate(now);
  let postings = db
    .selectFrom('social_certificate_postings')
    .select(['organisation', (eb) => eb.fn.min<string>('posted_day').as('first')])
    .groupBy('organisation');
  let registries = db
    .selectFrom('social_certificate_registries')
    .select(['organisation', 'registry_day', 'received_at'])
    .where('registry_day', '>=', query.from)
    .where('registry_day', '<=', query.to);
  if (query.organisation) {
    postings = postings.where('organisation', '=', query.organisation);
    registries = registries.where('organisation', '=', query.organisation);
  }
  const [firsts, received] = await Promise.all([postings.execute(), registries.execute()]);
  const sent = new Set(received.map((r) => `${r.organisation}|${r.registry_day}`));
  const missing: Array<{ organisation: string; day: string }> = [];
  for (const { organisation, first } of firsts) {
    for (const day of days(query.from, query.to)) {
      // Today's registry is not due until the day ends.
      if (day < first || day >= today) continue;
      if (!sent.has(`${organisation}|${day}`)) missing.push({ organisation, day });
    }
  }
  const late = received
    .filter((r) => moscowDate(new Date(Number(r.received_at))) > r.registry_day)
    .map((r) => ({
      organisation: r.organisation,
      day: r.registry_day,
      receivedAt: new Date(Number(r.received_at)).toISOString(),
    }))
    .sort((a, b) => a.day.localeCompare(b.day) || a.organisation.localeCompare(b.organisation));
  missing.sort((a, b) => a.day.localeCompare(b.day) || a.organisation.localeCompare(b.organisation));
  return { from: query.from, to: query.to, missing, late };
}
