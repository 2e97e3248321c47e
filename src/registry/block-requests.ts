/**
 * Block requests: the operator asks that a participant breaking the security rules be blocked, giving the
 * reason; the authorised body (the `authority` role, a role of its own, so the operator cannot approve its own
 * request) approves or declines it. On approval the participant and its systems become blocked at once — the
 * directory refuses their requests with AccessDenied from its next reload — and their earlier states are kept;
 * the same body may later lift the block, which restores them. Every step goes through the audit trail.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ParticipantStatus, SystemStatus } from '../store/schema.js';
import type { BlockRequestStatus, BlockRequestTable } from '../store/schema-regional.js';
import { RegistryError, conflict, invalid, notFound } from './errors.js';
import { ReasonInput, parseInput, text } from './inputs.js';
import { TRANSITIONS } from './lifecycle.js';
import { moveParticipant, participantRow } from './rows.js';
import { runChange, updateVersioned } from './transaction.js';
import { requireRole, type Actor, type Db, type RegistryContext, type Trx } from './types.js';

const BlockRequestInput = z
  .object({
    participantId: text(36),
    reason: text(1000),
  })
  .strict();

const STATUSES: readonly BlockRequestStatus[] = ['requested', 'approved', 'declined', 'lifted'];

/** What the participant and its systems were before the block, restored when it is lifted. */
interface PreviousState {
  readonly status: ParticipantStatus;
  readonly systems: ReadonlyArray<{ readonly mnemonic: string; readonly status: SystemStatus }>;
}

export class BlockRequests {
  constructor(private readonly ctx: RegistryContext) {}

  /** The operator's request, with the reason; one open request or block per participant at a time. */
  async request(actor: Actor, body: unknown) {
    requireRole(actor, 'operator');
    const input = parseInput(BlockRequestInput, body);
    const now = this.ctx.clock().getTime();
    const row: BlockRequestTable = {
      id: randomUUID(),
      participant_id: input.participantId,
      status: 'requested',
      reason: input.reason,
      requested_by: actor.name,
      requested_at: now,
      decided_by: null,
      decided_at: null,
      decision_reason: null,
      lifted_by: null,
      lifted_at: null,
      lift_reason: null,
      previous_json: null,
    };
    return runChange(this.ctx, actor, 'block.request', 'block-request', row.id, async (trx) => {
      const participant = await participantRow(trx, input.participantId);
      if (!(TRANSITIONS.block.from as readonly ParticipantStatus[]).includes(participant.status))
        throw conflict(`a participant that is ${participant.status} cannot be blocked`);
      const open = await trx
        .selectFrom('block_requests')
        .select(['id', 'status'])
        .where('participant_id', '=', input.participantId)
        .where('status', 'in', ['requested', 'approved'])
        .executeTakeFirst();
      if (open)
        throw conflict(
          open.status === 'requested'
            ? `a request to block this participant is already waiting (${open.id})`
            : `this participant is already blocked (${open.id})`,
        );
      await trx.insertInto('block_requests').values(row).execute();
      return { before: undefined, after: present(row), result: present(row) };
    });
  }

  /** The authorised body approves: the participant and its systems are blocked. */
  async approve(actor: Actor, id: string, body: unknown) {
    requireRole(actor, 'authority');
    const reason = parseInput(ReasonInput, body ?? {}).reason || null;
    const now = this.ctx.clock();
    return runChange(this.ctx, actor, 'block.approve', 'block-request', id, async (trx) => {
      const before = await this.row(trx, id);
      this.notOwn(actor, before);
      if (before.status !== 'requested') throw conflict(`the request is already ${before.status}`);
      const participant = await participantRow(trx, before.participant_id);
      if (!(TRANSITIONS.block.from as readonly ParticipantStatus[]).includes(participant.status))
        throw conflict(`a participant that is ${participant.status} cannot be blocked`);
      const systems = await trx
        .selectFrom('information_systems')
        .select(['id', 'mnemonic', 'status', 'version'])
        .where('participant_id', '=', participant.id)
        .orderBy('mnemonic')
        .execute();
      const previous: PreviousState = {
        status: participant.status,
        systems: systems.map((s) => ({ mnemonic: s.mnemonic, status: s.status })),
      };
      const why = `block request ${id}: ${before.reason}`;
      await moveParticipant(trx, participant, 'blocked', actor, why, now);
      for (const system of systems)
        if (system.status !== 'blocked') await this.setSystem(trx, system, 'blocked', now);
      const after: BlockRequestTable = {
        ...before,
        status: 'approved',
        decided_by: actor.name,
        decided_at: now.getTime(),
        decision_reason: reason,
        previous_json: JSON.stringify(previous),
      };
      await this.update(trx, before, after);
      return { before: present(before), after: present(after), result: present(after) };
    });
  }

