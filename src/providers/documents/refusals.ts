/**
 * The documents service's business refusals: each a stable machine code, the SMEV rejection reason it travels
 * under, and its text in Russian. The description reads `CODE: русский текст (detail)`.
 */
import { refusalTable, type RejectionCode } from '../contract.js';

const REFUSALS = {
  DOCUMENT_MALFORMED: [
    'UNKNOWN_REQUEST_DESCRIPTION',
    'документ не соответствует формату подписанного документа',
  ],
  ISSUER_SIGNATURE_INVALID: [
    'UNKNOWN_REQUEST_DESCRIPTION',
    'подпись органа, выдавшего документ, не прошла проверку',
  ],
  SIGNER_NOT_ISSUER: [
    'ACCESS_DENIED',
    'документ подписан сертификатом, не принадлежащим системе органа, выдавшего документ',
  ],
  IIN_IN_DOCUMENT: [
    'UNKNOWN_REQUEST_DESCRIPTION',
    'документ не должен содержать ИИН в открытом виде; субъект указывается только в поле Iin',
  ],
  DOCUMENT_EXISTS: [
    'UNKNOWN_REQUEST_DESCRIPTION',
    'документ с этим номером уже опубликован с другим содержанием',
  ],
  DOCUMENT_NOT_FOUND: ['NO_DATA', 'документ не найден'],
  DOCUMENT_NOT_VALID: ['UNKNOWN_REQUEST_DESCRIPTION', 'документ заменён или отозван и не может быть изменён'],
  DOCUMENT_REVOKED: ['ACCESS_DENIED', 'документ отозван органом, выдавшим его'],
  DOCUMENT_REPLACED: ['ACCESS_DENIED', 'документ заменён новым; откройте доступ к новому документу'],
  ACCESS_TOO_LONG: ['UNKNOWN_REQUEST_DESCRIPTION', 'запрошенный срок доступа превышает допустимый'],
  ACCESS_NOT_FOUND: ['NO_DATA', 'доступ не найден'],
  CONSENT_PHONE_REQUIRED: [
    'UNKNOWN_REQUEST_DESCRIPTION',
    'доступ открывается только с согласия субъекта: укажите телефон для одноразового кода',
  ],
  CONSENT_CODE_NOT_SENT: ['FAILURE', 'одноразовый код согласия не удалось отправить'],
  CONSENT_NOT_ASKED: ['UNKNOWN_REQUEST_DESCRIPTION', 'для этого доступа согласие по SMS не запрашивалось'],
  CONSENT_CODE_WRONG: ['ACCESS_DENIED', 'код согласия неверен'],
  CONSENT_CODE_EXPIRED: ['ACCESS_DENIED', 'срок действия кода согласия истёк; откройте доступ снова'],
  CONSENT_CODE_LOCKED: ['ACCESS_DENIED', 'слишком много неверных кодов согласия; откройте доступ снова'],
  CODE_UNKNOWN: ['NO_DATA', 'код не найден'],
  CODE_FORGED: ['ACCESS_DENIED', 'QR-код не выдан шлюзом: подпись QR-кода не прошла проверку'],
  CODE_EXPIRED: ['ACCESS_DENIED', 'срок действия кода истёк'],
  ACCESS_CLOSED: ['ACCESS_DENIED', 'субъект закрыл доступ к документу'],
  CODE_LOCKED: ['ACCESS_DENIED', 'код заблокирован после неудачных попыток'],
  VIEWER_LOCKED: ['ACCESS_DENIED', 'попытки этой системы временно заблокированы из-за неверных кодов'],
  DESK_NEEDS_VIEWER: [
    'UNKNOWN_REQUEST_DESCRIPTION',
    'доступ при личном обращении открывается для одной названной системы',
  ],
  IDENTITY_IN_PERSON_ONLY: [
    'ACCESS_DENIED',
    'документы, удостоверяющие личность, представляются финансовым и платёжным организациям только при личном обращении',
  ],
  REPRESENTATION_SOURCE_NOT_ALLOWED: [
    'ACCESS_DENIED',
    'эта система не может вносить сведения о законных представителях',
  ],
  REPRESENTATION_NOT_FOUND: ['NO_DATA', 'сведения о законном представителе не найдены'],
  REPRESENTATION_INVALID: [
    'UNKNOWN_REQUEST_DESCRIPTION',
    'сведения о законном представителе указаны неверно',
  ],
  VIEWER_UNKNOWN: ['UNKNOWN_REQUEST_DESCRIPTION', 'система третьего лица не зарегистрирована'],
  VIEWER_NOT_ALLOWED: ['ACCESS_DENIED', 'доступ к документу открыт другой системе'],
} as const satisfies Record<string, readonly [RejectionCode, string]>;

export type DocumentsRefusal = keyof typeof REFUSALS;

/** The rejection of a code, `CODE: текст (detail)`; the provider throws it. */
export const refusal = refusalTable(REFUSALS);

export const DOCUMENTS_REFUSAL_CODES = Object.keys(REFUSALS) as DocumentsRefusal[];
