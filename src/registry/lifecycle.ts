/**
 * The participant lifecycle (DESIGN section 5) as one table: each action names the states it may start from,
 * the state it leads to, the role that may take it, and whether a reason is required. Anything not in the table
 * is an impossible transition.
 */
import type { ParticipantStatus, Role } from '../store/schema.js';

export interface Transition {
  readonly from: readonly ParticipantStatus[];
  readonly to: ParticipantStatus;
  readonly role: Role;
  readonly reasonRequired: boolean;
}

export const TRANSITIONS = {
  check: { from: ['submitted'], to: 'checked', role: 'coordinator', reasonRequired: false },
  decline: { from: ['submitted'], to: 'declined', role: 'coordinator', reasonRequired: true },
  register: { from: ['checked'], to: 'registered', role: 'operator', reasonRequired: false },
  activate: { from: ['registered'], to: 'active', role: 'operator', reasonRequired: false },
  suspend: { from: ['active'], to: 'suspended', role: 'operator', reasonRequired: true },
  resume: { from: ['suspended'], to: 'active', role: 'operator', reasonRequired: false },
  block: {
    from: ['registered', 'active', 'suspended'],
    to: 'blocked',
    role: 'operator',
    reasonRequired: true,
  },
  withdraw: {
    from: ['submitted', 'checked', 'registered', 'active', 'suspended'],
    to: 'withdrawn',
    role: 'operator',
    reasonRequired: true,
  },
} as const satisfies Record<string, Transition>;

export type TransitionName = keyof typeof TRANSITIONS;

export function isTransitionName(name: string): name is TransitionName {
  return Object.hasOwn(TRANSITIONS, name);
}

const DAY = 24 * 60 * 60 * 1000;

/** The coordinator checks within one working day: the deadline skips Saturdays and Sundays (UTC calendar). */
export function coordinatorDeadline(submittedAt: Date): Date {
  let due = new Date(submittedAt.getTime() + DAY);
  while (due.getUTCDay() === 0 || due.getUTCDay() === 6) due = new Date(due.getTime() + DAY);
  return due;
}

/** The operator registers no later than the next day after the check. */
export function operatorDeadline(checkedAt: Date): Date {
  return new Date(checkedAt.getTime() + DAY);
}

export function isOverdue(
  participant: { status: ParticipantStatus; coordinator_due: number; operator_due: number | null },
  now: Date,
): boolean {
  if (participant.status === 'submitted') return now.getTime() > participant.coordinator_due;
  if (participant.status === 'checked')
    return participant.operator_due !== null && now.getTime() > participant.operator_due;
  return false;
}
