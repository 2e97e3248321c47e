/** SNILS, the personal insurance account number, with its control number. */
import { digitAt, fail, pass, wrongDigit, type CheckResult } from './check.js';

/** The SNILS control number of the first 9 digits, as two digits. */
function snilsControl(nine: string): string {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += digitAt(nine, i) * (9 - i);
  const control = sum < 100 ? sum : sum <= 101 ? 0 : (sum % 101) % 100;
  return String(control).padStart(2, '0');
}

/** SNILS: 11 digits, written plain or as `XXX-XXX-XXX YY`; the last two are the control number. */
export function checkSnils(value: string, field = 'SNILS'): CheckResult {
  if (value === '') return fail(field, 'is empty');
  const formatted = /^([0-9]{3})-([0-9]{3})-([0-9]{3}) ([0-9]{2})$/.exec(value);
  const digits = formatted ? formatted.slice(1).join('') : value;
  if (!formatted) {
    if (!/^[0-9 -]+$/.test(value))
      return fail(field, 'must contain digits only, or be written as XXX-XXX-XXX YY');
    if (/[ -]/.test(value)) return fail(field, 'must be written as 11 digits or as XXX-XXX-XXX YY');
    if (value.length !== 11) return fail(field, `must be 11 digits long, not ${value.length}`);
  }
  const expected = snilsControl(digits.slice(0, 9));
  const got = digits.slice(9);
  return expected === got ? pass(digits) : wrongDigit(field, 'the control number', expected, got);
}
