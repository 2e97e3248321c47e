/**
 * The lab-results service's XML (xsd/tests-1.0.xsd): four requests in, four answers out. The schema has already checked
 * the payload; decoding still refuses what it cannot read exactly, so the provider only sees well-typed values.
 * Phones travel as written; the provider checks and normalises them (and rejects with the field named).
 */
import type { Element } from '@xmldom/xmldom';
import { create } from 'xmlbuilder2';
import { childElements, childText, firstChildElement } from '../../xml/dom.js';
import type { ServiceCodec } from '../contract.js';
import { xmlText } from '../../xml/text.js';

export const LAB_RESULTS_NS = 'urn://smev-gateway/services/tests/1.0';

/** A person by phone (as written), by personal QR token, or both; at least one. */
export interface PersonRef {
  readonly phone: string | undefined;
  readonly token: string | undefined;
}

export interface VisitRegistrationRequest {
  readonly kind: 'visit';
  readonly venueCode: string;
  readonly phone: string;
  /** The visitor's consent to personal-data processing: the text's version and when it was given. */
  readonly consent?: { readonly textVersion: string; readonly givenAt: Date } | undefined;
}

export type EntryCredential =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'code'; readonly phone: string; readonly code: string };

export interface EntryCheckRequest {
  readonly kind: 'check';
  readonly venueCode: string;
  readonly credential: EntryCredential;
}

export type PositiveResultAction =
  | {
      readonly kind: 'record';
      readonly resultId: string;
      readonly person: PersonRef;
      readonly resultDate: string;
    }
  | { readonly kind: 'withdraw'; readonly resultId: string };

export interface PositiveResultRequest {
  readonly kind: 'result';
  readonly action: PositiveResultAction;
}

export interface ContactsRequest {
  readonly kind: 'contacts';
  readonly person: PersonRef;
  readonly windowHours: number;
  readonly since: Date | undefined;
}

export type LabResultsRequest =
  VisitRegistrationRequest | EntryCheckRequest | PositiveResultRequest | ContactsRequest;

export type Decision = 'ADMIT' | 'REFUSE';

export interface VisitRegistrationAnswer {
  readonly kind: 'visit';
  readonly codeExpiresAt: Date;
}

/** Nothing about the person beyond the decision: no result, date, laboratory or name. */
export interface EntryCheckAnswer {
  readonly kind: 'check';
  readonly decision: Decision;
  readonly codeExpiresAt: Date | undefined;
}

export interface PositiveResultAnswer {
  readonly kind: 'result';
  readonly resultId: string;
  readonly status: 'RECORDED' | 'WITHDRAWN';
  readonly at: Date;
}

export interface ContactVisit {
  readonly venueCode: string;
  readonly visitedAt: Date;
}

export interface Contact {
  /** The phone in E.164, or the personal QR token, to warn the contact by. */
  readonly contact: { readonly kind: 'phone' | 'token'; readonly value: string };
  readonly visits: readonly ContactVisit[];
}

export interface ContactsAnswer {
  readonly kind: 'contacts';
  readonly contacts: readonly Contact[];
}

export type LabResultsAnswer =
  VisitRegistrationAnswer | EntryCheckAnswer | PositiveResultAnswer | ContactsAnswer;

function required(parent: Element, name: string): string {
  const value = childText(parent, LAB_RESULTS_NS, name);
  if (value === undefined) throw new Error(`${parent.localName} has no ${name}`);
  return value.trim();
}

function optional(parent: Element, name: string): string | undefined {
  return childText(parent, LAB_RESULTS_NS, name)?.trim();
}

function requiredElement(parent: Element, name: string): Element {
  const element = firstChildElement(parent, LAB_RESULTS_NS, name);
  if (!element) throw new Error(`${parent.localName} has no ${name}`);
  return element;
}

function decodePerson(element: Element): PersonRef {
  const person = { phone: optional(element, 'Phone'), token: optional(element, 'PersonalToken') };
  if (person.phone === undefined && person.token === undefined)
    throw new Error('Person has neither Phone nor PersonalToken');
  return person;
}

function decodeDateTime(value: string, name: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`${name} is not a date and time: ${value}`);
  return date;
}

