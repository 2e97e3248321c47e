/** OGRN and OGRNIP: published numbers, computed check digits, and every wrong one. */
import { expect } from 'chai';
import { checkOgrn, checkOgrnip } from '../../src/identifiers/ogrn.js';
import { expectFail, expectPass, otherDigits } from './support.js';

// Reference computations written from the definitions, independently of the module under test.
const ogrnDigit = (first12: string): number => Number((BigInt(first12) % 11n) % 10n);
const ogrnipDigit = (first14: string): number => Number((BigInt(first14) % 13n) % 10n);

describe('OGRN', () => {
  it('accepts the published OGRN 1027700132195', () => {
    // By hand: 102770013219 = 11 × 9342728474 + 5; 5 mod 10 = 5, the last digit.
    expectPass(checkOgrn('1027700132195'), '1027700132195');
  });

  it('accepts numbers whose check digit is computed by the definition, including remainder 10 → 0', () => {
    for (const prefix of ['102770013219', '502123456789', '113774600001'])
      expectPass(checkOgrn(prefix + ogrnDigit(prefix)));
    // A prefix whose remainder mod 11 is 10 needs the final "mod 10": its check digit is 0.
    let n = 102770013219n;
    while (n % 11n !== 10n) n++;
    expect(ogrnDigit(String(n))).to.equal(0);
    expectPass(checkOgrn(`${n}0`));
  });

  it('rejects every wrong check digit', () => {
    for (const d of otherDigits(5))
      expectFail(checkOgrn(`102770013219${d}`), 'OGRN', /check digit is wrong \(expected 5, got \d\)/);
  });

  it('rejects wrong lengths, non-digits and empty input', () => {
    expectFail(checkOgrn('102770013219'), 'OGRN', /13 digits long, not 12/);
    expectFail(checkOgrn('10277001321950'), 'OGRN', /13 digits long, not 14/);
    expectFail(checkOgrn('10277001321a5'), 'OGRN', /digits only/);
    expectFail(checkOgrn(' 1027700132195'), 'OGRN', /digits only/);
    expectFail(checkOgrn('１０２７７００１３２１９５'), 'OGRN', /digits only/); // full-width digits
    expectFail(checkOgrn(''), 'OGRN', /empty/);
  });
});

describe('OGRNIP', () => {
  it('accepts the published OGRNIP 304500116000157', () => {
    // By hand: 30450011600015 = 13 × 2342308584616 + 7; 7 mod 10 = 7, the last digit.
    expectPass(checkOgrnip('304500116000157'));
  });

  it('accepts computed numbers, including remainders 10–12 reduced mod 10', () => {
    let n = 30450011600015n;
    while (n % 13n !== 12n) n++;
    expect(ogrnipDigit(String(n))).to.equal(2);
    expectPass(checkOgrnip(`${n}2`));
    const prefix = '31877460000123';
    expectPass(checkOgrnip(prefix + ogrnipDigit(prefix)));
  });

  it('rejects every wrong check digit', () => {
    for (const d of otherDigits(7))
      expectFail(checkOgrnip(`30450011600015${d}`), 'OGRNIP', /check digit is wrong/);
  });

  it('rejects wrong lengths, non-digits and empty input', () => {
    expectFail(checkOgrnip('1027700132195'), 'OGRNIP', /15 digits long, not 13/);
    expectFail(checkOgrnip('3045001160001570'), 'OGRNIP', /15 digits long, not 16/);
    expectFail(checkOgrnip('30450011600015-'), 'OGRNIP', /digits only/);
    expectFail(checkOgrnip(''), 'OGRNIP', /empty/);
  });
});
