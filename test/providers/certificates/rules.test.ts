import { expect } from 'chai';
import {
  certificateStatus,
  checkCertificateNumber,
  formatRoubles,
  holderDisplay,
  initials,
  luhnCheckDigit,
  maskSnils,
  moscowDate,
  parseQrPayload,
  qrCheck,
  qrPayload,
} from '../../../src/providers/certificates/rules.js';
import { SAMPLE_CERTIFICATES } from '../../../src/store/migrations/0003_certificates.js';
import { checkSnils } from '../../../src/identifiers/snils.js';

describe('certificates: rules', () => {
  describe('certificate number', () => {
    it('accepts 12 digits with a valid Luhn digit', () => {
      expect(checkCertificateNumber('470000000013')).to.deep.equal({ ok: true, number: '470000000013' });
    });
    it('refuses a mistyped digit, a wrong length and non-digits with CERTIFICATE_NUMBER_INVALID', () => {
      for (const bad of [
        '470000000014',
        '470000000031',
        '47000000001',
        '4700000000130',
        '47000000001a',
        '',
      ]) {
        const check = checkCertificateNumber(bad);
        expect(check.ok, bad).to.equal(false);
        if (!check.ok) expect(check.code).to.equal('CERTIFICATE_NUMBER_INVALID');
      }
    });
    it('completes 11 digits with the Luhn digit', () => {
      expect(luhnCheckDigit('47000000001')).to.equal('3');
      expect(luhnCheckDigit('47000000002')).to.equal('1');
    });
    it('seeds only valid numbers and valid SNILS', () => {
      for (const sample of SAMPLE_CERTIFICATES) {
        expect(checkCertificateNumber(sample.number).ok, sample.number).to.equal(true);
        expect(checkSnils(sample.holder_snils).ok, sample.holder_snils).to.equal(true);
        expect(sample.balance).to.be.at.most(sample.nominal);
        expect(Number.isSafeInteger(sample.balance) && Number.isSafeInteger(sample.nominal)).to.equal(true);
      }
    });
  });

  describe('QR payload SGC1:<number>:<check>', () => {
    it('makes and reads the payload of every sample', () => {
      expect(qrPayload('470000000013')).to.equal('SGC1:470000000013:37');
      for (const { number } of SAMPLE_CERTIFICATES) {
        expect(parseQrPayload(qrPayload(number))).to.deep.equal({ ok: true, number });
      }
    });
    it('satisfies ISO 7064 MOD 97-10: number·100 + check ≡ 1 (mod 97)', () => {
      for (const { number } of SAMPLE_CERTIFICATES) {
        expect((BigInt(number) * 100n + BigInt(qrCheck(number))) % 97n).to.equal(1n);
      }
    });
    it('ignores the CR/LF a scanner appends', () => {
      expect(parseQrPayload('  SGC1:470000000013:37\r\n')).to.deep.equal({
        ok: true,
        number: '470000000013',
      });
    });
    it('refuses what is not a certificate code with QR_MALFORMED', () => {
      for (const bad of [
        'https://example.ru/470000000013',
        'sgc1:470000000013:37',
        'SGC2:470000000013:37',
        'SGC1:470000000013',
        'SGC1:470000000013:37:00',
        'SGC1:47000000001:37',
        'SGC1:470000000013:7',
        'SGC1:470000000013:3a',
        'SGC1: 470000000013:37',
        '',
      ]) {
        const result = parseQrPayload(bad);
        expect(result.ok, bad).to.equal(false);
        if (!result.ok) expect(result.code, bad).to.equal('QR_MALFORMED');
      }
    });
    it('refuses a changed digit with QR_CHECK_FAILED', () => {
      const result = parseQrPayload('SGC1:470000000021:37');
      expect(result).to.include({ ok: false, code: 'QR_CHECK_FAILED' });
      expect(parseQrPayload('SGC1:470000000013:38')).to.include({ ok: false, code: 'QR_CHECK_FAILED' });
    });
    it('refuses a QR whose check agrees but whose number fails Luhn', () => {
      const number = '470000000014';
      expect(parseQrPayload(`SGC1:${number}:${qrCheck(number)}`)).to.include({
        ok: false,
        code: 'CERTIFICATE_NUMBER_INVALID',
      });
    });
  });

  describe('masking', () => {
    it('shows initials and the last four SNILS digits only', () => {
      const i = initials('Иванов', 'Иван', 'Петрович');
      const s = maskSnils('11223344595');
      expect(i).to.equal('И. И. П.');
      expect(s).to.equal('***-***-*45 95');
      expect(holderDisplay(i, s)).to.equal('И. И. П., СНИЛС ***-***-*45 95');
    });
    it('leaves out a missing patronymic and upper-cases initials', () => {
      expect(initials('Сидоров', 'Алексей', null)).to.equal('С. А.');
      expect(initials('ёлкин', ' олег ', '')).to.equal('Ё. О.');
    });
    it('refuses to mask a SNILS that is not 11 digits', () => {
      expect(() => maskSnils('112-233-445 95')).to.throw();
    });
  });

  describe('dates and status', () => {
    it('takes business dates in Moscow time', () => {
      expect(moscowDate(new Date('2026-11-23T20:59:59Z'))).to.equal('2026-11-23');
      expect(moscowDate(new Date('2026-11-23T21:00:00Z'))).to.equal('2026-11-24');
    });
    it('derives BLOCKED, then EXPIRED, then EXHAUSTED, else ACTIVE', () => {
      const today = '2026-06-15';
      expect(certificateStatus({ status: 'ACTIVE', balance: 1, valid_to: '2026-06-15' }, today)).to.equal(
        'ACTIVE',
      );
      expect(certificateStatus({ status: 'ACTIVE', balance: 1, valid_to: '2026-06-14' }, today)).to.equal(
        'EXPIRED',
      );
      expect(certificateStatus({ status: 'ACTIVE', balance: 0, valid_to: '2026-06-14' }, today)).to.equal(
        'EXPIRED',
      );
      expect(certificateStatus({ status: 'ACTIVE', balance: 0, valid_to: '2030-01-01' }, today)).to.equal(
        'EXHAUSTED',
      );
      expect(certificateStatus({ status: 'BLOCKED', balance: 0, valid_to: '2020-01-01' }, today)).to.equal(
        'BLOCKED',
      );
    });
  });

  describe('money', () => {
    it('formats kopecks as roubles with integer arithmetic', () => {
      expect(formatRoubles(1_250_050)).to.equal('12\u00a0500,50 руб.');
      expect(formatRoubles(5)).to.equal('0,05 руб.');
      expect(formatRoubles(-100)).to.equal('-1,00 руб.');
      expect(() => formatRoubles(1.5)).to.throw();
    });
  });
});
