/** Tables of the certificates service. */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(_db: Kysely<unknown>) {
    // filled in with the service
  },
};
