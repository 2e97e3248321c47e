/** Tables of the tests service. */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(_db: Kysely<unknown>) {
    // filled in with the service
  },
};
