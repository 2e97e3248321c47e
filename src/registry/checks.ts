/**
 * Checks for registry fields at the door: registration numbers with their check digits, contact details, the
 * information-system mnemonic and card numbers. Each check is a pure function returning a `CheckResult`; a
 * failure names the field and says what is wrong in plain words. A pass carries the value in canonical form
 * (SNILS without separators, phone in E.164, card number without spaces), which is what the registry stores.
 */

export interface CheckPassed {
  readonly ok: true;
  /** The value in the form the registry stores. */
  readonly value: string;
}

export interface CheckFailed {
  readonly ok: false;
  readonly field: string;
  readonly reason: string;
  /** `field: reason`, ready for an API answer or a log line. */
  readonly message: string;
}

export type CheckResult = CheckPassed | CheckFailed;

/** Thrown by `assertField` so a failed check can travel as an exception where that reads better. */
export class FieldCheckError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'FieldCheckError';
  }
}

/** Returns the canonical value of a passed check, or throws a `FieldCheckError` naming the field. */
export function assertField(result: CheckResult): string {
  if (!result.ok) throw new FieldCheckError(result.field, result.reason);
  return result.value;
}

function pass(value: string): CheckPassed {
  return { ok: true, value };
}

function fail(field: string, reason: string): CheckFailed {
  return { ok: false, field, reason, message: `${field}: ${reason}` };
}

/** Empty, non-digit and length failures shared by the all-digit numbers. */
function checkDigitString(value: string, field: string, lengths: readonly number[]): CheckFailed | undefined {
  if (value === '') return fail(field, 'is empty');
  if (!/^[0-9]+$/.test(value)) return fail(field, 'must contain digits only');
  if (!lengths.includes(value.length)) {
    return fail(field, `must be ${lengths.join(' or ')} digits long, not ${value.length}`);
  }
  return undefined;
}

function digitAt(digits: string, index: number): number {
  return digits.charCodeAt(index) - 48;
}

/** The remainder of a long digit string by `modulus`, digit by digit, so no precision is ever lost. */
function remainder(digits: string, modulus: number): number {
  let r = 0;
  for (let i = 0; i < digits.length; i++) r = (r * 10 + digitAt(digits, i)) % modulus;
  return r;
}

/** The INN control digit: weighted sum of the leading digits, mod 11, mod 10. */
function innControl(digits: string, weights: readonly number[]): number {
  let sum = 0;
  weights.forEach((w, i) => (sum += w * digitAt(digits, i)));
  return (sum % 11) % 10;
}

function wrongDigit(
  field: string,
  which: string,
  expected: number | string,
  got: number | string,
): CheckFailed {
  return fail(
    field,
    `${which} is wrong (expected ${expected}, got ${got}): the number has a typo or is not real`,
  );
}

/** OGRN of a legal entity: 13 digits; the last is (the first 12 as a number mod 11) mod 10. */
export function checkOgrn(value: string, field = 'OGRN'): CheckResult {
  const bad = checkDigitString(value, field, [13]);
  if (bad) return bad;
  const expected = remainder(value.slice(0, 12), 11) % 10;
  const got = digitAt(value, 12);
  return expected === got ? pass(value) : wrongDigit(field, 'the check digit', expected, got);
}

