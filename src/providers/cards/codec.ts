/**
 * The cards service's XML (xsd/cards-1.0.xsd): five requests in, five answers out. The schema has already
 * checked the form; decoding still refuses what it cannot read, so the provider only sees well-typed values.
 * Error messages never quote a card number.
 */
import type { Element } from '@xmldom/xmldom';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { SocialCardStatus } from '../../store/schema-cards.js';
import { childText, firstChildElement } from '../../xml/dom.js';
import { xmlText } from '../../xml/text.js';
import type { ServiceCodec } from '../contract.js';

export const CARDS_NS = 'urn://smev-gateway/services/cards/1.0';

export type CardReference =
  { readonly by: 'id'; readonly socialCardId: string } | { readonly by: 'pan'; readonly pan: string };

export interface Holder {
  /** As written: 11 digits or XXX-XXX-XXX YY. */
  readonly snils: string;
  readonly surname: string;
  readonly firstName: string;
  readonly patronymic: string | undefined;
}

export interface RegistrationRequest {
  readonly kind: 'register';
  readonly pan: string;
  readonly holder: Holder;
  readonly connectionPoint: string;
}

export type CardChange = 'block' | 'unblock' | 'deregister';

export interface StatusRequest {
  readonly kind: 'status';
  readonly card: CardReference;
}

export interface ChangeRequest {
  readonly kind: CardChange;
  readonly card: CardReference;
  readonly reason: string | undefined;
}

export type CardsRequest = RegistrationRequest | StatusRequest | ChangeRequest;

export interface CardState {
  readonly socialCardId: string;
  readonly status: SocialCardStatus;
  readonly panLast4: string;
  readonly connectionPoint: string;
  readonly registeredAt: Date;
  readonly statusChangedAt: Date;
  readonly statusReason: string | undefined;
}

export type CardsAnswer =
  | { readonly kind: 'register'; readonly card: CardState; readonly alreadyRegistered: boolean }
  | { readonly kind: 'status' | CardChange; readonly card: CardState };

/** Request element → the kind the provider sees, and the answer element for that kind. */
const REQUESTS = {
  CardRegistrationRequest: 'register',
  CardStatusRequest: 'status',
  CardBlockRequest: 'block',
  CardUnblockRequest: 'unblock',
  CardDeregisterRequest: 'deregister',
} as const;

const ANSWERS: Record<CardsAnswer['kind'], string> = {
  register: 'CardRegistrationResponse',
  status: 'CardStatusResponse',
  block: 'CardBlockResponse',
  unblock: 'CardUnblockResponse',
  deregister: 'CardDeregisterResponse',
};

function required(parent: Element, name: string): string {
  const value = childText(parent, CARDS_NS, name);
  if (value === undefined) throw new Error(`${parent.localName} has no ${name}`);
  return value;
}

function optional(parent: Element, name: string): string | undefined {
  return childText(parent, CARDS_NS, name);
}

function cardReference(payload: Element): CardReference {
  const id = optional(payload, 'SocialCardId');
  if (id !== undefined) return { by: 'id', socialCardId: id };
  const pan = optional(payload, 'Pan');
  if (pan !== undefined) return { by: 'pan', pan };
  throw new Error(`${payload.localName} names no card (SocialCardId or Pan)`);
}

export const cardsCodec: ServiceCodec<CardsRequest, CardsAnswer> = {
  namespace: CARDS_NS,
  requests: Object.keys(REQUESTS),
  decode(payload: Element): CardsRequest {
    const name = payload.localName ?? '';
    if (payload.namespaceURI !== CARDS_NS || !Object.hasOwn(REQUESTS, name)) {
      throw new Error(`the cards service does not answer ${name}`);
    }
    const kind = REQUESTS[name as keyof typeof REQUESTS];
    if (kind === 'register') {
      const holder = firstChildElement(payload, CARDS_NS, 'Holder');
      if (!holder) throw new Error('CardRegistrationRequest has no Holder');
      return {
        kind,
        pan: required(payload, 'Pan'),
        holder: {
          snils: required(holder, 'Snils'),
          surname: required(holder, 'Surname'),
          firstName: required(holder, 'FirstName'),
          patronymic: optional(holder, 'Patronymic'),
        },
        connectionPoint: required(payload, 'ConnectionPoint'),
      };
    }
    if (kind === 'status') return { kind, card: cardReference(payload) };
    return { kind, card: cardReference(payload), reason: optional(payload, 'Reason') };
  },
  encode(answer: CardsAnswer): string {
    const root = create().ele(CARDS_NS, ANSWERS[answer.kind]);
    writeState(root, answer.card);
    if (answer.kind === 'register')
      root.ele(CARDS_NS, 'AlreadyRegistered').txt(xmlText(String(answer.alreadyRegistered)));
    return root.end({ headless: true });
  },
};

function writeState(root: XMLBuilder, card: CardState): void {
  root.ele(CARDS_NS, 'SocialCardId').txt(xmlText(card.socialCardId));
  root.ele(CARDS_NS, 'Status').txt(xmlText(card.status));
  root.ele(CARDS_NS, 'PanLast4').txt(xmlText(card.panLast4));
  root.ele(CARDS_NS, 'ConnectionPoint').txt(xmlText(card.connectionPoint));
  root.ele(CARDS_NS, 'RegisteredAt').txt(xmlText(card.registeredAt.toISOString()));
  root.ele(CARDS_NS, 'StatusChangedAt').txt(xmlText(card.statusChangedAt.toISOString()));
  if (card.statusReason !== undefined) root.ele(CARDS_NS, 'StatusReason').txt(xmlText(card.statusReason));
}
