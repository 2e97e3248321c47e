/** Card numbers: the Luhn check on published examples, every wrong last digit, and the Mir range. */
import { expect } from 'chai';
import { checkCardNumber, checkMirCard, luhnValid } from '../../src/identifiers/card.js';
import { expectFail, expectPass, otherDigits } from './support.js';

/** Appends the digit that makes `partial` pass Luhn, found by trying all ten against a from-scratch Luhn. */
function luhnComplete(partial: string): string {
  const passes = (n: string): boolean =>
    [...n]
      .reverse()
      .map((d, i) => (i % 2 === 1 ? Number(d) * 2 : Number(d)))
      .reduce((sum, d) => sum + Math.floor(d / 10) + (d % 10), 0) %
      10 ===
    0;
  for (let d = 0; d <= 9; d++) if (passes(partial + String(d))) return partial + String(d);
  throw new Error('unreachable: one digit always completes a Luhn number');
}

describe('card numbers', () => {
  it('runs the Luhn check (published examples 79927398713 and 4111 1111 1111 1111)', () => {
    expect(luhnValid('79927398713')).to.equal(true);
    expect(luhnValid('79927398710')).to.equal(false);
    expect(luhnValid('4111111111111111')).to.equal(true);
    expect(luhnValid('')).to.equal(false);
    expect(luhnValid('4111 1111')).to.equal(false);
  });

  it('accepts a Luhn-valid PAN, grouped or not, returning the digits', () => {
    expectPass(checkCardNumber('4111 1111 1111 1111'), '4111111111111111');
    expectPass(checkCardNumber('4111-1111-1111-1111'), '4111111111111111');
    expectPass(checkCardNumber(luhnComplete('12345678901')), undefined);
  });

  it('rejects every wrong last digit, wrong lengths, bad grouping, non-digits and empty input', () => {
    for (const d of otherDigits(1)) expectFail(checkCardNumber(`411111111111111${d}`), 'card number', /Luhn/);
    expectFail(checkCardNumber(luhnComplete('1234567890')), 'card number', /12 to 19 digits long, not 11/);
    expectFail(checkCardNumber(luhnComplete('1234567890123456789')), 'card number', /not 20/);
    expectFail(checkCardNumber('4111  1111 1111 1111'), 'card number', /digits only/);
    expectFail(checkCardNumber(' 4111111111111111'), 'card number', /digits only/);
    expectFail(checkCardNumber('4111x11111111111'), 'card number', /digits only/);
    expectFail(checkCardNumber(''), 'card number', /empty/);
  });

  it('accepts Mir numbers from 2200 to 2204 with 16 to 19 digits', () => {
    expectPass(checkMirCard(luhnComplete('220000000000000')), luhnComplete('220000000000000'));
    expectPass(checkMirCard(luhnComplete('220499999999999')));
    expectPass(checkMirCard(luhnComplete('220212345678901234')));
    const grouped = luhnComplete('220012345678901').replace(/(\d{4})(?=\d)/g, '$1 ');
    expectPass(checkMirCard(grouped));
  });

  it('rejects numbers outside the Mir range, of the wrong length, or failing Luhn', () => {
    expectFail(checkMirCard(luhnComplete('219999999999999')), 'card number', /not a Mir card/);
    expectFail(checkMirCard(luhnComplete('220500000000000')), 'card number', /not a Mir card/);
    expectFail(checkMirCard('4111111111111111'), 'card number', /not a Mir card/);
    expectFail(checkMirCard(luhnComplete('22000000000000')), 'card number', /16 to 19 digits long, not 15/);
    const mir = luhnComplete('220000000000000');
    const wrong = mir.slice(0, -1) + String((Number(mir.slice(-1)) + 1) % 10);
    expectFail(checkMirCard(wrong), 'card number', /Luhn/);
    expectFail(checkMirCard(''), 'card number', /empty/);
  });
});
