import { expect } from 'chai';
import { FieldCheckError, assertField } from '../../src/identifiers/check.js';
import { checkInn } from '../../src/identifiers/inn.js';
import { checkOgrn } from '../../src/identifiers/ogrn.js';
import { checkSnils } from '../../src/identifiers/snils.js';
import { checkEmail, checkMnemonic, checkRussianPhone } from '../../src/registry/checks.js';
import { expectFail, expectPass } from '../identifiers/support.js';

describe('registry checks', () => {
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
