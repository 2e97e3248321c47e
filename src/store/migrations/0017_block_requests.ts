/**
 * Block requests: an operator asks that a participant breaking the security rules be blocked, with the reason;
 * the authorised body approves or declines it, and may later lift the block. The participant's state (and its
 * systems' states) before the block are kept, so lifting restores them.
 */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('block_requests')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('participant_id', 'varchar(36)', (c) => c.notNull().references('participants.id'))
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('reason', 'varchar(1000)', (c) => c.notNull())
      .addColumn('requested_by', 'varchar(100)', (c) => c.notNull())
      .addColumn('requested_at', 'bigint', (c) => c.notNull())
      .addColumn('decided_by', 'varchar(100)')
      .addColumn('decided_at', 'bigint')
      .addColumn('decision_reason', 'varchar(1000)')
      .addColumn('lifted_by', 'varchar(100)')
      .addColumn('lifted_at', 'bigint')
      .addColumn('lift_reason', 'varchar(1000)')
      .addColumn('previous_json', 'text')
      .execute();
    await db.schema
      .createIndex('block_requests_participant')
      .on('block_requests')
      .columns(['participant_id', 'status'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('block_requests').execute();
  },
};
