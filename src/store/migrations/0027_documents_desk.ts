/**
 * The documents service: desk accesses, opened while the person is present at the viewer's desk. Financial and
 * payment organisations see identity documents only through one.
 */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('document_accesses').addColumn('desk', 'integer').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('document_accesses').dropColumn('desk').execute();
  },
};
