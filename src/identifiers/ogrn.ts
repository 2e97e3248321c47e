/** State registration numbers: OGRN of a legal entity, OGRNIP of an individual entrepreneur. */
import { checkDigitString, digitAt, pass, wrongDigit, type CheckResult } from './check.js';

/** The remainder of a long digit string by `modulus`, digit by digit, so no precision is ever lost. */
function remainder(digits: string, modulus: number): number {
  let r = 0;
  for (let i = 0; i < digits.length; i++) r = (r * 10 + digitAt(digits, i)) % modulus;
  return r;
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
