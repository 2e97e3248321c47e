/**
 * The history of reference book entries, so a participant can ask for a book as it stood at a given version.
 * Each edit records the entry's new state at the version it made; an entry edited for the first time also gets
 * its earlier state recorded (at the version it had), so entries seeded before this table keep their past.
 * Nothing here names the books' own tables, so it runs before or after the migration that creates them.
 */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('reference_entry_history')
      .addColumn('book', 'varchar(50)', (c) => c.notNull())
      .addColumn('code', 'varchar(50)', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('title', 'varchar(500)', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('reference_entry_history_pk', ['book', 'code', 'version'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('reference_entry_history').execute();
  },
};
