/**
 * The attachment store (SMEV 3 file-storage attachments, FSAttachmentsList): one row per uploaded file (its bytes
 * lie in the store's folder), and the download credentials handed to recipients, kept hashed.
 */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('attachments')
      .addColumn('uuid', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('owner', 'varchar(50)', (c) => c.notNull())
      .addColumn('file_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('mime_type', 'varchar(255)', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('attachments_created').on('attachments').column('created_at').execute();
    await db.schema
      .createTable('attachment_grants')
      .addColumn('password_hash', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('uuid', 'varchar(36)', (c) => c.notNull())
      .addColumn('system', 'varchar(50)', (c) => c.notNull())
      .addColumn('message_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('attachment_grants_expiry')
      .on('attachment_grants')
      .column('expires_at')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('attachment_grants').execute();
    await db.schema.dropTable('attachments').execute();
  },
};
