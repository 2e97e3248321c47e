/**
 * The certificates service's pure rules: certificate numbers, the QR payload, masking of the holder, business
 * dates and the derived status. No store, no XML.
 *
 * Certificate number: 12 digits, the last one a Luhn (mod 10) check digit over the first 11.
 *
 * QR payload (what the QR code printed on or shown for a certificate holds), version 1:
 *
 *     SGC1:<number>:<check>
 *
 * - `SGC1` — "social guarantee certificate", format version 1; upper case, exact.
 * - `<number>` — the 12-digit certificate number.
 * - `<check>` — two digits, ISO 7064 MOD 97-10 over the number (as in IBAN): `98 - (number * 100 mod 97)`,
 *   so that `(number * 100 + check) mod 97 = 1`. It catches a misread QR or a hand-edited payload.
 *
 * Leading and trailing whitespace (scanners often append CR/LF) is ignored; anything else is malformed.
 * Example: `SGC1:470000000018:97`.
 */
import { luhnValid } from '../../identifiers/card.js';

export const QR_PREFIX = 'SGC1';

export type CertificateStatus = 'ACTIVE' | 'EXPIRED' | 'EXHAUSTED' | 'BLOCKED';

export type NumberCheck = { ok: true; number: string } | { ok: false; code: string; reason: string };

/** A certificate number: 12 digits with a valid Luhn check digit. */
export function checkCertificateNumber(value: string): NumberCheck {
  if (!/^[0-9]{12}$/.test(value)) {
    return {
      ok: false,
      code: 'CERTIFICATE_NUMBER_INVALID',
      reason: 'номер сертификата должен состоять из 12 цифр',
    };
  }
  if (!luhnValid(value)) {
    return {
      ok: false,
      code: 'CERTIFICATE_NUMBER_INVALID',
      reason: 'контрольная цифра номера сертификата не сходится: номер введён с ошибкой',
    };
  }
  return { ok: true, number: value };
}

/** The Luhn check digit that completes `eleven` digits into a valid certificate number. */
export function luhnCheckDigit(eleven: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(`${eleven}${d}`)) return String(d);
  throw new Error(`no Luhn digit completes ${eleven}`);
}

function mod97(digits: string): number {
  let r = 0;
  for (let i = 0; i < digits.length; i++) r = (r * 10 + (digits.charCodeAt(i) - 48)) % 97;
  return r;
}

/** The two MOD 97-10 check digits of a certificate number. */
export function qrCheck(number: string): string {
  return String(98 - mod97(`${number}00`)).padStart(2, '0');
}

/** The QR payload of a certificate. */
export function qrPayload(number: string): string {
  return `${QR_PREFIX}:${number}:${qrCheck(number)}`;
}

/** Reads a QR payload into the certificate number, or says precisely why it is not one of ours. */
export function parseQrPayload(text: string): NumberCheck {
  const trimmed = text.trim();
  const parts = trimmed.split(':');
  if (parts.length !== 3 || parts[0] !== QR_PREFIX) {
    return {
      ok: false,
      code: 'QR_MALFORMED',
      reason: `QR-код не является кодом электронного сертификата: ожидается ${QR_PREFIX}:<номер из 12 цифр>:<2 контрольные цифры>`,
    };
  }
  const [, number = '', check = ''] = parts;
  if (!/^[0-9]{12}$/.test(number) || !/^[0-9]{2}$/.test(check)) {
    return {
      ok: false,
      code: 'QR_MALFORMED',
      reason: `в QR-коде номер должен состоять из 12 цифр, а контрольное число — из 2 цифр`,
    };
  }
  if (mod97(`${number}${check}`) !== 1) {
    return {
      ok: false,
      code: 'QR_CHECK_FAILED',
      reason: 'контрольное число QR-кода не сходится: код считан с ошибкой или изменён',
    };
  }
  return checkCertificateNumber(number);
}

/** Initials in the order surname, name, patronymic: "И. И. П." (no patronymic: "И. И."). */
export function initials(surname: string, name: string, patronymic: string | null): string {
  return [surname, name, patronymic]
    .filter((part): part is string => part != null && part.trim() !== '')
    .map((part) => `${[...part.trim()][0]!.toUpperCase()}.`)
    .join(' ');
}

/** SNILS with all but its last four digits hidden: "***-***-*45 95". */
export function maskSnils(snils: string): string {
  if (!/^[0-9]{11}$/.test(snils)) throw new Error('a stored SNILS must be 11 digits');
  return `***-***-*${snils.slice(7, 9)} ${snils.slice(9)}`;
}

/** The holder as the service shows them: "И. И. П., СНИЛС ***-***-*45 95". */
export function holderDisplay(initialsText: string, snilsMasked: string): string {
  return `${initialsText}, СНИЛС ${snilsMasked}`;
}

/** Business dates are Moscow dates (UTC+3 all year since 2014). */
const MOSCOW_OFFSET_MS = 3 * 60 * 60 * 1000;

/** The Moscow calendar date of an instant, `YYYY-MM-DD`. */
export function moscowDate(at: Date): string {
  return new Date(at.getTime() + MOSCOW_OFFSET_MS).toISOString().slice(0, 10);
}

export interface CertificateFacts {
  readonly status: 'ACTIVE' | 'BLOCKED';
  readonly balance: number;
  readonly valid_to: string;
}

/** The status a certificate shows on `today`: BLOCKED, then EXPIRED, then EXHAUSTED, else ACTIVE. */
export function certificateStatus(certificate: CertificateFacts, today: string): CertificateStatus {
  if (certificate.status === 'BLOCKED') return 'BLOCKED';
  if (certificate.valid_to < today) return 'EXPIRED';
  if (certificate.balance <= 0) return 'EXHAUSTED';
  return 'ACTIVE';
}

/** Kopecks as roubles for people: 1250050 → "12 500,50 руб." (integer arithmetic only). */
export function formatRoubles(kopecks: number): string {
  if (!Number.isSafeInteger(kopecks)) throw new Error('kopecks must be a safe integer');
  const sign = kopecks < 0 ? '-' : '';
  const abs = Math.abs(kopecks);
  const roubles = inThousands(String(Math.trunc(abs / 100)));
  return `${sign}${roubles},${String(abs % 100).padStart(2, '0')} руб.`;
}

/** Digits in groups of three from the right, a no-break space between: "1250500" → "1 250 500". */
function inThousands(digits: string): string {
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 3) groups.unshift(digits.slice(Math.max(0, end - 3), end));
  return groups.join('\u00a0');
}
