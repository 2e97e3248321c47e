/**
 * Tests service (Stavropol): consents to personal-data processing given when visitors register visits; the
 * warnings sent to contacts of a positive person (once per contact and result); SMS per phone for the limit.
 */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('tests_consents')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('venue_code', 'varchar(64)', (c) => c.notNull())
      .addColumn('phone_key', 'varchar(64)', (c) => c.notNull())
      .addColumn('text_version', 'varchar(50)', (c) => c.notNull())
      .addColumn('given_at', 'bigint', (c) => c.notNull())
      .addColumn('recorded_at', 'bigint', (c) => c.notNull())
      .addColumn('sender', 'varchar(64)', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('tests_consents_recorded')
      .on('tests_consents')
      .column('recorded_at')
      .execute();
    // Contacts warned once per positive result; every SMS per phone for the hourly limit.
    await db.schema
      .createTable('tests_warnings')
      .addColumn('result_sender', 'varchar(64)', (c) => c.notNull())
      .addColumn('result_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('contact_key', 'varchar(64)', (c) => c.notNull())
      .addColumn('outcome', 'varchar(10)', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('tests_warnings_pk', ['result_sender', 'result_id', 'contact_key'])
      .execute();
    await db.schema
      .createTable('tests_sms')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('phone_key', 'varchar(64)', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('tests_sms_phone').on('tests_sms').columns(['phone_key', 'at']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('tests_sms').execute();
    await db.schema.dropTable('tests_warnings').execute();
    await db.schema.dropTable('tests_consents').execute();
  },
};
