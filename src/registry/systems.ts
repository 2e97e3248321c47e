/** Information systems: a registered participant's systems, each named by its mnemonic, and their status. */
import { randomUUID } from 'node:crypto';
import type { SystemStatus } from '../store/schema.js';
import { conflict, invalid } from './errors.js';
import { SystemInput, checkedMnemonic, checkedReason, parseInput } from './inputs.js';
import { participantRow, systemRow } from './rows.js';
import { maySee } from './scope.js';
import { runChange, updateVersioned } from './transaction.js';
import { requireRole, type Actor, type RegistryContext } from './types.js';

/** The actions on a system an operator names (admin API and console alike), and the status each sets. */
export const SYSTEM_ACTIONS: Readonly<Record<string, SystemStatus>> = {
  suspend: 'suspended',
  resume: 'active',
  block: 'blocked',
};

/**
 * The status an action named in a request sets, or undefined. A plain index would also find what every object
 * inherits (`toString`, `__proto__`), and hand a function or an object on as the status.
 */
export function systemActionStatus(action: string): SystemStatus | undefined {
  return Object.hasOwn(SYSTEM_ACTIONS, action) ? SYSTEM_ACTIONS[action] : undefined;
}

export class Systems {
  constructor(private readonly ctx: RegistryContext) {}

  async add(actor: Actor, participantId: string, body: unknown) {
    requireRole(actor, 'operator');
    const input = parseInput(SystemInput, body);
    const mnemonic = checkedMnemonic(input.mnemonic);
    const now = this.ctx.clock().getTime();
    const row = {
      id: randomUUID(),
      mnemonic,
      name: input.name,
      participant_id: participantId,
      status: 'active' as const,
      updated_at: now,
      version: 1,
    };
    return runChange(this.ctx, actor, 'system.add', 'system', mnemonic, async (trx) => {
      const participant = await participantRow(trx, participantId);
      if (!['registered', 'active'].includes(participant.status)) {
        throw conflict(`systems are added to registered participants; this one is ${participant.status}`);
      }
      if (
        await trx
          .selectFrom('information_systems')
          .select('id')
          .where('mnemonic', '=', mnemonic)
          .executeTakeFirst()
      ) {
        throw conflict(`the mnemonic ${mnemonic} is taken`);
      }
      await trx.insertInto('information_systems').values(row).execute();
      return { before: undefined, after: row, result: row };
    });
  }

  async setStatus(actor: Actor, mnemonic: string, status: SystemStatus, given?: string) {
    requireRole(actor, 'operator');
    const reason = checkedReason(given);
    if (status !== 'active' && !reason?.trim())
      throw invalid('reason', `a reason is required to make a system ${status}`);
    return runChange(this.ctx, actor, `system.${status}`, 'system', mnemonic, async (trx) => {
      const before = await systemRow(trx, mnemonic);
      if (before.status === 'blocked') throw conflict('a blocked system stays blocked');
      const changes = { status, updated_at: this.ctx.clock().getTime(), version: before.version + 1 };
      await updateVersioned(trx, 'information_systems', before.id, before.version, changes, 'the system');
      const after = { ...before, status, reason };
      return { before, after, result: after };
    });
  }

  /** The systems of the participants `viewer` may see (scope.ts). */
  async list(viewer: Actor) {
    const rows = await this.ctx.db
      .selectFrom('information_systems as s')
      .innerJoin('participants as p', 'p.id', 's.participant_id')
      .select([
        's.mnemonic',
        's.name',
        's.status',
        'p.id as participantId',
        'p.short_name as participant',
        'p.sphere',
      ])
      .orderBy('s.mnemonic')
      .execute();
    return rows
      .filter((row) => maySee(viewer, { id: row.participantId, sphere: row.sphere }))
      .map(({ sphere: _sphere, ...system }) => system);
  }
}
