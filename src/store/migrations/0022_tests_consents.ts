/** Consents to personal-data processing given when visitors register visits (tests service, Stavropol). */
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
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('tests_consents').execute();
  },
};
