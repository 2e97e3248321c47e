/**
 * The keyed hashes that stand in for card numbers and SNILS numbers in the register, and where their key comes
 * from. The two hashes are domain-separated, so a PAN hash can never equal a SNILS hash.
 *
 * Key resolution on the first start of the provider:
 * - the configured `panHmacSecret`, or else the one generated earlier and kept in `social_card_keys`, or else a
 *   fresh random one (32 bytes, base64url) stored there; concurrent first starts (cluster workers) agree on one
 *   through the table's primary key.
 * - the register remembers a check value of the key it was built with (an HMAC of a fixed label, which reveals
 *   nothing of the key). A different key later would silently break idempotency and the other-holder check,
 *   so the provider refuses to work and says why instead.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { CardsDb } from './db.js';

export const SECRET_KEY_NAME = 'pan_hmac_secret';
export const KEY_CHECK_NAME = 'key_check';

export class CardHasher {
  constructor(private readonly secret: string) {}

  /** The register's key for a card number (digits only). */
  pan(digits: string): string {
    return createHmac('sha256', this.secret).update(`pan\u0000${digits}`).digest('hex');
  }

  /** The register's key for a holder: the SNILS as 11 digits. */
  snils(digits: string): string {
    return createHmac('sha256', this.secret).update(`snils\u0000${digits}`).digest('hex');
  }

  /** A value that tells keys apart without revealing them. */
  check(): string {
    return createHmac('sha256', this.secret).update('smev-gateway cards key check').digest('hex');
  }
}

export interface ResolvedKey {
  readonly hasher: CardHasher;
  /** True when no secret was configured and the stored (or just generated) one is used. */
  readonly generated: boolean;
  /** True when this start generated it. */
  readonly createdNow: boolean;
}

export class KeyMismatchError extends Error {
  override name = 'KeyMismatchError';
}

/** Insert a named value unless present, then read what the table holds (ours or a concurrent starter's). */
export async function putIfAbsent(db: CardsDb, name: string, value: string, now: number): Promise<string> {
  await db
    .insertInto('social_card_keys')
    .values({ name, value, created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .selectFrom('social_card_keys')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.value;
}

export async function resolveKey(
  db: CardsDb,
  configured: string | undefined,
  now: number,
): Promise<ResolvedKey> {
  let secret = configured;
  let createdNow = false;
  if (secret === undefined) {
    const fresh = randomBytes(32).toString('base64url');
    secret = await putIfAbsent(db, SECRET_KEY_NAME, fresh, now);
    createdNow = secret === fresh;
  }
  const hasher = new CardHasher(secret);
  const check = await putIfAbsent(db, KEY_CHECK_NAME, hasher.check(), now);
  if (check !== hasher.check()) {
    throw new KeyMismatchError(
      configured === undefined
        ? 'the card register was built with a configured panHmacSecret that is no longer configured: set services.cards.panHmacSecret back'
        : 'the configured services.cards.panHmacSecret is not the key the card register was built with: card numbers would not be found again, so the cards service refuses to work until the original key is configured',
    );
  }
  return { hasher, generated: configured === undefined, createdNow };
}