  /** The authorised body declines, with a reason; nothing else changes. */
  async decline(actor: Actor, id: string, body: unknown) {
    requireRole(actor, 'authority');
    const reason = parseInput(ReasonInput, body ?? {}).reason;
    if (!reason) throw invalid('reason', 'a reason is required to decline a block request');
    const now = this.ctx.clock().getTime();
    return runChange(this.ctx, actor, 'block.decline', 'block-request', id, async (trx) => {
      const before = await this.row(trx, id);
      this.notOwn(actor, before);
      if (before.status !== 'requested') throw conflict(`the request is already ${before.status}`);
      const after: BlockRequestTable = {
        ...before,
        status: 'declined',
        decided_by: actor.name,
        decided_at: now,
        decision_reason: reason,
      };
      await this.update(trx, before, after);
      return { before: present(before), after: present(after), result: present(after) };
    });
  }

  /** The authorised body lifts an approved block: the participant and its systems get their states back. */
  async lift(actor: Actor, id: string, body: unknown) {
    requireRole(actor, 'authority');
    const reason = parseInput(ReasonInput, body ?? {}).reason;
    if (!reason) throw invalid('reason', 'a reason is required to lift a block');
    const now = this.ctx.clock();
    return runChange(this.ctx, actor, 'block.lift', 'block-request', id, async (trx) => {
      const before = await this.row(trx, id);
      if (before.status !== 'approved')
        throw conflict(`only an approved block is lifted; this is ${before.status}`);
      const previous = JSON.parse(before.previous_json ?? 'null') as PreviousState | null;
      if (!previous) throw new Error(`block request ${id} was approved without the state before it`);
      const participant = await participantRow(trx, before.participant_id);
      if (participant.status !== 'blocked')
        throw conflict(`the participant is ${participant.status}, not blocked; there is nothing to lift`);
      const why = `block request ${id} lifted: ${reason}`;
      await moveParticipant(trx, participant, previous.status, actor, why, now);
      const wanted = new Map(previous.systems.map((s) => [s.mnemonic, s.status]));
      const systems = await trx
        .selectFrom('information_systems')
        .select(['id', 'mnemonic', 'status', 'version'])
        .where('participant_id', '=', participant.id)
        .execute();
      for (const system of systems) {
        const status = wanted.get(system.mnemonic);
        if (status && status !== 'blocked' && system.status === 'blocked')
          await this.setSystem(trx, system, status, now);
      }
      const after: BlockRequestTable = {
        ...before,
        status: 'lifted',
        lifted_by: actor.name,
        lifted_at: now.getTime(),
        lift_reason: reason,
      };
      await this.update(trx, before, after);
      return { before: present(before), after: present(after), result: present(after) };
    });
  }

  async list(filter: { status?: string; participantId?: string } = {}) {
    let query = this.ctx.db.selectFrom('block_requests').selectAll().orderBy('requested_at', 'desc');
    if (filter.status) {
      if (!(STATUSES as readonly string[]).includes(filter.status))
        throw invalid('status', `must be one of ${STATUSES.join(', ')}`);
      query = query.where('status', '=', filter.status as BlockRequestStatus);
    }
    if (filter.participantId) query = query.where('participant_id', '=', filter.participantId);
    return (await query.execute()).map(present);
  }

  async get(id: string) {
    return present(await this.row(this.ctx.db, id));
  }

  /** The body that decides is never the one that asked, even under one name in two roles. */
  private notOwn(actor: Actor, row: BlockRequestTable): void {
    if (row.requested_by === actor.name)
      throw new RegistryError(
        'forbidden',
        'the request is decided by someone other than the one who made it',
      );
  }

  private async row(db: Db, id: string): Promise<BlockRequestTable> {
    const row = await db.selectFrom('block_requests').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`block request ${id}`);
    return row;
  }

  private async update(trx: Trx, before: BlockRequestTable, after: BlockRequestTable): Promise<void> {
    const { id: _id, ...changes } = after;
    const updated = await trx
      .updateTable('block_requests')
      .set(changes)
      .where('id', '=', before.id)
      .where('status', '=', before.status)
      .executeTakeFirst();
    if (!updated.numUpdatedRows) throw conflict('the request was decided by someone else; reload');
  }

  private async setSystem(
    trx: Trx,
    system: { id: string; mnemonic: string; version: number },
    status: SystemStatus,
    now: Date,
  ): Promise<void> {
    const changes = { status, updated_at: now.getTime(), version: system.version + 1 };
    await updateVersioned(
      trx,
      'information_systems',
      system.id,
      system.version,
      changes,
      `the system ${system.mnemonic}`,
    );
  }
}

function present(row: BlockRequestTable) {
  const at = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
  const previous = row.previous_json ? (JSON.parse(row.previous_json) as PreviousState) : null;
  return {
    id: row.id,
    participantId: row.participant_id,
    status: row.status,
    reason: row.reason,
    requestedBy: row.requested_by,
    requestedAt: at(row.requested_at),
    decidedBy: row.decided_by,
    decidedAt: at(row.decided_at),
    decisionReason: row.decision_reason,
    liftedBy: row.lifted_by,
    liftedAt: at(row.lifted_at),
    liftReason: row.lift_reason,
    ...(previous ? { previous } : {}),
  };
}
