/**
 * The stored files a queued message names (its RefAttachmentHeaderList), written in the transaction that queues
 * the message: the recipient's FSAttachmentsList is made from them, and a file is kept while a message names it.
 */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('queue_message_files')
      .addColumn('sender', 'varchar(50)', (c) => c.notNull())
      .addColumn('message_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('uuid', 'varchar(36)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      // A queued message is known by its sender and MessageID (MessageIDs are scoped to their senders).
      .addPrimaryKeyConstraint('queue_message_files_pk', ['sender', 'message_id', 'position'])
      .execute();
    await db.schema
      .createIndex('queue_message_files_uuid')
      .on('queue_message_files')
      .column('uuid')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('queue_message_files').execute();
  },
};
