import { expect } from 'chai';
import { ProviderRejection } from '../../../src/providers/contract.js';
import { CardHasher } from '../../../src/providers/cards/keys.js';
import { holderDisplay, mirCardDigits, snilsDigits } from '../../../src/providers/cards/rules.js';
import { parseCardsSettings } from '../../../src/providers/cards/settings.js';
import { PAN, SNILS, SNILS_FORMATTED } from './support.js';

function rejection(work: () => unknown): ProviderRejection {
  try {
    work();
  } catch (error) {
    if (error instanceof ProviderRejection) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('cards rules', () => {
  describe('the card number', () => {
    it('passes a Mir card of 16 to 19 digits in 2200-2204', () => {
      expect(mirCardDigits(PAN)).to.equal(PAN);
      expect(mirCardDigits('2200700000000017')).to.equal('2200700000000017');
      expect(mirCardDigits('2200000000000000004')).to.equal('2200000000000000004'); // 19 digits
    });

    it('refuses a Luhn failure as INVALID_PAN under UNKNOWN_REQUEST_DESCRIPTION, without quoting the number', () => {
      const error = rejection(() => mirCardDigits('2204300000001235'));
      expect(error.code).to.equal('INVALID_PAN');
      expect(error.reason).to.equal('UNKNOWN_REQUEST_DESCRIPTION');
      expect(error.message).to.match(/^INVALID_PAN: .*Luhn/);
      expect(error.message).not.to.contain('2204300000001235');
    });

    it('refuses a valid card outside the Mir range as NOT_MIR_CARD', () => {
      for (const visaOrOther of ['4111111111111111', '2205000000000009', '5555555555554444']) {
        const error = rejection(() => mirCardDigits(visaOrOther));
        expect(error.code, visaOrOther).to.equal('NOT_MIR_CARD');
        expect(error.message).to.match(/^NOT_MIR_CARD: /);
        expect(error.message).not.to.contain(visaOrOther);
      }
    });

    it('refuses a Luhn-valid Mir prefix shorter than 16 digits as NOT_MIR_CARD', () => {
      // 2200 + 9 zeros + check digit: 14 digits, Luhn-valid, too short for Mir.
      expect(rejection(() => mirCardDigits('22000000000004')).code).to.equal('NOT_MIR_CARD');
    });
  });

  describe('the SNILS', () => {
    it('passes plain and formatted SNILS with the right control number, as 11 digits', () => {
      expect(snilsDigits(SNILS)).to.equal(SNILS);
      expect(snilsDigits(SNILS_FORMATTED)).to.equal(SNILS);
    });

    it('refuses a wrong control number as INVALID_SNILS, without quoting it', () => {
      const error = rejection(() => snilsDigits('11122233373'));
      expect(error.code).to.equal('INVALID_SNILS');
      expect(error.reason).to.equal('UNKNOWN_REQUEST_DESCRIPTION');
      expect(error.message).to.match(/^INVALID_SNILS: .*control number/);
      expect(error.message).not.to.contain('11122233373');
    });
  });

  it('keeps the surname and initials of the holder only', () => {
    expect(holderDisplay('Смирнов', 'всеволод', 'Иванович')).to.equal('Смирнов В. И.');
    expect(holderDisplay(' Ли ', 'Анна', undefined)).to.equal('Ли А.');
  });

  it('hashes card numbers and SNILS numbers with the key, apart from each other', () => {
    const a = new CardHasher('a'.repeat(32));
    const b = new CardHasher('b'.repeat(32));
    expect(a.pan(PAN)).to.match(/^[0-9a-f]{64}$/);
    expect(a.pan(PAN)).to.equal(a.pan(PAN));
    expect(a.pan(PAN)).not.to.equal(b.pan(PAN));
    expect(a.pan('11122233372')).not.to.equal(a.snils('11122233372'));
    expect(a.check()).not.to.equal(b.check());
  });

  describe('settings', () => {
    it('accepts an empty section and a secret of 32 characters or more', () => {
      expect(parseCardsSettings(undefined)).to.deep.equal({});
      expect(parseCardsSettings({ panHmacSecret: 'x'.repeat(32) }).panHmacSecret).to.have.length(32);
    });

    it('refuses a short secret and unknown keys, naming the setting', () => {
      expect(() => parseCardsSettings({ panHmacSecret: 'short' })).to.throw(
        /services\.cards\.panHmacSecret: .*32/,
      );
      expect(() => parseCardsSettings({ panHmacSecert: 'x'.repeat(40) })).to.throw(
        /invalid cards service settings/,
      );
      expect(() => parseCardsSettings({ panHmacSecret: 12345 })).to.throw(/panHmacSecret/);
    });
  });
});
