/**
 * The stored files a queued message names (its RefAttachmentHeaderList), written in the transaction that queues
 * the message: the recipient's FSAttachmentsList is made from them, and a file is kept while a message names it.
 */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('queue_message_files')
      .addColumn('message_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('uuid', 'varchar(36)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('queue_message_files_pk', ['message_id', 'position'])
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
