/**
 * Routes a participant applies for (Perm rules): a participant asks for a route of a message type from one of
 * its systems to a recipient; the operator approves it (the route is entered, with the provider the operator
 * names, `queue` by default) or declines it with a reason. The operator may also apply on a participant's behalf.
 */
import { randomUUID } from 'node:crypto';
import { QUEUE_PROVIDER } from '../core/ports.js';
import type { RouteApplicationStatus, RouteApplicationTable } from '../store/schema-regional.js';
import { RegistryError, conflict, invalid, notFound } from './errors.js';
import { ApprovalInput, ReasonInput, RouteApplicationInput, checkedMnemonic, parseInput } from './inputs.js';
import { seenSystemRow, systemRow } from './rows.js';
import { findRoute, insertRoute } from './routes.js';
import { runChange } from './transaction.js';
import { requireRole, type Actor, type RegistryContext, type Trx } from './types.js';

export class RouteApplications {
  constructor(private readonly ctx: RegistryContext) {}

  async apply(actor: Actor, body: unknown) {
    if (actor.role !== 'participant' && actor.role !== 'operator')
      throw new RegistryError('forbidden', 'routes are applied for by a participant or the operator');
    const input = parseInput(RouteApplicationInput, body);
    const consumer = checkedMnemonic(input.consumer, 'consumer');
    const recipient = checkedMnemonic(input.recipient, 'recipient');
    const now = this.ctx.clock().getTime();
    return runChange(this.ctx, actor, 'route.apply', 'route-application', consumer, async (trx) => {
      // Another participant's system is out of a participant's sight: not found, as if it did not exist, so that
      // applying tells it nothing of which mnemonics others have.
      const system = await seenSystemRow(trx, actor, consumer);
      if (system.status !== 'active') throw conflict(`${consumer} is ${system.status}`);
      await systemRow(trx, recipient);
      const pending = await trx
        .selectFrom('route_applications')
        .select('id')
        .where('consumer', '=', consumer)
        .where('namespace', '=', input.namespace)
        .where('local_name', '=', input.localName)
        .where('status', '=', 'applied')
        .executeTakeFirst();
      if (pending) throw conflict(`an application for this route is already waiting (${pending.id})`);
      const route = await findRoute(trx, system.id, input);
      if (route) throw conflict(`${consumer} already has this route (${route})`);
      const row: RouteApplicationTable = {
        id: randomUUID(),
        participant_id: system.participant_id,
        consumer,
        namespace: input.namespace,
        local_name: input.localName,
        recipient,
        provider: QUEUE_PROVIDER,
        status: 'applied',
        applied_by: actor.name,
        applied_at: now,
        decided_by: null,
        decided_at: null,
        reason: null,
        route_id: null,
      };
      await trx.insertInto('route_applications').values(row).execute();
      return { before: undefined, after: present(row), result: present(row) };
    });
  }

  async approve(actor: Actor, id: string, body: unknown) {
    requireRole(actor, 'operator');
    const { provider } = parseInput(ApprovalInput, body ?? {});
    return this.decide(actor, id, 'approved', null, async (trx, row) => {
      const route = await insertRoute(
        trx,
        {
          consumer: row.consumer,
          namespace: row.namespace,
          localName: row.local_name,
          recipient: row.recipient,
          provider: provider ?? row.provider,
        },
        this.ctx.clock(),
      );
      return { route_id: route.id, provider: route.provider };
    });
  }

  async decline(actor: Actor, id: string, body: unknown) {
    requireRole(actor, 'operator');
    const { reason } = parseInput(ReasonInput, body ?? {});
    if (!reason?.trim()) throw invalid('reason', 'a reason is required to decline');
    return this.decide(actor, id, 'declined', reason, async () => ({}));
  }

  /** Applications, newest first; a participant sees only its own. */
  async list(actor: Actor, filter: { status?: string } = {}) {
    let query = this.ctx.db.selectFrom('route_applications').selectAll().orderBy('applied_at', 'desc');
    if (actor.role === 'participant') query = query.where('participant_id', '=', actor.participantId ?? '');
    if (filter.status) query = query.where('status', '=', filter.status as RouteApplicationStatus);
    return (await query.execute()).map(present);
  }

  private decide(
    actor: Actor,
    id: string,
    status: RouteApplicationStatus,
    reason: string | null,
    work: (trx: Trx, row: RouteApplicationTable) => Promise<Partial<RouteApplicationTable>>,
  ) {
    const verb = status === 'approved' ? 'approve' : 'decline';
    return runChange(this.ctx, actor, `route.${verb}`, 'route-application', id, async (trx) => {
      const before = await trx
        .selectFrom('route_applications')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!before) throw notFound(`route application ${id}`);
      if (before.status !== 'applied') throw conflict(`the application is already ${before.status}`);
      const changes: Partial<RouteApplicationTable> = {
        ...(await work(trx, before)),
        status,
        reason,
        decided_by: actor.name,
        decided_at: this.ctx.clock().getTime(),
      };
      const updated = await trx
        .updateTable('route_applications')
        .set(changes)
        .where('id', '=', id)
        .where('status', '=', 'applied')
        .executeTakeFirst();
      if (!updated.numUpdatedRows) throw conflict('the application was decided by someone else');
      const after = { ...before, ...changes };
      return { before: present(before), after: present(after), result: present(after) };
    });
  }
}

function present(row: RouteApplicationTable) {
  return {
    id: row.id,
    participantId: row.participant_id,
    consumer: row.consumer,
    namespace: row.namespace,
    localName: row.local_name,
    recipient: row.recipient,
    provider: row.provider,
    status: row.status,
    appliedBy: row.applied_by,
    appliedAt: new Date(Number(row.applied_at)).toISOString(),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at === null ? null : new Date(Number(row.decided_at)).toISOString(),
    reason: row.reason,
    routeId: row.route_id,
  };
}
