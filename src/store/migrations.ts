/**
 * The migrations, in order. Each is written once with kysely's schema builder so the same code migrates
 * SQLite and PostgreSQL. Never edit a released migration; add the next one.
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely';

const migrations: Record<string, Migration> = {
  '0001_replay_protection': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('seen_message_ids')
        .addColumn('message_id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('sender', 'varchar(64)', (c) => c.notNull())
        .addColumn('message_time', 'bigint', (c) => c.notNull())
        .addColumn('seen_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('seen_message_ids_message_time')
        .on('seen_message_ids')
        .column('message_time')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('seen_message_ids').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
