/** Tax registration: the INN (legal entity or person) with its check digits, and the KPP of a legal entity. */
import { checkDigitString, digitAt, fail, pass, wrongDigit, type CheckResult } from './check.js';

/** The INN control digit: weighted sum of the leading digits, mod 11, mod 10. */
function innControl(digits: string, weights: readonly number[]): number {
  let sum = 0;
  weights.forEach((w, i) => (sum += w * digitAt(digits, i)));
  return (sum % 11) % 10;
}

const INN10_WEIGHTS = [2, 4, 10, 3, 5, 9, 4, 6, 8] as const;
const INN12_FIRST_WEIGHTS = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8] as const;
const INN12_SECOND_WEIGHTS = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8] as const;

function innDigits(value: string, field: string): CheckResult {
  if (value.length === 10) {
    const expected = innControl(value, INN10_WEIGHTS);
    const got = digitAt(value, 9);
    return expected === got ? pass(value) : wrongDigit(field, 'the check digit (10th)', expected, got);
  }
  const first = innControl(value, INN12_FIRST_WEIGHTS);
  if (first !== digitAt(value, 10))
    return wrongDigit(field, 'the first check digit (11th)', first, digitAt(value, 10));
  const second = innControl(value, INN12_SECOND_WEIGHTS);
  if (second !== digitAt(value, 11)) {
    return wrongDigit(field, 'the second check digit (12th)', second, digitAt(value, 11));
  }
  return pass(value);
}

/** INN of a legal entity (10 digits) or of a person (12 digits), with its check digits. */
export function checkInn(value: string, field = 'INN'): CheckResult {
  return checkDigitString(value, field, [10, 12]) ?? innDigits(value, field);
}

/** INN of a legal entity only: 10 digits, one check digit. */
export function checkLegalEntityInn(value: string, field = 'INN'): CheckResult {
  return checkDigitString(value, field, [10]) ?? innDigits(value, field);
}

/** INN of a person (or an individual entrepreneur) only: 12 digits, two check digits. */
export function checkPersonInn(value: string, field = 'INN'): CheckResult {
  return checkDigitString(value, field, [12]) ?? innDigits(value, field);
}

/** KPP: 9 characters, 4 digits (tax office), 2 digits or capital Latin letters (reason), 3 digits. */
export function checkKpp(value: string, field = 'KPP'): CheckResult {
  if (value === '') return fail(field, 'is empty');
  if (value.length !== 9) return fail(field, `must be 9 characters long, not ${value.length}`);
  if (!/^[0-9]{4}[0-9A-Z]{2}[0-9]{3}$/.test(value)) {
    return fail(field, 'must be 4 digits, then 2 digits or capital Latin letters, then 3 digits');
  }
  return pass(value);
}
