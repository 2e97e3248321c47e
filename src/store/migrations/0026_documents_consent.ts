/**
 * The documents service: the subject's consent by one-time SMS code. An access opened with the subject's phone
 * waits for the code sent there (kept as an HMAC under a per-code salt) and opens only when it is confirmed.
 */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    const add = (column: string, type: 'varchar(64)' | 'bigint' | 'integer') =>
      db.schema.alterTable('document_accesses').addColumn(column, type).execute();
    await add('consent_salt', 'varchar(64)');
    await add('consent_hash', 'varchar(64)');
    await add('consent_expires_at', 'bigint');
    await add('consent_failures', 'integer');
    await add('confirmed_at', 'bigint');
  },
  async down(db: Kysely<unknown>) {
    for (const column of [
      'confirmed_at',
      'consent_failures',
      'consent_expires_at',
      'consent_hash',
      'consent_salt',
    ])
      await db.schema.alterTable('document_accesses').dropColumn(column).execute();
  },
};
