/**
 * Checks for the registry's contact details and the information-system mnemonic at the door. Registration
 * numbers, tax numbers, SNILS and card numbers are checked in src/identifiers/.
 */
import { fail, pass, type CheckResult } from '../identifiers/check.js';

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
