/**
 * The cards service's rules at the door, as pure functions: a card number must be a Mir card (Luhn, 16-19 digits,
 * 2200-2204), a SNILS must carry its control number. Failures come as typed rejections whose description starts
 * with a machine code. No description ever quotes the card number or the SNILS.
 */
import { checkCardNumber, checkMirCard } from '../../identifiers/card.js';
import { checkSnils } from '../../identifiers/snils.js';
import type { RejectionCode } from '../contract.js';

export type CardsRejectionCode =
  | 'INVALID_PAN'
  | 'NOT_MIR_CARD'
  | 'INVALID_SNILS'
  | 'CARD_OF_ANOTHER_HOLDER'
  | 'CARD_NOT_FOUND'
  | 'CARD_DEREGISTERED'
  | 'CONNECTION_POINT_UNKNOWN'
  | 'CONNECTION_POINT_WITHDRAWN';

/** The SMEV rejection reason each machine code travels under. */
export const REJECTION_REASONS: Record<CardsRejectionCode, RejectionCode> = {
  INVALID_PAN: 'UNKNOWN_REQUEST_DESCRIPTION',
  NOT_MIR_CARD: 'UNKNOWN_REQUEST_DESCRIPTION',
  INVALID_SNILS: 'UNKNOWN_REQUEST_DESCRIPTION',
  CARD_OF_ANOTHER_HOLDER: 'ACCESS_DENIED',
  CARD_NOT_FOUND: 'NO_DATA',
  CARD_DEREGISTERED: 'FAILURE',
  CONNECTION_POINT_UNKNOWN: 'UNKNOWN_REQUEST_DESCRIPTION',
  CONNECTION_POINT_WITHDRAWN: 'UNKNOWN_REQUEST_DESCRIPTION',
};

/** Each refusal in Russian, the system's language by the regional rules; the detail after it may be English. */
export const REJECTION_TEXTS: Record<CardsRejectionCode, string> = {
  INVALID_PAN: 'номер карты указан неверно',
  NOT_MIR_CARD: 'карта не является картой «Мир»',
  INVALID_SNILS: 'СНИЛС указан неверно',
  CARD_OF_ANOTHER_HOLDER: 'карта зарегистрирована как социальная карта другого держателя',
  CARD_NOT_FOUND: 'социальная карта не найдена в реестре',
  CARD_DEREGISTERED: 'социальная карта снята с учёта',
  CONNECTION_POINT_UNKNOWN: 'пункт подключения не значится в справочнике пунктов подключения',
  CONNECTION_POINT_WITHDRAWN: 'пункт подключения исключён из справочника пунктов подключения',
};

/** The reference book of the authorised connection points (the portal, the app, organisations with an agreement). */
export const CONNECTION_POINTS_BOOK = 'connection-points';

/**
 * A connection point as the reference book writes its codes: the cards schema admits upper case and underscores
 * (`PORTAL`, `BANK_AMUR_01`), the book lower case and hyphens (`portal`, `bank-amur-01`); they name the same point.
 */
export function connectionPointCode(sent: string): string {
  return sent.trim().toLowerCase().replaceAll('_', '-');
}

export class CardRejection extends Error {
  override name = 'CardRejection';
  constructor(
    readonly code: CardsRejectionCode,
    readonly detail: string,
  ) {
    super(`${code}: ${REJECTION_TEXTS[code]} (${detail})`);
  }

  get reason(): RejectionCode {
    return REJECTION_REASONS[this.code];
  }
}

/** The card number's digits, when it is a Mir card; otherwise INVALID_PAN (form or Luhn) or NOT_MIR_CARD. */
export function mirCardDigits(pan: string): string {
  const card = checkCardNumber(pan, 'the card number');
  if (!card.ok) throw new CardRejection('INVALID_PAN', card.message);
  const mir = checkMirCard(card.value, 'the card number');
  if (!mir.ok)
    throw new CardRejection(
      'NOT_MIR_CARD',
      `${mir.reason}; only Mir cards (2200-2204, 16 to 19 digits) can become social cards`,
    );
  return mir.value;
}

/** The SNILS as 11 digits, or INVALID_SNILS. */
export function snilsDigits(snils: string): string {
  const checked = checkSnils(snils, "the holder's SNILS");
  if (!checked.ok) throw new CardRejection('INVALID_SNILS', checked.message);
  return checked.value;
}

/** "Surname I. P." — what the register keeps of the holder's name. */
export function holderDisplay(surname: string, firstName: string, patronymic: string | undefined): string {
  const initial = (part: string) => `${Array.from(part.trim())[0]?.toLocaleUpperCase('ru') ?? ''}.`;
  const display = [
    surname.trim(),
    initial(firstName),
    ...(patronymic?.trim() ? [initial(patronymic)] : []),
  ].join(' ');
  return Array.from(display).slice(0, 120).join('');
}
