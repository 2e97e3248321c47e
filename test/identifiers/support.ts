/** What the identifier tests share: pass and fail expectations, and the wrong digits to try. */
import { expect } from 'chai';
import type { CheckResult } from '../../src/identifiers/check.js';

/** Ten-digit strings other than the right one, for "every wrong check digit". */
export const otherDigits = (right: number | string): string[] =>
  ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'].filter((d) => d !== String(right));

export function expectPass(result: CheckResult, value?: string): void {
  expect(result, result.ok ? '' : result.message).to.include({ ok: true });
  if (value !== undefined && result.ok) expect(result.value).to.equal(value);
}

export function expectFail(result: CheckResult, field: string, reason: RegExp): void {
  expect(result.ok, `expected a failure for ${field}`).to.equal(false);
  if (result.ok) return;
  expect(result.field).to.equal(field);
  expect(result.reason).to.match(reason);
  expect(result.message.startsWith(`${field}: `), result.message).to.equal(true);
}
