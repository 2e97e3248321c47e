import { expect } from 'chai';
import {
  FieldCheckError,
  assertField,
  checkCardNumber,
  checkEmail,
  checkInn,
  checkKpp,
  checkLegalEntityInn,
  checkMirCard,
  checkMnemonic,
  checkOgrn,
  checkOgrnip,
  checkPersonInn,
  checkRussianPhone,
  checkSnils,
  luhnValid,
} from '../../src/registry/checks.js';
import type { CheckResult } from '../../src/registry/checks.js';

// Reference computations written from the definitions, independently of the module under test.
const ogrnDigit = (first12: string): number => Number((BigInt(first12) % 11n) % 10n);
const ogrnipDigit = (first14: string): number => Number((BigInt(first14) % 13n) % 10n);
const innDigit = (digits: string, weights: number[]): number =>
  (weights.reduce((sum, w, i) => sum + w * Number(digits[i]), 0) % 11) % 10;
const INN10 = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12A = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12B = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
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
/** Ten-digit strings other than the right one, for "every wrong check digit". */
const otherDigits = (right: number | string): string[] =>
  ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'].filter((d) => d !== String(right));

function expectPass(result: CheckResult, value?: string): void {
  expect(result, result.ok ? '' : result.message).to.include({ ok: true });
  if (value !== undefined && result.ok) expect(result.value).to.equal(value);
}

function expectFail(result: CheckResult, field: string, reason: RegExp): void {
  expect(result.ok, `expected a failure for ${field}`).to.equal(false);
  if (result.ok) return;
  expect(result.field).to.equal(field);
  expect(result.reason).to.match(reason);
  expect(result.message.startsWith(`${field}: `), result.message).to.equal(true);
}

