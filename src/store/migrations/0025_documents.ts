/**
 * The documents service: published documents (the issuer's signed XML as received, the subject only as a keyed
 * hash of the IIN), temporary accesses opened by subjects (QR token and short code as keyed hashes), and every
 * attempt to see or check a document. See src/store/schema-documents.ts.
 */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('documents_keys')
      .addColumn('name', 'varchar(32)', (c) => c.primaryKey())
      .addColumn('value', 'varchar(128)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('documents')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('issuer', 'varchar(50)', (c) => c.notNull())
      .addColumn('number', 'varchar(64)', (c) => c.notNull())
      .addColumn('subject_key', 'varchar(64)', (c) => c.notNull())
      .addColumn('doc_type', 'varchar(64)', (c) => c.notNull())
      .addColumn('signed_xml', 'text', (c) => c.notNull())
      .addColumn('signer_thumbprint', 'varchar(64)', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('issued_at', 'bigint', (c) => c.notNull())
      .addColumn('status_at', 'bigint', (c) => c.notNull())
      .addColumn('status_reason', 'varchar(500)')
      .addColumn('replaced_by', 'varchar(36)')
      .addUniqueConstraint('documents_issuer_number', ['issuer', 'number'])
      .execute();
    await db.schema.createIndex('documents_subject').on('documents').column('subject_key').execute();
    await db.schema
      .createTable('document_accesses')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('document_id', 'varchar(36)', (c) => c.notNull().references('documents.id'))
      .addColumn('subject_key', 'varchar(64)', (c) => c.notNull())
      .addColumn('token_key', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('code_key', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('viewer', 'varchar(50)')
      .addColumn('opened_by', 'varchar(50)', (c) => c.notNull())
      .addColumn('opened_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('closed_at', 'bigint')
      .addColumn('failures', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('document_accesses_document')
      .on('document_accesses')
      .column('document_id')
      .execute();
    await db.schema
      .createTable('document_views')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('access_id', 'varchar(36)')
      .addColumn('document_id', 'varchar(36)')
      .addColumn('viewer', 'varchar(50)', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('method', 'varchar(8)', (c) => c.notNull())
      .addColumn('purpose', 'varchar(8)', (c) => c.notNull())
      .addColumn('result', 'varchar(32)', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('document_views_viewer_time')
      .on('document_views')
      .columns(['viewer', 'at'])
      .execute();
    await db.schema.createIndex('document_views_access').on('document_views').column('access_id').execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of ['document_views', 'document_accesses', 'documents', 'documents_keys'])
      await db.schema.dropTable(table).execute();
  },
};
