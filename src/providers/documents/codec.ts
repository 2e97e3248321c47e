/**
 * The documents service's XML (xsd/documents-1.0.xsd): six requests in, six answers out. The schema has already
 * checked the payload; decoding still refuses what it cannot read exactly. The issuer's signed document travels
 * base64-encoded and is handed to the provider as the decoded UTF-8 text, byte for byte as signed.
 */
import type { Element } from '@xmldom/xmldom';
import { create } from 'xmlbuilder2';
import { childElements, childText } from '../../xml/dom.js';
import type { ServiceCodec } from '../contract.js';
import { isBase64 } from '../../core/base64.js';
import { xmlText } from '../../xml/text.js';

export const DOCUMENTS_NS = 'urn://smev-gateway/services/documents/1.0';

export type DocumentStatus = 'VALID' | 'REPLACED' | 'REVOKED';

export type PublishAction =
  | { readonly kind: 'publish'; readonly number: string; readonly iin: string; readonly signedXml: string }
  | {
      readonly kind: 'replace';
      readonly number: string;
      readonly newNumber: string;
      readonly signedXml: string;
    }
  | { readonly kind: 'revoke'; readonly number: string; readonly reason: string | undefined };

export type Credential =
  { readonly kind: 'qr'; readonly qr: string } | { readonly kind: 'code'; readonly code: string };

export type DocumentsRequest =
  | { readonly kind: 'publish'; readonly action: PublishAction }
  | { readonly kind: 'list'; readonly iin: string }
  | {
      readonly kind: 'open';
      readonly iin: string;
      readonly documentId: string;
      readonly viewer: string | undefined;
      readonly minutes: number | undefined;
      readonly desk: boolean;
      readonly phone: string | undefined;
    }
  | { readonly kind: 'confirm'; readonly iin: string; readonly accessId: string; readonly code: string }
  | { readonly kind: 'close'; readonly iin: string; readonly accessId: string }
  | { readonly kind: 'present'; readonly credential: Credential }
  | { readonly kind: 'check'; readonly credential: Credential }
  | {
      readonly kind: 'representation';
      readonly action: 'set' | 'end';
      readonly childIin: string;
      readonly representativeIin: string;
      readonly until: string | undefined;
    }
  | {
      readonly kind: 'marks';
      readonly iin: string | undefined;
      readonly documentId: string | undefined;
      readonly since: Date | undefined;
    };

export interface ViewMark {
  readonly documentId: string | undefined;
  readonly viewer: string;
  readonly at: Date;
  readonly method: string;
  readonly purpose: string;
  readonly result: string;
}

export interface DocumentSummary {
  readonly documentId: string;
  readonly issuer: string;
  readonly number: string;
  readonly type: string;
  readonly status: DocumentStatus;
  readonly issuedAt: Date;
  readonly forChild: boolean;
}

export type DocumentsAnswer =
  | {
      readonly kind: 'publish';
      readonly documentId: string;
      readonly status: DocumentStatus;
      readonly at: Date;
    }
  | { readonly kind: 'list'; readonly documents: readonly DocumentSummary[] }
  | {
      readonly kind: 'open' | 'confirm';
      readonly accessId: string;
      readonly granted:
        | { readonly qr: string; readonly shortCode: string; readonly expiresAt: Date }
        | { readonly consentCodeExpiresAt: Date };
    }
  | { readonly kind: 'close'; readonly accessId: string; readonly closedAt: Date }
  | {
      readonly kind: 'present';
      readonly documentId: string;
      readonly issuer: string;
      readonly type: string;
      readonly status: DocumentStatus;
      readonly issuedAt: Date;
      readonly signatureValid: boolean;
      readonly accessExpiresAt: Date;
      readonly signedXml: string;
    }
  | {
      readonly kind: 'check';
      readonly issuer: string;
      readonly type: string;
      readonly status: DocumentStatus;
      readonly issuedAt: Date;
      readonly signatureValid: boolean;
      readonly accessOpen: boolean;
      readonly accessExpiresAt: Date;
    }
  | { readonly kind: 'marks'; readonly marks: readonly ViewMark[] }
  | { readonly kind: 'representation'; readonly status: 'ACTIVE' | 'ENDED'; readonly at: Date };

function required(parent: Element, name: string): string {
  const value = childText(parent, DOCUMENTS_NS, name);
  if (value === undefined) throw new Error(`${parent.localName} has no ${name}`);
  return value.trim();
}

function optional(parent: Element, name: string): string | undefined {
  return childText(parent, DOCUMENTS_NS, name)?.trim();
}

function signedXml(parent: Element): string {
  const text = required(parent, 'SignedDocument').replace(/\s+/g, '');
  if (!isBase64(text)) throw new Error('SignedDocument is not base64');
  const bytes = Buffer.from(text, 'base64');
  const xml = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  if (!xml) throw new Error('SignedDocument is empty');
  return xml;
}

