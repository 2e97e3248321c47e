/** A day written `YYYY-MM-DD`. */

/**
 * Whether `value` names a real calendar day: 29 February only in leap years, no 31 April, and any year from 0000
 * to 9999 as written (a year below 100 is not read as 19xx).
 */
export function isCalendarDate(value: string): boolean {
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) return false;
  const at = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === value;
}
