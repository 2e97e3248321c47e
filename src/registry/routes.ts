/**
 * Routes: which recipient and provider take a consumer system's messages of one type. The operator enters them
 * directly or by approving a participant's application (route-applications.ts); both go through `insertRoute`.
 */
import { randomUUID } from 'node:crypto';
import type { MessageType } from '../core/model.js';
import { conflict, invalid, notFound } from './errors.js';
import { RouteInput, checkedMnemonic, parseInput, queueNameProblem } from './inputs.js';
import { systemRow } from './rows.js';
import { maySee } from './scope.js';
import { runChange } from './transaction.js';
import { requireRole, type Actor, type Db, type RegistryContext, type Trx } from './types.js';

export class Routes {
  constructor(private readonly ctx: RegistryContext) {}

  async add(actor: Actor, body: unknown) {
    requireRole(actor, 'operator');
    const input = parseInput(RouteInput, body);
    const subject = `${input.consumer}:${input.localName}`;
    return runChange(this.ctx, actor, 'route.add', 'route', subject, async (trx) => {
      const after = await insertRoute(trx, input, this.ctx.clock());
      return { before: undefined, after, result: after };
    });
  }

  async withdraw(actor: Actor, id: string) {
    requireRole(actor, 'operator');
    return runChange(this.ctx, actor, 'route.withdraw', 'route', id, async (trx) => {
      const before = await trx.selectFrom('routes').selectAll().where('id', '=', id).executeTakeFirst();
      if (!before) throw notFound(`route ${id}`);
      await trx.deleteFrom('routes').where('id', '=', id).execute();
      return { before, after: undefined, result: { id, withdrawn: true } };
    });
  }

  /** The routes of the consumers `viewer` may see: a route is its consumer participant's (scope.ts). */
  async list(viewer: Actor) {
    const rows = await this.ctx.db
      .selectFrom('routes as r')
      .innerJoin('information_systems as c', 'c.id', 'r.consumer_system_id')
      .innerJoin('participants as p', 'p.id', 'c.participant_id')
      .innerJoin('information_systems as t', 't.id', 'r.recipient_system_id')
      .select([
        'r.id',
        'c.mnemonic as consumer',
        'r.message_namespace as namespace',
        'r.message_local_name as localName',
        't.mnemonic as recipient',
        'r.provider',
        'p.id as participantId',
        'p.sphere',
      ])
      .orderBy('c.mnemonic')
      .orderBy('r.message_local_name')
      .execute();
    return rows
      .filter((row) => maySee(viewer, { id: row.participantId, sphere: row.sphere }))
      .map(({ participantId: _id, sphere: _sphere, ...route }) => route);
  }
}

/** The id of the consumer system's route for a message type, if it has one. */
export async function findRoute(db: Db, consumerSystemId: string, type: MessageType) {
  const row = await db
    .selectFrom('routes')
    .select('id')
    .where('consumer_system_id', '=', consumerSystemId)
    .where('message_namespace', '=', type.namespace)
    .where('message_local_name', '=', type.localName)
    .executeTakeFirst();
  return row?.id;
}

/** Enter a route (the operator's own, or an approved application) after the same checks. */
export async function insertRoute(trx: Trx, input: RouteInput, now: Date) {
  // Checked here too: an application stored before the limit was checked is approved through this door.
  const tooLong = queueNameProblem(input);
  if (tooLong) throw invalid('localName', tooLong);
  const consumer = await systemRow(trx, checkedMnemonic(input.consumer, 'consumer'));
  const recipient = await systemRow(trx, checkedMnemonic(input.recipient, 'recipient'));
  if (await findRoute(trx, consumer.id, input))
    throw conflict(`${input.consumer} already has a route for {${input.namespace}}${input.localName}`);
  const row = {
    id: randomUUID(),
    consumer_system_id: consumer.id,
    message_namespace: input.namespace,
    message_local_name: input.localName,
    recipient_system_id: recipient.id,
    provider: input.provider,
    status: 'active' as const,
    added_at: now.getTime(),
  };
  await trx.insertInto('routes').values(row).execute();
  return { id: row.id, ...input };
}
