/**
 * What every identifier check returns: a pass with the value in canonical form (what the registry stores), or a
 * failure naming the field and saying in plain words what is wrong; and the pieces the digit checks share.
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

export function pass(value: string): CheckPassed {
  return { ok: true, value };
}

export function fail(field: string, reason: string): CheckFailed {
  return { ok: false, field, reason, message: `${field}: ${reason}` };
}

/** Empty, non-digit and length failures shared by the all-digit numbers. */
export function checkDigitString(
  value: string,
  field: string,
  lengths: readonly number[],
): CheckFailed | undefined {
  if (value === '') return fail(field, 'is empty');
  if (!/^[0-9]+$/.test(value)) return fail(field, 'must contain digits only');
  if (!lengths.includes(value.length)) {
    return fail(field, `must be ${lengths.join(' or ')} digits long, not ${value.length}`);
  }
  return undefined;
}

export function digitAt(digits: string, index: number): number {
  return digits.charCodeAt(index) - 48;
}

export function wrongDigit(
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
