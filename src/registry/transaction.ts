/**
 * How every registry change is written: in one store transaction with its audit entry and the revision bump (so
 * every gateway instance reloads within a second), and, for versioned records, only over the version it was read
 * at (optimistic concurrency: of two operators acting at once exactly one wins, the other gets a conflict).
 */
import type { UpdateObject } from 'kysely';
import type { Database } from '../store/schema.js';
import { isUniqueViolation } from '../store/errors.js';
import { RegistryError, conflict } from './errors.js';
import type { Actor, RegistryContext, Trx } from './types.js';

/** What a change's work hands back: the record before and after (for the audit trail) and the caller's answer. */
export interface ChangeOutcome<T> {
  readonly before: unknown;
  readonly after: unknown;
  readonly result: T;
}

/** Run one change: the work, the audit entry and the revision bump commit together or not at all. */
export async function runChange<T>(
  ctx: RegistryContext,
  actor: Actor,
  action: string,
  subjectType: string,
  subjectId: string,
  work: (trx: Trx) => Promise<ChangeOutcome<T>>,
): Promise<T> {
  let result: T;
  try {
    result = await ctx.db.transaction().execute(async (trx) => {
      const { before, after, result: value } = await work(trx);
      await trx
        .updateTable('registry_revision')
        .set((eb) => ({ revision: eb('revision', '+', 1) }))
        .where('id', '=', 1)
        .execute();
      await ctx.audit.append(trx, {
        actor: actor.name,
        role: actor.role,
        action,
        subjectType,
        subjectId,
        before,
        after,
      });
      return value;
    });
  } catch (error) {
    throw asRegistryError(error);
  }
  await ctx.audit.afterCommit();
  return result;
}

/** The registry's records that carry a version, each with the column that names one. */
interface Versioned {
  participants: 'id';
  information_systems: 'id';
  reference_books: 'book';
}

/**
 * Write `changes` over one record only if it is still at the version it was read at, else refuse with a
 * conflict that says `what` was changed by someone else.
 */
export async function updateVersioned<T extends keyof Versioned>(
  trx: Trx,
  table: T,
  key: string,
  readVersion: number,
  changes: UpdateObject<Database, T>,
  what: string,
): Promise<void> {
  const keyColumn = ({ participants: 'id', information_systems: 'id', reference_books: 'book' } as const)[
    table
  ];
  // One body for the three tables: kysely cannot relate a generic table to its columns, so the update is typed
  // as the participants table (each of the three has the key column and `version`).
  const updated = await trx
    .updateTable(table as 'participants')
    .set(changes as UpdateObject<Database, 'participants'>)
    .where(keyColumn as 'id', '=', key)
    .where('version', '=', readVersion)
    .executeTakeFirst();
  if (!updated.numUpdatedRows) throw conflict(`${what} was changed by someone else; reload and retry`);
}

/** A unique-constraint race lost to a concurrent writer is a conflict, like the checks before it. */
function asRegistryError(error: unknown): unknown {
  if (error instanceof RegistryError) return error;
  if (isUniqueViolation(error)) return conflict('a concurrent change registered the same thing first');
  const message = (error as Error).message ?? '';
  const code = (error as { code?: string }).code;
  if (code === '40001' || /database is locked/.test(message))
    return conflict('a concurrent change won; retry');
  return error;
}
