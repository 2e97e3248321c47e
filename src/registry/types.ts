/**
 * What every part of the registry shares: who acts, the transaction it works in, and what a part is built over.
 * The parts import this file, never registry.ts, so the facade composes them without a cycle.
 */
import type { Kysely, Transaction } from 'kysely';
import type { AuditTrail } from '../audit/trail.js';
import type { Database, Role } from '../store/schema.js';
import { RegistryError } from './errors.js';

export interface Actor {
  readonly name: string;
  readonly role: Role;
  /** A coordinator's spheres; absent for every sphere. */
  readonly spheres?: readonly string[];
  /** The participant a participant token acts for. */
  readonly participantId?: string;
}

export type Trx = Transaction<Database>;
/** The store, or a transaction over it: reads work in either. */
export type Db = Kysely<Database> | Trx;

/** Where registry changes are recorded: the audit trail, in the same transaction as the change. */
export type AuditSink = Pick<AuditTrail, 'append' | 'afterCommit'>;

/** What each part of the registry works over. */
export interface RegistryContext {
  readonly db: Kysely<Database>;
  readonly audit: AuditSink;
  readonly clock: () => Date;
}

export function requireRole(actor: Actor, role: Role): void {
  if (actor.role !== role)
    throw new RegistryError('forbidden', `only the ${role} role may do this; you act as ${actor.role}`);
}
