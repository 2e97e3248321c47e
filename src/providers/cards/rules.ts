/**
 * The cards service's rules at the door, as pure functions: a card number must be a Mir card (Luhn, 16-19 digits,
 * 2200-2204), a SNILS must carry its control number. Failures come as typed rejections whose description starts
 * with a machine code. No description ever quotes the card number or the SNILS.
 */
import { checkCardNumber, checkMirCard } from '../../identifiers/card.js';
import { checkSnils } from '../../identifiers/snils.js';
import { refusalTable, type RejectionCode } from '../contract.js';

/**
 * The machine codes: the SMEV rejection reason each travels under, and its text in Russian, the system's language
 * by the regional rules (the detail after it may be English).
 */
const REFUSALS = {
  INVALID_PAN: ['UNKNOWN_REQUEST_DESCRIPTION', 'номер карты указан неверно'],
  NOT_MIR_CARD: ['UNKNOWN_REQUEST_DESCRIPTION', 'карта не является картой «Мир»'],
  INVALID_SNILS: ['UNKNOWN_REQUEST_DESCRIPTION', 'СНИЛС указан неверно'],
  CARD_OF_ANOTHER_HOLDER: ['ACCESS_DENIED', 'карта зарегистрирована как социальная карта другого держателя'],
  CARD_NOT_FOUND: ['NO_DATA', 'социальная карта не найдена в реестре'],
  CARD_OF_ANOTHER_SYSTEM: [
    'ACCESS_DENIED',
    'статус карты меняет только информационная система, зарегистрировавшая её',
  ],
  CARD_DEREGISTERED: ['FAILURE', 'социальная карта снята с учёта'],
  CONNECTION_POINT_UNKNOWN: [
    'UNKNOWN_REQUEST_DESCRIPTION',
    'пункт подключения не значится в справочнике пунктов подключения',
  ],
  CONNECTION_POINT_WITHDRAWN: [
    'UNKNOWN_REQUEST_DESCRIPTION',
    'пункт подключения исключён из справочника пунктов подключения',
  ],
} as const satisfies Record<string, readonly [RejectionCode, string]>;

export type CardsRejectionCode = keyof typeof REFUSALS;

/** The rejection of a code, `CODE: текст (detail)`; the provider throws it. */
export const cardRejection = refusalTable(REFUSALS);

export const CARDS_REFUSAL_CODES = Object.keys(REFUSALS) as CardsRejectionCode[];

/** The reference book of the authorised connection points (the portal, the app, organisations with an agreement). */
export const CONNECTION_POINTS_BOOK = 'connection-points';

/**
 * A connection point as the reference book writes its codes: the cards schema admits upper case and underscores
 * (`PORTAL`, `BANK_AMUR_01`), the book lower case and hyphens (`portal`, `bank-amur-01`); they name the same point.
 */
export function connectionPointCode(sent: string): string {
  return sent.trim().toLowerCase().replaceAll('_', '-');
}

/** The card number's digits, when it is a Mir card; otherwise INVALID_PAN (form or Luhn) or NOT_MIR_CARD. */
export function mirCardDigits(pan: string): string {
  const card = checkCardNumber(pan, 'the card number');
  if (!card.ok) throw cardRejection('INVALID_PAN', card.message);
  const mir = checkMirCard(card.value, 'the card number');
  if (!mir.ok)
    throw cardRejection(
      'NOT_MIR_CARD',
      `${mir.reason}; only Mir cards (2200-2204, 16 to 19 digits) can become social cards`,
    );
  return mir.value;
}

/** The SNILS as 11 digits, or INVALID_SNILS. */
export function snilsDigits(snils: string): string {
  const checked = checkSnils(snils, "the holder's SNILS");
  if (!checked.ok) throw cardRejection('INVALID_SNILS', checked.message);
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
