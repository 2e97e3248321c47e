/** SNILS: the published number, each branch of the control rule, and every wrong control number. */
import { expect } from 'chai';
import { checkSnils } from '../../src/identifiers/snils.js';
import { expectFail, expectPass } from './support.js';

// Reference computation written from the definition, independently of the module under test.
function snilsSum(first9: string): number {
  return [...first9].reduce((sum, d, i) => sum + Number(d) * (9 - i), 0);
}
function snilsControl(first9: string): string {
  const sum = snilsSum(first9);
  let control: number;
  if (sum < 100) control = sum;
  else if (sum === 100 || sum === 101) control = 0;
  else control = sum % 101 === 100 ? 0 : sum % 101;
  return control.toString().padStart(2, '0');
}

describe('SNILS', () => {
  it('accepts the published SNILS 112-233-445 95, with and without separators', () => {
    // 1·9+1·8+2·7+2·6+3·5+3·4+4·3+4·2+5·1 = 95 < 100 → control 95.
    expectPass(checkSnils('112-233-445 95'), '11223344595');
    expectPass(checkSnils('11223344595'), '11223344595');
  });

  it('applies each branch of the control rule: < 100, 100 and 101 → 00, > 101 → mod 101, 100 after mod → 00', () => {
    // Find first-nine-digit strings hitting each branch, then let the module agree with the definition.
    const find = (want: (sum: number) => boolean): string => {
      for (let n = 100_000_000; n < 999_999_999; n += 7919) if (want(snilsSum(String(n)))) return String(n);
      throw new Error('no number found');
    };
    const cases = [
      find((s) => s < 100),
      find((s) => s === 100),
      find((s) => s === 101),
      find((s) => s > 101 && s % 101 !== 100),
      find((s) => s === 201), // 201 mod 101 = 100 → 00
    ];
    expect(cases.slice(1, 3).map(snilsControl)).to.deep.equal(['00', '00']);
    expect(snilsControl(cases[4] ?? '')).to.equal('00');
    for (const nine of cases) expectPass(checkSnils(nine + snilsControl(nine)), nine + snilsControl(nine));
  });

  it('rejects every wrong control number', () => {
    for (let c = 0; c < 100; c++) {
      const control = String(c).padStart(2, '0');
      if (control === '95') continue;
      expectFail(checkSnils(`112233445${control}`), 'SNILS', /control number is wrong \(expected 95/);
    }
    expectFail(checkSnils('112-233-445 59'), 'SNILS', /control number is wrong/);
  });

  it('rejects other separators, wrong lengths, non-digits and empty input', () => {
    expectFail(checkSnils('112-233-445-95'), 'SNILS', /XXX-XXX-XXX YY/);
    expectFail(checkSnils('112 233 445 95'), 'SNILS', /XXX-XXX-XXX YY/);
    expectFail(checkSnils('1122334459'), 'SNILS', /11 digits long, not 10/);
    expectFail(checkSnils('112233445950'), 'SNILS', /11 digits long, not 12/);
    expectFail(checkSnils('11223344S95'), 'SNILS', /digits only/);
    expectFail(checkSnils(''), 'SNILS', /empty/);
  });
});
