/**
 * What the coordinator's check vouches for: the organisation as its application states it — its names, legal
 * form, OGRN, INN, KPP, address, head, kind and sphere. A check holds for that data only, so a change of any of
 * it sends a checked application back for a new check (participants.ts).
 *
 * The contact person is not part of it: the contact names whom the operator writes to, not who takes part, and
 * changes with the staff, so a new phone number does not cost an application another working day.
 */
import type { ParticipantTable } from '../store/schema.js';

/** The checked fields, as the admin API names them, and their columns. */
const CHECKED = {
  fullName: 'full_name',
  shortName: 'short_name',
  legalForm: 'legal_form',
  ogrn: 'ogrn',
  inn: 'inn',
  kpp: 'kpp',
  address: 'address',
  head: 'head_name',
  kind: 'kind',
  sphere: 'sphere',
} as const satisfies Record<string, keyof ParticipantTable>;

/** The checked fields that `changes` would alter, by their API names; none: the check still holds. */
export function checkedFieldsChanged(before: ParticipantTable, changes: Partial<ParticipantTable>): string[] {
  return Object.entries(CHECKED)
    .filter(([, column]) => changes[column] !== undefined && changes[column] !== before[column])
    .map(([field]) => field);
}
