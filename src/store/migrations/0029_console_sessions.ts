/**
 * The web console's sessions, shared by every worker process: only the SHA-256 of the session id is kept, with
 * the API token it was opened with (revoking the token ends the session) and when it was last used.
 */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('console_sessions')
      .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('token_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('console_sessions_last_seen')
      .on('console_sessions')
      .column('last_seen')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('console_sessions').execute();
  },
};
