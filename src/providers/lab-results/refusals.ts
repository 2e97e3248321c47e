/**
 * The lab-results service's business refusals: each a stable machine code, the SMEV rejection reason it travels under,
 * and its text in Russian (the system's language by the regional rules). The description reads
 * `CODE: русский текст (detail)`; the detail may name a field, a time or the English particulars.
 */
import { refusalTable, type RejectionCode } from '../contract.js';

const REFUSALS = {
  CONSENT_REQUIRED: [
    'ACCESS_DENIED',
    'посещение не регистрируется без согласия на обработку персональных данных',
  ],
  CONSENT_IN_FUTURE: [
    'UNKNOWN_REQUEST_DESCRIPTION',
    'время согласия на обработку персональных данных позже времени регистрации',
  ],
  SMS_LIMIT: ['ACCESS_DENIED', 'на этот номер отправлено слишком много SMS за час; повторите позже'],
  CODE_NOT_SENT: ['FAILURE', 'одноразовый код не удалось отправить'],
  CODE_LOCKED: ['ACCESS_DENIED', 'проверки по коду для этого номера временно заблокированы'],
  CODE_WRONG: ['ACCESS_DENIED', 'код неверен'],
  CODE_USED: ['ACCESS_DENIED', 'код уже использован; зарегистрируйте посещение снова'],
  CODE_EXPIRED: ['ACCESS_DENIED', 'срок действия кода истёк; зарегистрируйте посещение снова'],
  RESULT_NOT_FOUND: ['NO_DATA', 'результат не найден'],
  RESULT_DATE_INVALID: ['UNKNOWN_REQUEST_DESCRIPTION', 'дата результата указана неверно'],
  RESULT_DATE_IN_FUTURE: ['UNKNOWN_REQUEST_DESCRIPTION', 'дата результата ещё не наступила'],
  RESULT_WITHDRAWN: ['UNKNOWN_REQUEST_DESCRIPTION', 'результат отозван; для нового нужен новый ResultId'],
  RESULT_CONFLICT: ['UNKNOWN_REQUEST_DESCRIPTION', 'результат с этим ResultId уже записан с другими данными'],
  NO_POSITIVE_RESULT: ['NO_DATA', 'положительный результат для этого человека не записан'],
  VENUE_NOT_FOUND: ['NO_DATA', 'объект с таким регистрационным кодом не зарегистрирован'],
  VENUE_NOT_ACTIVE: ['ACCESS_DENIED', 'объект не активен в реестре'],
  PHONE_INVALID: ['UNKNOWN_REQUEST_DESCRIPTION', 'номер телефона указан неверно'],
} as const satisfies Record<string, readonly [RejectionCode, string]>;

export type LabResultsRefusal = keyof typeof REFUSALS;

/** The rejection of a code, `CODE: текст (detail)`; the provider throws it. */
export const refusal = refusalTable(REFUSALS);

export const LAB_RESULTS_REFUSAL_CODES = Object.keys(REFUSALS) as LabResultsRefusal[];
