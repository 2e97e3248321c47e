/**
 * Which participants an actor may see, and so their data, transitions, agreements, QR codes, systems, certificates
 * and routes. A coordinator scoped to spheres sees its spheres' participants only; a participant's token sees its
 * own participant; every other role sees the whole registry. Every registry read asks this one rule, so a list
 * and a read by id cannot disagree, and one out of sight reads as one that does not exist.
 */
import { notFound } from './errors.js';
import type { Actor } from './types.js';

/** What the rule needs of a participant. */
export interface Seen {
  readonly id: string;
  readonly sphere: string;
}

export function maySee(actor: Actor, participant: Seen): boolean {
  if (actor.role === 'participant') return participant.id === actor.participantId;
  return !actor.spheres || actor.spheres.includes(participant.sphere);
}

/** Refuses a participant out of the actor's sight with the refusal of one that does not exist: `what` was not found. */
export function requireSeen(actor: Actor, participant: Seen, what: string): void {
  if (!maySee(actor, participant)) throw notFound(what);
}
