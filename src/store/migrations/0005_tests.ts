/**
 * Tables of the tests service (entry checks against the register of positive laboratory results) and the
 * sample data a fresh install answers for, so that examples/tests/ works out of the box:
 *
 * - tests_keys: the service's secret for keyed hashes (HMAC-SHA-256) of phones and personal QR tokens, made
 *   here from 32 random bytes. A copied table of results or codes gives away no phone numbers without it.
 * - tests_positive_results: the register; (sender, result_id) is the laboratory system's own id, which makes
 *   recording idempotent and lets only the recording laboratory withdraw a result.
 * - tests_codes: one-time SMS codes, hashed under a per-code salt, bound to venue and phone.
 * - tests_phone_locks: wrong-code counters and lockouts per phone.
 * - tests_entry_checks: every check (venue, time, result); an admitted check is a visit and keeps the contact.
 *
 * Samples (the venue is the sample participant DEMO_CONSUMER, whose registry code the first start assigns):
 * a person with a positive result, a person without one, and three visits three days before the migration:
 * the positive person, the person without a result 30 minutes later, and another visitor 5 hours later.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely, Migration } from 'kysely';

export const SAMPLE_VENUE_CODE = 'REG-1027700000020';
export const SAMPLE_POSITIVE = { phone: '+79000000101', token: 'sample-positive-token-0001' } as const;
export const SAMPLE_NEGATIVE = { phone: '+79000000202', token: 'sample-negative-token-0002' } as const;
export const SAMPLE_LATER_VISITOR = { phone: '+79000000404' } as const;

const HOUR = 3_600_000;

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('tests_keys')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('hmac_key', 'varchar(64)', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('tests_positive_results')
      .addColumn('sender', 'varchar(64)', (c) => c.notNull())
      .addColumn('result_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('phone_key', 'varchar(64)')
      .addColumn('token_key', 'varchar(64)')
      .addColumn('result_date', 'varchar(10)', (c) => c.notNull())
      .addColumn('recorded_at', 'bigint', (c) => c.notNull())
      .addColumn('withdrawn_at', 'bigint')
      .addPrimaryKeyConstraint('tests_positive_results_pk', ['sender', 'result_id'])
      .execute();
    await db.schema
      .createIndex('tests_positive_results_phone')
      .on('tests_positive_results')
      .column('phone_key')
      .execute();
    await db.schema
      .createIndex('tests_positive_results_token')
      .on('tests_positive_results')
      .column('token_key')
      .execute();
    await db.schema
      .createTable('tests_codes')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('venue_code', 'varchar(32)', (c) => c.notNull())
      .addColumn('phone_key', 'varchar(64)', (c) => c.notNull())
      .addColumn('salt', 'varchar(32)', (c) => c.notNull())
      .addColumn('code_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('issued_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('tests_codes_phone_venue')
      .on('tests_codes')
      .columns(['phone_key', 'venue_code'])
      .execute();
    await db.schema.createIndex('tests_codes_expires').on('tests_codes').column('expires_at').execute();
    await db.schema
      .createTable('tests_phone_locks')
      .addColumn('phone_key', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('locked_until', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('tests_entry_checks')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('venue_code', 'varchar(32)', (c) => c.notNull())
      .addColumn('checked_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('checked_at', 'bigint', (c) => c.notNull())
      .addColumn('method', 'varchar(8)', (c) => c.notNull())
      .addColumn('result', 'varchar(16)', (c) => c.notNull())
      .addColumn('person_key', 'varchar(64)')
      .addColumn('contact_kind', 'varchar(8)')
      .addColumn('contact', 'varchar(128)')
      .execute();
    await db.schema
      .createIndex('tests_entry_checks_venue_time')
      .on('tests_entry_checks')
      .columns(['venue_code', 'checked_at'])
      .execute();
    await db.schema
      .createIndex('tests_entry_checks_person')
      .on('tests_entry_checks')
      .column('person_key')
      .execute();
    await db.schema
      .createIndex('tests_entry_checks_time')
      .on('tests_entry_checks')
      .column('checked_at')
      .execute();

    const key = randomBytes(32).toString('hex');
    const hmac = (kind: 'phone' | 'token', value: string) =>
      createHmac('sha256', Buffer.from(key, 'hex')).update(`${kind}:${value}`).digest('hex');
    const now = Date.now();
    await db
      .insertInto('tests_keys' as never)
      .values({ id: 1, hmac_key: key } as never)
      .execute();
    await db
      .insertInto('tests_positive_results' as never)
      .values({
        sender: 'SAMPLE_LAB',
        result_id: 'SAMPLE-0001',
        phone_key: hmac('phone', SAMPLE_POSITIVE.phone),
        token_key: hmac('token', SAMPLE_POSITIVE.token),
        result_date: new Date(now - 24 * HOUR).toISOString().slice(0, 10),
        recorded_at: now,
        withdrawn_at: null,
      } as never)
      .execute();
    const visit = (id: string, at: number, phone: string) => ({
      id,
      venue_code: SAMPLE_VENUE_CODE,
      checked_by: 'PORTAL_26',
      checked_at: at,
      method: 'sms',
      result: 'ADMIT',
      person_key: hmac('phone', phone),
      contact_kind: 'phone',
      contact: phone,
    });
    const start = now - 72 * HOUR;
    await db
      .insertInto('tests_entry_checks' as never)
      .values([
        visit('00000000-0000-4000-8000-000000000001', start, SAMPLE_POSITIVE.phone),
        visit('00000000-0000-4000-8000-000000000002', start + HOUR / 2, SAMPLE_NEGATIVE.phone),
        visit('00000000-0000-4000-8000-000000000003', start + 5 * HOUR, SAMPLE_LATER_VISITOR.phone),
      ] as never)
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      'tests_entry_checks',
      'tests_phone_locks',
      'tests_codes',
      'tests_positive_results',
      'tests_keys',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
