/**
 * The regional rules' registry duties (Perm and Stavropol regulations):
 *
 * - participants.kind: a state body or local government must record its interaction agreement before it becomes
 *   active; other organisations need none. Existing rows are organisations.
 * - participants.sphere: the sphere of activity (reference book `spheres`) that decides which coordinator checks
 *   the application. Existing rows get `other`.
 * - participant_agreements: the agreement with the operator (number, date, the signed document as a file).
 * - participant_changes: each reported change with the date it took effect and whether it came late.
 * - route_applications: routes a participant applies for, approved or declined by the operator.
 * - api_tokens.participant_id (a participant's own token) and api_tokens.spheres (a coordinator's spheres, JSON;
 *   NULL means every sphere).
 */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('participants')
      .addColumn('kind', 'varchar(20)', (c) => c.notNull().defaultTo('organisation'))
      .execute();
    await db.schema
      .alterTable('participants')
      .addColumn('sphere', 'varchar(50)', (c) => c.notNull().defaultTo('other'))
      .execute();
    await db.schema.alterTable('api_tokens').addColumn('participant_id', 'varchar(36)').execute();
    await db.schema.alterTable('api_tokens').addColumn('spheres', 'varchar(2000)').execute();
    await db.schema
      .createTable('participant_agreements')
      .addColumn('participant_id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('number', 'varchar(100)', (c) => c.notNull())
      .addColumn('signed_on', 'varchar(10)', (c) => c.notNull())
      .addColumn('file_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('media_type', 'varchar(100)', (c) => c.notNull())
      .addColumn('file_sha256', 'varchar(64)', (c) => c.notNull())
      .addColumn('file_base64', 'text', (c) => c.notNull())
      .addColumn('recorded_by', 'varchar(200)', (c) => c.notNull())
      .addColumn('recorded_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('participant_changes')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('participant_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('changed_on', 'varchar(10)', (c) => c.notNull())
      .addColumn('reported_at', 'bigint', (c) => c.notNull())
      .addColumn('due_at', 'bigint', (c) => c.notNull())
      .addColumn('late', 'integer', (c) => c.notNull())
      .addColumn('actor', 'varchar(200)', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('participant_changes_participant')
      .on('participant_changes')
      .column('participant_id')
      .execute();
    await db.schema
      .createTable('route_applications')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('participant_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('consumer', 'varchar(64)', (c) => c.notNull())
      .addColumn('namespace', 'varchar(500)', (c) => c.notNull())
      .addColumn('local_name', 'varchar(200)', (c) => c.notNull())
      .addColumn('recipient', 'varchar(64)', (c) => c.notNull())
      .addColumn('provider', 'varchar(1000)', (c) => c.notNull())
      .addColumn('status', 'varchar(20)', (c) => c.notNull())
      .addColumn('applied_by', 'varchar(200)', (c) => c.notNull())
      .addColumn('applied_at', 'bigint', (c) => c.notNull())
      .addColumn('decided_by', 'varchar(200)')
      .addColumn('decided_at', 'bigint')
      .addColumn('reason', 'varchar(1000)')
      .addColumn('route_id', 'varchar(36)')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('route_applications').execute();
    await db.schema.dropTable('participant_changes').execute();
    await db.schema.dropTable('participant_agreements').execute();
    await db.schema.alterTable('api_tokens').dropColumn('spheres').execute();
    await db.schema.alterTable('api_tokens').dropColumn('participant_id').execute();
    await db.schema.alterTable('participants').dropColumn('sphere').execute();
    await db.schema.alterTable('participants').dropColumn('kind').execute();
  },
};
