/**
 * The lab-results service's rules as pure functions and constants: one-time codes (6 digits from crypto.randomInt,
 * valid 10 minutes, kept as HMAC-SHA-256 under a per-code salt), the wrong-code lockout (five wrong codes lock the
 * phone for 15 minutes), keyed hashes of phones and tokens, and the grouping of contacts.
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Contact, ContactVisit } from './codec.js';

export const CODE_TTL_MS = 10 * 60_000;
export const LOCK_MS = 15 * 60_000;
export const MAX_WRONG_CODES = 5;
/** ContactsRequest without Since: the person's visits of the last 14 days (the incubation period). */
export const DEFAULT_CONTACTS_LOOKBACK_MS = 14 * 24 * 3_600_000;
/** Admitted visits (the only checks that keep a contact) are deleted after this many days unless configured. */
export const DEFAULT_VISIT_RETENTION_DAYS = 21;

/** A fresh 6-digit one-time code, uniform over 000000..999999. */
export function newOneTimeCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

export function hashCode(salt: string, code: string): string {
  return createHmac('sha256', Buffer.from(salt, 'hex')).update(code).digest('hex');
}

/** Constant-time comparison of a presented code with the stored hash. */
export function codeMatches(salt: string, storedHash: string, code: string): boolean {
  const presented = Buffer.from(hashCode(salt, code), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/**
 * The keyed hash a phone (E.164) or a personal token is matched by. Keyed, because a plain hash of a phone number
 * is reversed by trying all ten-digit numbers; the key is the service's own secret (table tests_keys).
 */
export function personKey(hmacKey: string, kind: 'phone' | 'token', value: string): string {
  return createHmac('sha256', Buffer.from(hmacKey, 'hex')).update(`${kind}:${value}`).digest('hex');
}

/** The SMS text carrying the code. */
export function warningMessage(): string {
  return 'Внимание: вы были в одном месте с человеком, у которого выявлен положительный результат теста. Обратитесь к врачу.';
}

export function codeMessage(code: string): string {
  return `Код для входа: ${code}. Действует 10 минут. Никому, кроме сотрудника на входе, его не сообщайте.`;
}

export interface VisitRow {
  readonly id: string;
  readonly venueCode: string;
  readonly checkedAt: number;
  readonly personKey: string;
  readonly contactKind: 'phone' | 'token';
  readonly contact: string;
}

/**
 * Contacts of a person: every admitted visit of someone else at the same venue within `windowMs` either side of
 * one of the person's visits, grouped by contact, each visit once, in time order; contacts by their first visit.
 */
export function groupContacts(
  personVisits: readonly { venueCode: string; checkedAt: number }[],
  candidates: readonly VisitRow[],
  personKeys: ReadonlySet<string>,
  windowMs: number,
): Contact[] {
  const byContact = new Map<
    string,
    { kind: 'phone' | 'token'; value: string; visits: Map<string, ContactVisit & { at: number }> }
  >();
  for (const candidate of candidates) {
    if (personKeys.has(candidate.personKey)) continue;
    const overlaps = personVisits.some(
      (visit) =>
        visit.venueCode === candidate.venueCode &&
        Math.abs(visit.checkedAt - candidate.checkedAt) <= windowMs,
    );
    if (!overlaps) continue;
    const id = `${candidate.contactKind}:${candidate.contact}`;
    let entry = byContact.get(id);
    if (!entry)
      byContact.set(
        id,
        (entry = { kind: candidate.contactKind, value: candidate.contact, visits: new Map() }),
      );
    entry.visits.set(candidate.id, {
      venueCode: candidate.venueCode,
      visitedAt: new Date(candidate.checkedAt),
      at: candidate.checkedAt,
    });
  }
  return [...byContact.values()]
    .map((entry) => {
      const visits = [...entry.visits.values()].sort((a, b) => a.at - b.at);
      return {
        first: visits[0]?.at ?? 0,
        contact: { kind: entry.kind, value: entry.value },
        visits: visits.map(({ venueCode, visitedAt }) => ({ venueCode, visitedAt })),
      };
    })
    .sort((a, b) => a.first - b.first || a.contact.value.localeCompare(b.contact.value))
    .map(({ contact, visits }) => ({ contact, visits }));
}
