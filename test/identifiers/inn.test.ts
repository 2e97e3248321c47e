/** INN (legal entity and person) and KPP: published numbers, computed check digits, and every wrong one. */
import { checkInn, checkKpp, checkLegalEntityInn, checkPersonInn } from '../../src/identifiers/inn.js';
import { expectFail, expectPass, otherDigits } from './support.js';

// Reference computation written from the definition, independently of the module under test.
const innDigit = (digits: string, weights: number[]): number =>
  (weights.reduce((sum, w, i) => sum + w * Number(digits[i]), 0) % 11) % 10;
const INN10 = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12A = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12B = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

describe('INN', () => {
  it('accepts the published legal-entity INNs 7707083893 and 7736050003', () => {
    // 7707083893: 7·2+7·4+0·10+7·3+0·5+8·9+3·4+8·6+9·8 = 267; 267 mod 11 = 3 → last digit 3.
    // 7736050003: 7·2+7·4+3·10+6·3+0·5+5·9+0·4+0·6+0·8 = 135; 135 mod 11 = 3 → last digit 3.
    expectPass(checkInn('7707083893'));
    expectPass(checkLegalEntityInn('7736050003'));
  });

  it('accepts the published personal INN 500100732259', () => {
    // 11th: 5·7+0·2+0·4+1·10+0·3+0·5+7·9+3·4+2·6+2·8 = 148; 148 mod 11 = 5 → 5.
    // 12th: 5·3+0·7+0·2+1·4+0·10+0·3+7·5+3·9+2·4+2·6+5·8 = 141; 141 mod 11 = 9 → 9.
    expectPass(checkInn('500100732259'));
    expectPass(checkPersonInn('500100732259'));
  });

  it('accepts INNs computed by the definition', () => {
    const legal = '770123456';
    expectPass(checkInn(legal + innDigit(legal, INN10)));
    const person = '7712345678';
    const eleven = person + innDigit(person, INN12A);
    expectPass(checkInn(eleven + innDigit(eleven, INN12B)));
  });

  it('rejects every wrong check digit of a legal-entity INN', () => {
    for (const d of otherDigits(3))
      expectFail(checkInn(`770708389${d}`), 'INN', /check digit \(10th\) is wrong/);
  });

  it('rejects every wrong first and second check digit of a personal INN', () => {
    for (const d of otherDigits(5)) {
      expectFail(checkInn(`5001007322${d}9`), 'INN', /first check digit \(11th\) is wrong \(expected 5/);
    }
    for (const d of otherDigits(9)) {
      expectFail(checkInn(`50010073225${d}`), 'INN', /second check digit \(12th\) is wrong \(expected 9/);
    }
  });

  it('rejects wrong lengths, non-digits, empty input, and the wrong kind for the narrow checks', () => {
    expectFail(checkInn('770708389'), 'INN', /10 or 12 digits long, not 9/);
    expectFail(checkInn('77070838931'), 'INN', /10 or 12 digits long, not 11/);
    expectFail(checkInn('7707O83893'), 'INN', /digits only/);
    expectFail(checkInn(''), 'INN', /empty/);
    expectFail(checkLegalEntityInn('500100732259'), 'INN', /10 digits long, not 12/);
    expectFail(checkPersonInn('7707083893'), 'INN', /12 digits long, not 10/);
  });
});

describe('KPP', () => {
  it('accepts 4 digits, 2 digits or capital letters, 3 digits', () => {
    expectPass(checkKpp('773601001'));
    expectPass(checkKpp('7736AZ001'));
    expectPass(checkKpp('77360A001'));
  });

  it('rejects lowercase or Cyrillic reason letters, letters elsewhere, wrong lengths and empty input', () => {
    expectFail(checkKpp('7736az001'), 'KPP', /2 digits or capital Latin letters/);
    expectFail(checkKpp('7736АВ001'), 'KPP', /capital Latin letters/); // Cyrillic А and В
    expectFail(checkKpp('A73601001'), 'KPP', /4 digits/);
    expectFail(checkKpp('77360100A'), 'KPP', /then 3 digits/);
    expectFail(checkKpp('77360100'), 'KPP', /9 characters long, not 8/);
    expectFail(checkKpp('7736010010'), 'KPP', /9 characters long, not 10/);
    expectFail(checkKpp(''), 'KPP', /empty/);
  });
});
