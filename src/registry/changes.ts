/**
 * A participant reports each change of its data within three days of the day it took effect (Perm rules). Days
 * are UTC calendar days, as for the other registry deadlines: a change of day D is due by the end of D+3.
 */
import { invalid } from './errors.js';

const DAY = 24 * 60 * 60 * 1000;
export const REPORTING_DAYS = 3;

/** The first moment a report of a change that took effect on `day` (YYYY-MM-DD) is late. */
export function changeDueAt(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) + (REPORTING_DAYS + 1) * DAY;
}

/** A change cannot take effect after it is reported. */
export function checkedChangeDay(day: string, now: Date): string {
  if (Date.parse(`${day}T00:00:00Z`) > now.getTime())
    throw invalid('changedOn', 'the change cannot take effect after the day it is reported');
  return day;
}
