/** The registry's records that several parts read by key, and the participant's moves through its lifecycle. */
import { randomUUID } from 'node:crypto';
import type { ParticipantStatus, ParticipantTable } from '../store/schema.js';
import { notFound } from './errors.js';
import { requireSeen } from './scope.js';
import { updateVersioned } from './transaction.js';
import type { Actor, Db, Trx } from './types.js';

export async function participantRow(db: Db, id: string): Promise<ParticipantTable> {
  const row = await db.selectFrom('participants').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`participant ${id}`);
  return row;
}

/** The participant as `actor` may see it; one out of its sight is not found, as one that does not exist. */
export async function seenParticipantRow(db: Db, actor: Actor, id: string): Promise<ParticipantTable> {
  const row = await participantRow(db, id);
  requireSeen(actor, row, `participant ${id}`);
  return row;
}

export async function systemRow(db: Db, mnemonic: string) {
  const row = await db
    .selectFrom('information_systems')
    .selectAll()
    .where('mnemonic', '=', mnemonic)
    .executeTakeFirst();
  if (!row) throw notFound(`information system ${mnemonic}`);
  return row;
}

/** The system as `actor` may see it: with its participant in sight, else not found. */
export async function seenSystemRow(db: Db, actor: Actor, mnemonic: string) {
  const row = await systemRow(db, mnemonic);
  requireSeen(actor, await participantRow(db, row.participant_id), `information system ${mnemonic}`);
  return row;
}

export async function recordTransition(
  trx: Trx,
  participantId: string,
  from: ParticipantStatus | null,
  to: ParticipantStatus,
  actor: Actor,
  reason: string | null,
  at: Date,
): Promise<void> {
  await trx
    .insertInto('participant_transitions')
    .values({
      id: randomUUID(),
      participant_id: participantId,
      from_status: from,
      to_status: to,
      actor: actor.name,
      role: actor.role,
      reason,
      at: at.getTime(),
    })
    .execute();
}

/**
 * Move a participant read as `before` to the status `to` (with any `other` changes), over the version it was read
 * at, and record the transition. Returns the participant after the move.
 */
export async function moveParticipant(
  trx: Trx,
  before: ParticipantTable,
  to: ParticipantStatus,
  actor: Actor,
  reason: string | null,
  at: Date,
  other: Partial<ParticipantTable> = {},
): Promise<ParticipantTable> {
  const changes = { ...other, status: to, updated_at: at.getTime(), version: before.version + 1 };
  await updateVersioned(trx, 'participants', before.id, before.version, changes, 'the participant');
  await recordTransition(trx, before.id, before.status, to, actor, reason, at);
  return { ...before, ...changes };
}
