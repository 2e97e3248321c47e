/**
 * The migrations, in order. Each is written once with kysely's schema builder so the same code migrates
 * SQLite and PostgreSQL. Never edit a released migration; add the next one.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { migration as certificates } from './migrations/0003_certificates.js';
import { migration as cards } from './migrations/0004_cards.js';
import { migration as tests } from './migrations/0005_tests.js';
import { migration as queue } from './migrations/0007_queue.js';
import { migration as attachmentStore } from './migrations/0013_attachment_store.js';
import { migration as queueMessageFiles } from './migrations/0014_queue_message_files.js';
import { migration as referenceBookHistory } from './migrations/0016_reference_book_history.js';
import { migration as blockRequests } from './migrations/0017_block_requests.js';
import { migration as queuePerSender } from './migrations/0023_queue_per_sender.js';
import { migration as regionalRegistry } from './migrations/0020_regional_registry.js';
import { migration as referenceBooks } from './migrations/0021_reference_books.js';
import { migration as testsConsents } from './migrations/0022_tests_consents.js';
import { migration as documents } from './migrations/0025_documents.js';
import { migration as documentsConsent } from './migrations/0026_documents_consent.js';
import { migration as documentsDesk } from './migrations/0027_documents_desk.js';
import { migration as documentsRepresentatives } from './migrations/0028_documents_representatives.js';
import { migration as consoleSessions } from './migrations/0029_console_sessions.js';

const migrations: Record<string, Migration> = {
  '0001_replay_protection': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('seen_message_ids')
        .addColumn('message_id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('sender', 'varchar(64)', (c) => c.notNull())
        .addColumn('message_time', 'bigint', (c) => c.notNull())
        .addColumn('seen_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('seen_message_ids_message_time')
        .on('seen_message_ids')
        .column('message_time')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('seen_message_ids').execute();
    },
  },
  '0002_registry_and_audit': {
    async up(db: Kysely<unknown>) {
      // Participants (organisations) carry the application lifecycle: submitted → checked | declined →
      // registered → active → suspended | blocked | withdrawn. `version` guards concurrent transitions.
      await db.schema
        .createTable('participants')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('registry_code', 'varchar(32)', (c) => c.unique())
        .addColumn('full_name', 'varchar(500)', (c) => c.notNull())
        .addColumn('short_name', 'varchar(200)', (c) => c.notNull())
        .addColumn('legal_form', 'varchar(100)', (c) => c.notNull())
        .addColumn('ogrn', 'varchar(15)', (c) => c.notNull().unique())
        .addColumn('inn', 'varchar(12)', (c) => c.notNull())
        .addColumn('kpp', 'varchar(9)')
        .addColumn('address', 'varchar(500)', (c) => c.notNull())
        .addColumn('head_name', 'varchar(200)', (c) => c.notNull())
        .addColumn('contact_name', 'varchar(200)', (c) => c.notNull())
        .addColumn('contact_position', 'varchar(200)', (c) => c.notNull())
        .addColumn('contact_phone', 'varchar(20)', (c) => c.notNull())
        .addColumn('contact_email', 'varchar(254)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('submitted_at', 'bigint', (c) => c.notNull())
        .addColumn('coordinator_due', 'bigint', (c) => c.notNull())
        .addColumn('operator_due', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('participant_transitions')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('participant_id', 'varchar(36)', (c) => c.notNull().references('participants.id'))
        .addColumn('from_status', 'varchar(16)')
        .addColumn('to_status', 'varchar(16)', (c) => c.notNull())
        .addColumn('actor', 'varchar(100)', (c) => c.notNull())
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('reason', 'varchar(1000)')
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('information_systems')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('mnemonic', 'varchar(50)', (c) => c.notNull().unique())
        .addColumn('name', 'varchar(500)', (c) => c.notNull())
        .addColumn('participant_id', 'varchar(36)', (c) => c.notNull().references('participants.id'))
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('system_certificates')
        .addColumn('thumbprint', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('system_id', 'varchar(36)', (c) => c.notNull().references('information_systems.id'))
        .addColumn('subject', 'varchar(1000)', (c) => c.notNull())
        .addColumn('serial', 'varchar(64)', (c) => c.notNull())
        .addColumn('not_before', 'bigint', (c) => c.notNull())
        .addColumn('not_after', 'bigint', (c) => c.notNull())
        .addColumn('pem', 'text', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('added_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('routes')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('consumer_system_id', 'varchar(36)', (c) =>
          c.notNull().references('information_systems.id'),
        )
        .addColumn('message_namespace', 'varchar(500)', (c) => c.notNull())
        .addColumn('message_local_name', 'varchar(200)', (c) => c.notNull())
        .addColumn('recipient_system_id', 'varchar(36)', (c) =>
          c.notNull().references('information_systems.id'),
        )
        .addColumn('provider', 'varchar(1000)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('added_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('routes_consumer_message_type', [
          'consumer_system_id',
          'message_namespace',
          'message_local_name',
        ])
        .execute();
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(200)', (c) => c.notNull())
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      // The registry's change counter: every change bumps it, so gateways notice changes with one cheap read.
      await db.schema
        .createTable('registry_revision')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('revision', 'bigint', (c) => c.notNull())
        .execute();
      await db
        .insertInto('registry_revision' as never)
        .values({ id: 1, revision: 0 } as never)
        .execute();

      // The audit trail: append-only, hash-chained; the head row serialises appends across gateway instances.
      await db.schema
        .createTable('audit_entries')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'varchar(100)', (c) => c.notNull())
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('action', 'varchar(64)', (c) => c.notNull())
        .addColumn('subject_type', 'varchar(32)', (c) => c.notNull())
        .addColumn('subject_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('before_json', 'text')
        .addColumn('after_json', 'text')
        .addColumn('prev_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('hash', 'varchar(64)', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('audit_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('hash', 'varchar(64)', (c) => c.notNull())
        .execute();
      await db
        .insertInto('audit_head' as never)
        .values({ id: 1, seq: 0, hash: '0'.repeat(64) } as never)
        .execute();
      await db.schema
        .createTable('audit_checkpoints')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('head_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('algorithm', 'varchar(200)', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('certificate', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0003_certificates': certificates,
  '0004_cards': cards,
  '0005_tests': tests,
  '0006_message_log': {
    async up(db: Kysely<unknown>) {
      // One record per exchange, hash-chained per gateway instance. The hash covers the bodies' digests, so a
      // record whose bodies are not kept (personal data) still verifies.
      await db.schema
        .createTable('message_log')
        .addColumn('instance_id', 'varchar(100)', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('request_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('operation', 'varchar(32)', (c) => c.notNull())
        .addColumn('message_id', 'varchar(36)')
        .addColumn('answer_message_id', 'varchar(36)')
        .addColumn('reference_message_id', 'varchar(36)')
        .addColumn('sender', 'varchar(64)')
        .addColumn('recipient', 'varchar(64)')
        .addColumn('message_type', 'varchar(800)')
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('answered_at', 'bigint', (c) => c.notNull())
        .addColumn('duration_us', 'bigint', (c) => c.notNull())
        .addColumn('http_status', 'integer', (c) => c.notNull())
        .addColumn('fault_code', 'varchar(200)')
        .addColumn('certificate', 'varchar(64)')
        .addColumn('verification', 'varchar(200)', (c) => c.notNull())
        .addColumn('request_digest', 'varchar(64)', (c) => c.notNull())
        .addColumn('answer_digest', 'varchar(64)', (c) => c.notNull())
        .addColumn('request_xml', 'text')
        .addColumn('answer_xml', 'text')
        .addColumn('prev_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('hash', 'varchar(64)', (c) => c.notNull())
        .addPrimaryKeyConstraint('message_log_pk', ['instance_id', 'seq'])
        .execute();
      await db.schema.createIndex('message_log_received').on('message_log').column('received_at').execute();
      await db.schema.createIndex('message_log_message_id').on('message_log').column('message_id').execute();
      await db.schema
        .createTable('message_log_checkpoints')
        .addColumn('instance_id', 'varchar(100)', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('head_hash', 'varchar(64)', (c) => c.notNull())
        /** 'head' for a regular checkpoint; 'cut' when retention removed every record up to `seq`. */
        .addColumn('kind', 'varchar(8)', (c) => c.notNull())
        .addColumn('algorithm', 'varchar(200)', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('certificate', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('message_log_checkpoints_pk', ['instance_id', 'seq', 'kind'])
        .execute();
      await db.schema
        .createTable('message_log_archives')
        .addColumn('instance_id', 'varchar(100)', (c) => c.notNull())
        .addColumn('from_seq', 'bigint', (c) => c.notNull())
        .addColumn('to_seq', 'bigint', (c) => c.notNull())
        .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
        .addColumn('file', 'varchar(1000)', (c) => c.notNull())
        .addColumn('verified_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('message_log_archives_pk', ['instance_id', 'to_seq'])
        .execute();
    },
  },
  '0007_queue': queue,
  '0008_queue_attachments': {
    // Inline attachments (AttachmentContentList) travel with their queued message.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('queue_messages').addColumn('attachments', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('queue_messages').dropColumn('attachments').execute();
    },
  },
  '0009_rate_buckets': {
    // The rate quota's token buckets, one per sending system, shared by every instance on the store.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('rate_buckets')
        .addColumn('system', 'varchar(100)', (c) => c.primaryKey())
        .addColumn('tokens', 'double precision', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('rate_buckets').execute();
    },
  },
  '0010_seen_messages_per_sender': {
    // One seen-set for every operation, keyed by sender and MessageID: a MessageID is scoped to the system that
    // sent it, so no system can spend another's. The table is rebuilt, since SQLite cannot change a primary key.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('seen_message_ids_0010')
        .addColumn('sender', 'varchar(100)', (c) => c.notNull())
        .addColumn('message_id', 'varchar(100)', (c) => c.notNull())
        .addColumn('message_time', 'bigint', (c) => c.notNull())
        .addColumn('seen_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('seen_message_ids_sender_pk', ['sender', 'message_id'])
        .execute();
      await sql`insert into seen_message_ids_0010 (sender, message_id, message_time, seen_at)
        select sender, message_id, message_time, seen_at from seen_message_ids`.execute(db);
      await db.schema.dropTable('seen_message_ids').execute();
      await db.schema.alterTable('seen_message_ids_0010').renameTo('seen_message_ids').execute();
      await db.schema
        .createIndex('seen_message_ids_message_time')
        .on('seen_message_ids')
        .column('message_time')
        .execute();
    },
  },
  // The message log proves itself: request sizes in the hash, RFC 3161 tokens on checkpoints.
  '0012_message_log_sizes_and_timestamps': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('message_log').addColumn('request_bytes', 'bigint').execute();
      await db.schema.alterTable('message_log_checkpoints').addColumn('timestamp_token', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('message_log_checkpoints').dropColumn('timestamp_token').execute();
      await db.schema.alterTable('message_log').dropColumn('request_bytes').execute();
    },
  },
  '0013_attachment_store': attachmentStore,
  '0014_queue_message_files': queueMessageFiles,
  '0015_queue_transaction_code': {
    // A request's TransactionCode, echoed as OriginalTransactionCode in the answers to it.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('queue_messages').addColumn('transaction_code', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('queue_messages').dropColumn('transaction_code').execute();
    },
  },
  '0016_reference_book_history': referenceBookHistory,
  '0017_block_requests': blockRequests,
  '0020_regional_registry': regionalRegistry,
  '0021_reference_books': referenceBooks,
  '0022_tests_consents': testsConsents,
  '0023_queue_per_sender': queuePerSender,
  '0024_queue_contract_version': {
    // Each queued message keeps the message-exchange contract version it was sent in, and is handed out only in
    // that version; a request keeps its ReferenceMessageID, which 1.2 answers must repeat.
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('queue_messages')
        .addColumn('contract_version', 'varchar(10)', (c) => c.notNull().defaultTo('1.1'))
        .execute();
      await db.schema
        .alterTable('queue_messages')
        .addColumn('reference_message_id', 'varchar(100)')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('queue_messages').dropColumn('reference_message_id').execute();
      await db.schema.alterTable('queue_messages').dropColumn('contract_version').execute();
    },
  },
  '0025_documents': documents,
  '0026_documents_consent': documentsConsent,
  '0027_documents_desk': documentsDesk,
  '0028_documents_representatives': documentsRepresentatives,
  '0029_console_sessions': consoleSessions,
  '0030_tests_sample_result_sender': {
    // Contacts are answered only to the system that recorded the result: the sample result is now recorded by the
    // sample system the documentation asks for contacts with, so the sample flow still answers.
    up: moveSampleResult('SAMPLE_LAB', 'SOCPROTECT_47'),
    down: moveSampleResult('SOCPROTECT_47', 'SAMPLE_LAB'),
  },
};

/** Gives the sample positive result (migration 0005) to another sender. */
function moveSampleResult(from: string, to: string) {
  return async (db: Kysely<unknown>) => {
    await db
      .updateTable('tests_positive_results' as never)
      .set({ sender: to } as never)
      .where('sender' as never, '=', from as never)
      .where('result_id' as never, '=', 'SAMPLE-0001' as never)
      .execute();
  };
}

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