export function decodeLabResultsRequest(payload: Element): LabResultsRequest {
  if (payload.namespaceURI !== LAB_RESULTS_NS)
    throw new Error(`not a lab-results payload: ${payload.namespaceURI ?? ''}`);
  switch (payload.localName) {
    case 'VisitRegistrationRequest': {
      const consent = firstChildElement(payload, LAB_RESULTS_NS, 'Consent');
      return {
        kind: 'visit',
        venueCode: required(payload, 'VenueCode'),
        phone: required(payload, 'Phone'),
        consent: consent && {
          textVersion: required(consent, 'TextVersion'),
          givenAt: decodeDateTime(required(consent, 'GivenAt'), 'GivenAt'),
        },
      };
    }
    case 'EntryCheckRequest': {
      const token = optional(payload, 'PersonalToken');
      const credential: EntryCredential =
        token !== undefined
          ? { kind: 'token', token }
          : { kind: 'code', phone: required(payload, 'Phone'), code: required(payload, 'Code') };
      return { kind: 'check', venueCode: required(payload, 'VenueCode'), credential };
    }
    case 'PositiveResultRequest': {
      const action = childElements(payload)[0];
      if (action?.localName === 'Record' && action.namespaceURI === LAB_RESULTS_NS) {
        const resultDate = required(action, 'ResultDate');
        if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(resultDate))
          throw new Error(`ResultDate is not YYYY-MM-DD: ${resultDate}`);
        return {
          kind: 'result',
          action: {
            kind: 'record',
            resultId: required(action, 'ResultId'),
            person: decodePerson(requiredElement(action, 'Person')),
            resultDate,
          },
        };
      }
      if (action?.localName === 'Withdraw' && action.namespaceURI === LAB_RESULTS_NS) {
        return { kind: 'result', action: { kind: 'withdraw', resultId: required(action, 'ResultId') } };
      }
      throw new Error('PositiveResultRequest holds neither Record nor Withdraw');
    }
    case 'ContactsRequest': {
      const windowHours = Number(required(payload, 'WindowHours'));
      if (!Number.isInteger(windowHours) || windowHours < 1 || windowHours > 72)
        throw new Error('WindowHours must be 1 to 72');
      const since = optional(payload, 'Since');
      return {
        kind: 'contacts',
        person: decodePerson(requiredElement(payload, 'Person')),
        windowHours,
        since: since === undefined ? undefined : decodeDateTime(since, 'Since'),
      };
    }
    default:
      throw new Error(`the lab-results service has no request ${payload.localName}`);
  }
}

export function encodeLabResultsAnswer(answer: LabResultsAnswer): string {
  switch (answer.kind) {
    case 'visit': {
      const root = create().ele(LAB_RESULTS_NS, 'VisitRegistrationResponse');
      root.ele(LAB_RESULTS_NS, 'CodeExpiresAt').txt(xmlText(answer.codeExpiresAt.toISOString()));
      return root.end({ headless: true });
    }
    case 'check': {
      const root = create().ele(LAB_RESULTS_NS, 'EntryCheckResponse');
      root.ele(LAB_RESULTS_NS, 'Decision').txt(xmlText(answer.decision));
      if (answer.codeExpiresAt)
        root.ele(LAB_RESULTS_NS, 'CodeExpiresAt').txt(xmlText(answer.codeExpiresAt.toISOString()));
      return root.end({ headless: true });
    }
    case 'result': {
      const root = create().ele(LAB_RESULTS_NS, 'PositiveResultResponse');
      root.ele(LAB_RESULTS_NS, 'ResultId').txt(xmlText(answer.resultId));
      root.ele(LAB_RESULTS_NS, 'Status').txt(xmlText(answer.status));
      root.ele(LAB_RESULTS_NS, 'At').txt(xmlText(answer.at.toISOString()));
      return root.end({ headless: true });
    }
    case 'contacts': {
      const root = create().ele(LAB_RESULTS_NS, 'ContactsResponse');
      for (const contact of answer.contacts) {
        const element = root.ele(LAB_RESULTS_NS, 'Contact');
        element
          .ele(LAB_RESULTS_NS, contact.contact.kind === 'phone' ? 'Phone' : 'PersonalToken')
          .txt(xmlText(contact.contact.value));
        for (const visit of contact.visits) {
          const v = element.ele(LAB_RESULTS_NS, 'Visit');
          v.ele(LAB_RESULTS_NS, 'VenueCode').txt(xmlText(visit.venueCode));
          v.ele(LAB_RESULTS_NS, 'VisitedAt').txt(xmlText(visit.visitedAt.toISOString()));
        }
      }
      return root.end({ headless: true });
    }
  }
}

export const labResultsCodec: ServiceCodec<LabResultsRequest, LabResultsAnswer> = {
  namespace: LAB_RESULTS_NS,
  requests: ['VisitRegistrationRequest', 'EntryCheckRequest', 'PositiveResultRequest', 'ContactsRequest'],
  decode: decodeLabResultsRequest,
  encode: encodeLabResultsAnswer,
};