/** OGRNIP of an individual entrepreneur: 15 digits; the last is (the first 14 as a number mod 13) mod 10. */
export function checkOgrnip(value: string, field = 'OGRNIP'): CheckResult {
  const bad = checkDigitString(value, field, [15]);
  if (bad) return bad;
  const expected = remainder(value.slice(0, 14), 13) % 10;
  const got = digitAt(value, 14);
  return expected === got ? pass(value) : wrongDigit(field, 'the check digit', expected, got);
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

/**
 * A Russian phone number: `+7` (or the domestic trunk prefix `8`) and 10 digits, with spaces, hyphens, dots or
 * one pair of parentheses between them. The 10 digits must start with 3, 4, 8 or 9: Russian geographic and
 * mobile codes; +7 6xx and 7xx belong to Kazakhstan. Passes with the number in E.164: `+7XXXXXXXXXX`.
 */
export function checkRussianPhone(value: string, field = 'phone'): CheckResult {
  if (value.trim() === '') return fail(field, 'is empty');
  if (!/^\+?[0-9 ().-]+$/.test(value)) {
    return fail(field, 'may contain only digits, a leading +, spaces, hyphens, dots and parentheses');
  }
  const open = value.indexOf('(');
  const close = value.indexOf(')');
  const parenthesesOk =
    (open === -1 && close === -1) ||
    (open !== -1 &&
      close > open &&
      value.indexOf('(', open + 1) === -1 &&
      value.indexOf(')', close + 1) === -1);
  if (!parenthesesOk) return fail(field, 'has unbalanced parentheses');
  const compact = value.replace(/[ ().-]/g, '');
  const national = compact.startsWith('+7')
    ? compact.slice(2)
    : compact.startsWith('8')
      ? compact.slice(1)
      : null;
  if (national === null) return fail(field, 'must start with +7 or 8');
  if (national.length !== 10) return fail(field, `must have 10 digits after +7, not ${national.length}`);
  if (!/^[3489]/.test(national)) {
    return fail(field, 'is not a Russian number: the code after +7 must start with 3, 4, 8 or 9');
  }
  return pass(`+7${national}`);
}

const EMAIL_MAX_LENGTH = 254;
const LOCAL_PART_MAX_LENGTH = 64;
// Dot-atom local part (RFC 5322 without quoted strings: no real mailbox here needs them).
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// Host names of letters (any script, so .рф domains pass), digits and inner hyphens; at least two labels and a
// top-level domain of letters or punycode.
const DOMAIN =
  /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/iu;

/** A practical e-mail address check: one @, a dot-atom local part, a real-looking domain, at most 254 chars. */
export function checkEmail(value: string, field = 'e-mail'): CheckResult {
  if (value === '') return fail(field, 'is empty');
  if (value.length > EMAIL_MAX_LENGTH)
    return fail(field, `must be at most ${EMAIL_MAX_LENGTH} characters long`);
  const at = value.lastIndexOf('@');
  if (at === -1 || value.indexOf('@') !== at) return fail(field, 'must contain exactly one @');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local === '') return fail(field, 'has nothing before the @');
  if (local.length > LOCAL_PART_MAX_LENGTH) {
    return fail(field, `must have at most ${LOCAL_PART_MAX_LENGTH} characters before the @`);
  }
  if (!LOCAL_PART.test(local)) {
    return fail(field, 'has characters before the @ that an address may not use, or a misplaced dot');
  }
  if (!DOMAIN.test(domain)) return fail(field, 'has no valid domain after the @ (such as example.ru)');
  return pass(value);
}

/** The mnemonic of an information system: 3 to 50 capital Latin letters, digits or underscores. */
export function checkMnemonic(value: string, field = 'mnemonic'): CheckResult {
  if (value === '') return fail(field, 'is empty');
  if (value.length < 3 || value.length > 50) {
    return fail(field, `must be 3 to 50 characters long, not ${value.length}`);
  }
  if (!/^[A-Z0-9_]+$/.test(value)) {
    return fail(field, 'may contain only capital Latin letters, digits and underscores');
  }
  return pass(value);
}

/** The Luhn (mod 10) check over a digit string: doubling every second digit from the right. */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digitAt(digits, digits.length - 1 - i);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * A payment card number (PAN): 12 to 19 digits, optionally grouped by single spaces or hyphens, passing Luhn.
 * Passes with the digits alone.
 */
export function checkCardNumber(value: string, field = 'card number'): CheckResult {
  if (value === '') return fail(field, 'is empty');
  if (!/^[0-9]+(?:[ -][0-9]+)*$/.test(value)) {
    return fail(field, 'must contain digits only, optionally grouped by spaces or hyphens');
  }
  const digits = value.replace(/[ -]/g, '');
  if (digits.length < 12 || digits.length > 19) {
    return fail(field, `must be 12 to 19 digits long, not ${digits.length}`);
  }
  if (!luhnValid(digits))
    return fail(field, 'fails the Luhn check: a digit is mistyped or the number is not real');
  return pass(digits);
}

/** A Mir card number: a valid PAN of 16 to 19 digits whose first four digits are 2200 to 2204. */
export function checkMirCard(value: string, field = 'card number'): CheckResult {
  const card = checkCardNumber(value, field);
  if (!card.ok) return card;
  const digits = card.value;
  if (digits.length < 16)
    return fail(field, `a Mir card number must be 16 to 19 digits long, not ${digits.length}`);
  const bin = Number(digits.slice(0, 4));
  if (bin < 2200 || bin > 2204) return fail(field, 'is not a Mir card: it must start with 2200 to 2204');
  return card;
}
