/**
 * A queued message is keyed by its sender and MessageID, as the seen-set is (0010): a MessageID is scoped to the
 * system that sent it, so a request of one system never collides with another's that happens to carry the same
 * MessageID. SQLite cannot change a primary key, so the table is rebuilt and its indexes made again.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const COLUMNS = sql.raw(
  [
    'message_id',
    'kind',
    'recipient',
    'sender',
    'message_namespace',
    'message_local_name',
    'request_id',
    'reply_to',
    'provider',
    'state',
    'body',
    'attachments',
    'transaction_code',
    'created_at',
    'visible_at',
    'expires_at',
    'deliveries',
    'updated_at',
  ].join(', '),
);

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('queue_messages_0023')
      .addColumn('message_id', 'varchar(36)', (c) => c.notNull())
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
      .addColumn('attachments', 'text')
      .addColumn('transaction_code', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('visible_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('deliveries', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('queue_messages_sender_pk', ['sender', 'message_id'])
      .execute();
    await sql`insert into queue_messages_0023 (${COLUMNS}) select ${COLUMNS} from queue_messages`.execute(db);
    await db.schema.dropTable('queue_messages').execute();
    await db.schema.alterTable('queue_messages_0023').renameTo('queue_messages').execute();
    // Taking: the oldest visible message of one kind for one recipient.
    await db.schema
      .createIndex('queue_messages_take')
      .on('queue_messages')
      .columns(['recipient', 'kind', 'state', 'visible_at', 'created_at'])
      .execute();
    await db.schema.createIndex('queue_messages_reply_to').on('queue_messages').column('reply_to').execute();
    await db.schema.createIndex('queue_messages_request').on('queue_messages').column('request_id').execute();
    await db.schema.createIndex('queue_messages_expiry').on('queue_messages').column('expires_at').execute();
    await db.schema
      .createIndex('queue_messages_recipient_message')
      .on('queue_messages')
      .columns(['recipient', 'message_id'])
      .execute();
  },
};