function credential(payload: Element): Credential {
  const qr = optional(payload, 'QrCode');
  if (qr !== undefined) return { kind: 'qr', qr };
  return { kind: 'code', code: required(payload, 'ShortCode') };
}

export function decodeDocumentsRequest(payload: Element): DocumentsRequest {
  if (payload.namespaceURI !== DOCUMENTS_NS)
    throw new Error(`not a documents payload: ${payload.namespaceURI ?? ''}`);
  switch (payload.localName) {
    case 'PublishDocumentRequest': {
      const action = childElements(payload)[0];
      if (!action || action.namespaceURI !== DOCUMENTS_NS)
        throw new Error('PublishDocumentRequest holds neither Publish, Replace nor Revoke');
      switch (action.localName) {
        case 'Publish':
          return {
            kind: 'publish',
            action: {
              kind: 'publish',
              number: required(action, 'DocumentNumber'),
              iin: required(action, 'Iin'),
              signedXml: signedXml(action),
            },
          };
        case 'Replace':
          return {
            kind: 'publish',
            action: {
              kind: 'replace',
              number: required(action, 'DocumentNumber'),
              newNumber: required(action, 'NewDocumentNumber'),
              signedXml: signedXml(action),
            },
          };
        case 'Revoke':
          return {
            kind: 'publish',
            action: {
              kind: 'revoke',
              number: required(action, 'DocumentNumber'),
              reason: optional(action, 'Reason'),
            },
          };
        default:
          throw new Error(`PublishDocumentRequest holds an unknown ${action.localName}`);
      }
    }
    case 'ListDocumentsRequest':
      return { kind: 'list', iin: required(payload, 'Iin') };
    case 'OpenAccessRequest': {
      const minutes = optional(payload, 'Minutes');
      const parsed = minutes === undefined ? undefined : Number(minutes);
      if (parsed !== undefined && (!Number.isInteger(parsed) || parsed < 1))
        throw new Error('Minutes must be a positive whole number');
      return {
        kind: 'open',
        iin: required(payload, 'Iin'),
        documentId: required(payload, 'DocumentId'),
        viewer: optional(payload, 'Viewer'),
        minutes: parsed,
        desk: ['true', '1'].includes(optional(payload, 'Desk') ?? 'false'),
        phone: optional(payload, 'Phone'),
      };
    }
    case 'ConfirmAccessRequest':
      return {
        kind: 'confirm',
        iin: required(payload, 'Iin'),
        accessId: required(payload, 'AccessId'),
        code: required(payload, 'SmsCode'),
      };
    case 'CloseAccessRequest':
      return { kind: 'close', iin: required(payload, 'Iin'), accessId: required(payload, 'AccessId') };
    case 'PresentDocumentRequest':
      return { kind: 'present', credential: credential(payload) };
    case 'CheckDocumentRequest':
      return { kind: 'check', credential: credential(payload) };
    case 'RepresentationRequest': {
      const action = childElements(payload)[0];
      if (!action || action.namespaceURI !== DOCUMENTS_NS || !['Set', 'End'].includes(action.localName ?? ''))
        throw new Error('RepresentationRequest holds neither Set nor End');
      const until = action.localName === 'Set' ? required(action, 'Until') : undefined;
      if (until !== undefined && !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(until))
        throw new Error(`Until is not YYYY-MM-DD: ${until}`);
      return {
        kind: 'representation',
        action: action.localName === 'Set' ? 'set' : 'end',
        childIin: required(action, 'ChildIin'),
        representativeIin: required(action, 'RepresentativeIin'),
        until,
      };
    }
    case 'ViewMarksRequest': {
      const since = optional(payload, 'Since');
      const sinceDate = since === undefined ? undefined : new Date(since);
      if (sinceDate && Number.isNaN(sinceDate.getTime())) throw new Error(`Since is not a date: ${since}`);
      return {
        kind: 'marks',
        iin: optional(payload, 'Iin'),
        documentId: optional(payload, 'DocumentId'),
        since: sinceDate,
      };
    }
    default:
      throw new Error(`the documents service has no request ${payload.localName}`);
  }
}

