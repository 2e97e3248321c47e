/**
 * Tables of the cards service (the regional social card system: Mir cards connected at connection points).
 *
 * - social_cards: the register. The card number (PAN) is never stored: only its keyed hash (HMAC-SHA256 with
 *   the service's secret) and its last four digits. The holder is kept as the keyed hash of the SNILS (enough
 *   to tell the same holder from another) and a display name "Surname I. P.". `pan_hash` is unique; a card
 *   taken off the register loses it (NULL), so its number no longer leads to it and can be registered again.
 * - social_card_events: who did what to a card and why (registration, block, unblock, deregistration).
 * - social_card_keys: the generated PAN hashing secret of an install that configures none, the check value of
 *   the secret the register was built with, and the sample-seeding mark.
 *
 * Sample cards are not seeded here: their hashes need the secret, so the provider seeds them on its first start.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('social_cards')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('pan_hash', 'varchar(64)', (c) => c.unique())
      .addColumn('pan_last4', 'varchar(4)', (c) => c.notNull())
      .addColumn('holder_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('holder_display', 'varchar(120)', (c) => c.notNull())
      .addColumn('connection_point', 'varchar(64)', (c) => c.notNull())
      .addColumn('registered_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('status_reason', 'varchar(500)')
      .addColumn('registered_at', 'bigint', (c) => c.notNull())
      .addColumn('status_changed_at', 'bigint', (c) => c.notNull())
      .addCheckConstraint('social_cards_status', sqlStatusCheck())
      .execute();
    await db.schema.createIndex('social_cards_holder').on('social_cards').column('holder_hash').execute();
    await db.schema
      .createIndex('social_cards_status_registered')
      .on('social_cards')
      .columns(['status', 'registered_at'])
      .execute();
    await db.schema
      .createTable('social_card_events')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('card_id', 'varchar(36)', (c) => c.notNull().references('social_cards.id'))
      .addColumn('action', 'varchar(16)', (c) => c.notNull())
      .addColumn('system', 'varchar(64)', (c) => c.notNull())
      .addColumn('reason', 'varchar(500)')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('social_card_events_card')
      .on('social_card_events')
      .column('card_id')
      .execute();
    await db.schema
      .createTable('social_card_keys')
      .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('value', 'varchar(200)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('social_card_keys').execute();
    await db.schema.dropTable('social_card_events').execute();
    await db.schema.dropTable('social_cards').execute();
  },
};

function sqlStatusCheck() {
  return sql`status in ('ACTIVE', 'BLOCKED', 'DEREGISTERED')`;
}
