/** Payment card numbers (PAN): the Luhn check, and the Mir range. */
import { digitAt, fail, pass, type CheckResult } from './check.js';

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