export function encodeDocumentsAnswer(answer: DocumentsAnswer): string {
  const ns = DOCUMENTS_NS;
  switch (answer.kind) {
    case 'publish': {
      const root = create().ele(ns, 'PublishDocumentResponse');
      root.ele(ns, 'DocumentId').txt(xmlText(answer.documentId));
      root.ele(ns, 'Status').txt(xmlText(answer.status));
      root.ele(ns, 'At').txt(xmlText(answer.at.toISOString()));
      return root.end({ headless: true });
    }
    case 'list': {
      const root = create().ele(ns, 'ListDocumentsResponse');
      for (const d of answer.documents) {
        const el = root.ele(ns, 'Document');
        el.ele(ns, 'DocumentId').txt(xmlText(d.documentId));
        el.ele(ns, 'Issuer').txt(xmlText(d.issuer));
        el.ele(ns, 'DocumentNumber').txt(xmlText(d.number));
        el.ele(ns, 'Type').txt(xmlText(d.type));
        el.ele(ns, 'Status').txt(xmlText(d.status));
        el.ele(ns, 'IssuedAt').txt(xmlText(d.issuedAt.toISOString()));
        if (d.forChild) el.ele(ns, 'ForChild').txt('true');
      }
      return root.end({ headless: true });
    }
    case 'open':
    case 'confirm': {
      const root = create().ele(ns, answer.kind === 'open' ? 'OpenAccessResponse' : 'ConfirmAccessResponse');
      root.ele(ns, 'AccessId').txt(xmlText(answer.accessId));
      const granted = answer.granted;
      if ('qr' in granted) {
        root.ele(ns, 'QrCode').txt(xmlText(granted.qr));
        root.ele(ns, 'ShortCode').txt(xmlText(granted.shortCode));
        root.ele(ns, 'ExpiresAt').txt(xmlText(granted.expiresAt.toISOString()));
      } else {
        root.ele(ns, 'ConsentCodeExpiresAt').txt(xmlText(granted.consentCodeExpiresAt.toISOString()));
      }
      return root.end({ headless: true });
    }
    case 'close': {
      const root = create().ele(ns, 'CloseAccessResponse');
      root.ele(ns, 'AccessId').txt(xmlText(answer.accessId));
      root.ele(ns, 'ClosedAt').txt(xmlText(answer.closedAt.toISOString()));
      return root.end({ headless: true });
    }
    case 'present': {
      const root = create().ele(ns, 'PresentDocumentResponse');
      root.ele(ns, 'DocumentId').txt(xmlText(answer.documentId));
      root.ele(ns, 'Issuer').txt(xmlText(answer.issuer));
      root.ele(ns, 'Type').txt(xmlText(answer.type));
      root.ele(ns, 'Status').txt(xmlText(answer.status));
      root.ele(ns, 'IssuedAt').txt(xmlText(answer.issuedAt.toISOString()));
      root.ele(ns, 'IssuerSignatureValid').txt(xmlText(String(answer.signatureValid)));
      root.ele(ns, 'AccessExpiresAt').txt(xmlText(answer.accessExpiresAt.toISOString()));
      root.ele(ns, 'SignedDocument').txt(xmlText(Buffer.from(answer.signedXml, 'utf8').toString('base64')));
      return root.end({ headless: true });
    }
    case 'check': {
      const root = create().ele(ns, 'CheckDocumentResponse');
      root.ele(ns, 'Issuer').txt(xmlText(answer.issuer));
      root.ele(ns, 'Type').txt(xmlText(answer.type));
      root.ele(ns, 'Status').txt(xmlText(answer.status));
      root.ele(ns, 'IssuedAt').txt(xmlText(answer.issuedAt.toISOString()));
      root.ele(ns, 'IssuerSignatureValid').txt(xmlText(String(answer.signatureValid)));
      root.ele(ns, 'AccessOpen').txt(xmlText(String(answer.accessOpen)));
      root.ele(ns, 'AccessExpiresAt').txt(xmlText(answer.accessExpiresAt.toISOString()));
      return root.end({ headless: true });
    }
    case 'representation': {
      const root = create().ele(ns, 'RepresentationResponse');
      root.ele(ns, 'Status').txt(xmlText(answer.status));
      root.ele(ns, 'At').txt(xmlText(answer.at.toISOString()));
      return root.end({ headless: true });
    }
    case 'marks': {
      const root = create().ele(ns, 'ViewMarksResponse');
      for (const mark of answer.marks) {
        const el = root.ele(ns, 'Mark');
        if (mark.documentId) el.ele(ns, 'DocumentId').txt(xmlText(mark.documentId));
        el.ele(ns, 'Viewer').txt(xmlText(mark.viewer));
        el.ele(ns, 'At').txt(xmlText(mark.at.toISOString()));
        el.ele(ns, 'Method').txt(xmlText(mark.method));
        el.ele(ns, 'Purpose').txt(xmlText(mark.purpose));
        el.ele(ns, 'Result').txt(xmlText(mark.result));
      }
      return root.end({ headless: true });
    }
  }
}

export const documentsCodec: ServiceCodec<DocumentsRequest, DocumentsAnswer> = {
  namespace: DOCUMENTS_NS,
  requests: [
    'PublishDocumentRequest',
    'ListDocumentsRequest',
    'OpenAccessRequest',
    'ConfirmAccessRequest',
    'CloseAccessRequest',
    'PresentDocumentRequest',
    'CheckDocumentRequest',
    'ViewMarksRequest',
    'RepresentationRequest',
  ],
  decode: decodeDocumentsRequest,
  encode: encodeDocumentsAnswer,
};