describe('registry checks', () => {
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

  describe('Russian phone', () => {
    it('accepts +7 or 8 and 10 digits with common separators, normalised to E.164', () => {
      expectPass(checkRussianPhone('+7 (912) 345-67-89'), '+79123456789');
      expectPass(checkRussianPhone('+79123456789'), '+79123456789');
      expectPass(checkRussianPhone('8 912 345 67 89'), '+79123456789');
      expectPass(checkRussianPhone('8(495)123.45.67'), '+74951234567');
      expectPass(checkRussianPhone('+7 800 555-35-35'), '+78005553535');
      expectPass(checkRussianPhone('+7 3452 12-34-56'), '+73452123456');
    });

    it('rejects wrong digit counts, other countries, Kazakhstan codes, bad characters and empty input', () => {
      expectFail(checkRussianPhone('+7 912 345 67 8'), 'phone', /10 digits after \+7, not 9/);
      expectFail(checkRussianPhone('+7 912 345 67 890'), 'phone', /10 digits after \+7, not 11/);
      expectFail(checkRussianPhone('+1 212 555 0100'), 'phone', /start with \+7 or 8/);
      expectFail(checkRussianPhone('7 912 345 67 89'), 'phone', /start with \+7 or 8/);
      expectFail(checkRussianPhone('+7 712 345 67 89'), 'phone', /not a Russian number/);
      expectFail(checkRussianPhone('+7 (912 345-67-89'), 'phone', /unbalanced parentheses/);
      expectFail(checkRussianPhone('+7 912) (345-67-89'), 'phone', /unbalanced parentheses/);
      expectFail(checkRussianPhone('+7 912 345 67 89 доб. 1'), 'phone', /only digits/);
      expectFail(checkRussianPhone('++79123456789'), 'phone', /only digits/);
      expectFail(checkRussianPhone('   '), 'phone', /empty/);
      expectFail(checkRussianPhone(''), 'phone', /empty/);
    });
  });

  describe('e-mail', () => {
    it('accepts practical addresses, including Cyrillic and punycode domains, up to 254 characters', () => {
      expectPass(checkEmail('ivanov@example.ru'));
      expectPass(checkEmail('i.ivanov+smev@mail.gov.ru'));
      expectPass(checkEmail('info@мвд.рф'));
      expectPass(checkEmail('info@xn--b1aew.xn--p1ai'));
      const longest = `${'a'.repeat(64)}@${'b'.repeat(62)}.${'c'.repeat(61)}.${'d'.repeat(61)}.ru`;
      expect(longest).to.have.length(254);
      expectPass(checkEmail(longest));
    });

    it('rejects missing or repeated @, bad local parts, bad domains, overlong input and empty input', () => {
      expectFail(checkEmail('ivanov.example.ru'), 'e-mail', /exactly one @/);
      expectFail(checkEmail('a@b@example.ru'), 'e-mail', /exactly one @/);
      expectFail(checkEmail('@example.ru'), 'e-mail', /nothing before the @/);
      expectFail(checkEmail('.ivanov@example.ru'), 'e-mail', /misplaced dot/);
      expectFail(checkEmail('iva..nov@example.ru'), 'e-mail', /misplaced dot/);
      expectFail(checkEmail('иванов@example.ru'), 'e-mail', /before the @/);
      expectFail(checkEmail('ivan ov@example.ru'), 'e-mail', /before the @/);
      expectFail(checkEmail('ivanov@'), 'e-mail', /valid domain/);
      expectFail(checkEmail('ivanov@localhost'), 'e-mail', /valid domain/);
      expectFail(checkEmail('ivanov@-example.ru'), 'e-mail', /valid domain/);
      expectFail(checkEmail('ivanov@example.r'), 'e-mail', /valid domain/);
      expectFail(checkEmail('ivanov@example..ru'), 'e-mail', /valid domain/);
      expectFail(checkEmail(`${'a'.repeat(65)}@example.ru`), 'e-mail', /at most 64 characters before the @/);
      expectFail(
        checkEmail(`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(61)}.${'d'.repeat(61)}.ru`),
        'e-mail',
        /at most 254/,
      );
      expectFail(checkEmail(''), 'e-mail', /empty/);
    });
  });

  describe('information-system mnemonic', () => {
    it('accepts 3 to 50 capital Latin letters, digits and underscores', () => {
      expectPass(checkMnemonic('EPGU'));
      expectPass(checkMnemonic('SMEV_GATEWAY_01'));
      expectPass(checkMnemonic('ABC'));
      expectPass(checkMnemonic('A'.repeat(50)));
    });

    it('rejects lowercase, hyphens, Cyrillic, wrong lengths and empty input', () => {
      expectFail(checkMnemonic('epgu'), 'mnemonic', /capital Latin letters/);
      expectFail(checkMnemonic('EPGU-1'), 'mnemonic', /capital Latin letters/);
      expectFail(checkMnemonic('ЕПГУ'), 'mnemonic', /capital Latin letters/); // Cyrillic look-alikes
      expectFail(checkMnemonic('AB'), 'mnemonic', /3 to 50 characters long, not 2/);
      expectFail(checkMnemonic('A'.repeat(51)), 'mnemonic', /3 to 50 characters long, not 51/);
      expectFail(checkMnemonic(''), 'mnemonic', /empty/);
    });
  });

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
      for (const d of otherDigits(1))
        expectFail(checkCardNumber(`411111111111111${d}`), 'card number', /Luhn/);
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

  describe('field names and assertField', () => {
    it('names a caller-given field in the failure', () => {
      expectFail(checkOgrn('', 'organisation.ogrn'), 'organisation.ogrn', /empty/);
      expectFail(checkRussianPhone('123', 'contact.phone'), 'contact.phone', /start with \+7 or 8/);
    });

    it('returns the canonical value or throws a FieldCheckError naming the field', () => {
      expect(assertField(checkSnils('112-233-445 95'))).to.equal('11223344595');
      expect(() => assertField(checkInn('7707083894', 'organisation.inn')))
        .to.throw(FieldCheckError, /^organisation\.inn: the check digit \(10th\) is wrong/)
        .with.property('field', 'organisation.inn');
    });
  });
});
