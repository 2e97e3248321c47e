/**
 * The documents service: children's legal representatives, as state bodies' systems record them. A
 * representative sees and opens the child's documents. Both IINs only as keyed hashes.
 */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('document_representatives')
      .addColumn('child_key', 'varchar(64)', (c) => c.notNull())
      .addColumn('representative_key', 'varchar(64)', (c) => c.notNull())
      .addColumn('recorded_by', 'varchar(50)', (c) => c.notNull())
      .addColumn('until', 'bigint', (c) => c.notNull())
      .addColumn('recorded_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint')
      .addPrimaryKeyConstraint('document_representatives_pk', ['child_key', 'representative_key'])
      .execute();
    await db.schema
      .createIndex('document_representatives_representative')
      .on('document_representatives')
      .column('representative_key')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('document_representatives').execute();
  },
};
