/**
 * The queues of the asynchronous operations (SendRequest … Ack, GetStatus), shared by every gateway instance on
 * the store:
 *
 * - queue_messages: one row per queued message: a request for its recipient, an answer for its consumer, or a
 *   status notice for a consumer. A row is handed out when `visible_at` has passed; handing it out moves
 *   `visible_at` by the visibility timeout, so a message not acknowledged in time is handed out again.
 *   `request_id` ties answers and notices to their request; `reply_to` is the opaque return address of a request.
 */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('queue_messages')
      .addColumn('message_id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('kind', 'varchar(8)', (c) => c.notNull())
      .addColumn('recipient', 'varchar(50)', (c) => c.notNull())
      .addColumn('sender', 'varchar(50)', (c) => c.notNull())
      .addColumn('message_namespace', 'varchar(400)', (c) => c.notNull())
      .addColumn('message_local_name', 'varchar(200)', (c) => c.notNull())
      .addColumn('request_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('reply_to', 'varchar(64)')
      .addColumn('provider', 'varchar(500)', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('visible_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('deliveries', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    // Taking: the oldest visible message of one kind for one recipient.
    await db.schema
      .createIndex('queue_messages_take')
      .on('queue_messages')
      .columns(['recipient', 'kind', 'state', 'visible_at', 'created_at'])
      .execute();
    await db.schema.createIndex('queue_messages_reply_to').on('queue_messages').column('reply_to').execute();
    await db.schema.createIndex('queue_messages_request').on('queue_messages').column('request_id').execute();
    await db.schema.createIndex('queue_messages_expiry').on('queue_messages').column('expires_at').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('queue_messages').execute();
  },
};
