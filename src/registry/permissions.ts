/**
 * Who may do what: one table read by the admin API (`server/admin-api.ts`) and the web console
 * (`console/`), so a role is refused the same things whichever way it comes in. The registry's own
 * `requireRole` checks stay as a second line behind it.
 */
import type { Role } from '../store/schema.js';

export const PERMISSIONS = {
  'participants.apply': ['operator'],
  'participants.update': ['operator'],
  /** Which of the lifecycle actions a role may take is the lifecycle table's business (lifecycle.ts). */
  'participants.transition': ['operator', 'coordinator'],
  'agreements.record': ['operator'],
  'agreements.missing': ['operator', 'auditor'],
  'changes.read': ['operator', 'auditor'],
  'routeApplications.read': ['operator', 'auditor', 'participant'],
  'routeApplications.apply': ['operator', 'participant'],
  'routeApplications.decide': ['operator'],
  'blockRequests.read': ['operator', 'authority', 'auditor'],
  'blockRequests.request': ['operator'],
  'blockRequests.decide': ['authority'],
  'referenceBooks.write': ['operator'],
  'systems.write': ['operator'],
  'certificates.write': ['operator'],
  'routes.write': ['operator'],
  'tokens.read': ['operator'],
  'messages.read': ['auditor'],
  'messages.verify': ['auditor'],
  'messages.export': ['auditor'],
  'audit.read': ['auditor'],
  'audit.verify': ['auditor'],
  'audit.export': ['auditor'],
  'queue.trace': ['operator', 'auditor'],
  'cards.manage': ['operator'],
  'reports.cards': ['operator', 'auditor'],
  'certificates.registries': ['operator', 'auditor'],
  'consents.read': ['auditor'],
  /** The console itself: signing in and its dashboard (participants and authorities use the API only). */
  'console.use': ['operator', 'coordinator', 'auditor'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function permits(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** The roles a permission names, for a refusal that says what was needed. */
export function rolesOf(permission: Permission): readonly Role[] {
  return PERMISSIONS[permission];
}
