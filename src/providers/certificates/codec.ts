/**
 * The certificates service's XML (xsd/certificates-1.0.xsd): three requests in, three answers out. The schema
 * has already checked the payload; decoding still refuses what it cannot read exactly (numbers beyond the safe
 * integer range, missing elements), so the provider only ever sees well-typed values.
 */
import type { Element } from '@xmldom/xmldom';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { xmlText } from '../../xml/text.js';
import type { ServiceCodec } from '../contract.js';
import type { CertificateStatus } from './rules.js';

export const CERTIFICATES_NS = 'urn://smev-gateway/services/certificates/1.0';

export type CertificateLookup =
  { readonly by: 'number'; readonly value: string } | { readonly by: 'qr'; readonly value: string };

export interface StatusRequest {
  readonly kind: 'status';
  readonly lookup: CertificateLookup;
}

export interface PostingRequest {
  readonly kind: 'posting';
  readonly certificateNumber: string;
  readonly worksName: string;
  readonly classifierCode: string;
  readonly quantity: number;
  /** Kopecks. */
  readonly cost: number;
  readonly transactionId: string;
}

export interface RegistryLine {
  readonly transactionId: string;
  readonly certificateNumber: string;
  /** Kopecks. */
  readonly cost: number;
}

export interface RegistryRequest {
  readonly kind: 'registry';
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly transactions: readonly RegistryLine[];
  readonly totalCount: number;
  /** Kopecks. */
  readonly totalCost: number;
}

export type CertificatesRequest = StatusRequest | PostingRequest | RegistryRequest;

export interface StatusAnswer {
  readonly kind: 'status';
  readonly certificateNumber: string;
  readonly holderInitials: string;
  readonly holderSnilsMasked: string;
  readonly holderDisplay: string;
  readonly measureCode: string;
  readonly measureName: string;
  readonly nominal: number;
  readonly balance: number;
  readonly validFrom: string;
  readonly validTo: string;
  readonly status: CertificateStatus;
}

export interface PostingAnswer {
  readonly kind: 'posting';
  readonly postingId: string;
  readonly transactionId: string;
  readonly certificateNumber: string;
  readonly cost: number;
  readonly balanceAfter: number;
  readonly postedAt: Date;
}

export interface DifferingField {
  readonly name: 'CertificateNumber' | 'Cost';
  readonly inRegistry: string;
  readonly atGateway: string;
}

export interface RegistryAnswer {
  readonly kind: 'registry';
  readonly registryId: string;
  readonly date: string;
  readonly result: 'MATCHED' | 'MISMATCHED';
  readonly replaced: boolean;
  /** The registry is for a past (Moscow) day: accepted, and marked late. */
  readonly late?: boolean;
  readonly registryCount: number;
  readonly registryTotal: number;
  readonly gatewayCount: number;
  readonly gatewayTotal: number;
  /** Postings the gateway accepted from this organisation that day which the registry does not list. */
  readonly missing: readonly RegistryLine[];
  /** Registry lines with no posting from this organisation that day; `postedOn` when it was another day. */
  readonly extra: ReadonlyArray<RegistryLine & { readonly postedOn?: string }>;
  readonly differing: ReadonlyArray<{
    readonly transactionId: string;
    readonly fields: readonly DifferingField[];
  }>;
}

export type CertificatesAnswer = StatusAnswer | PostingAnswer | RegistryAnswer;

function children(parent: Element, localName: string): Element[] {
  const out: Element[] = [];
  for (let child = parent.firstChild; child; child = child.nextSibling) {
    if (child.nodeType !== 1) continue;
    const element = child as Element;
    if (element.namespaceURI === CERTIFICATES_NS && element.localName === localName) out.push(element);
  }
  return out;
}

function optionalText(parent: Element, localName: string): string | undefined {
  const element = children(parent, localName)[0];
  return element ? (element.textContent ?? '') : undefined;
}

function text(parent: Element, localName: string): string {
  const value = optionalText(parent, localName);
  if (value === undefined) throw new Error(`${parent.localName} has no ${localName}`);
  return value;
}

/** Tokens: the schema collapses whitespace of these types, so the decoder does too. */
function token(parent: Element, localName: string): string {
  return text(parent, localName).trim();
}

/** An xs:token: whitespace runs collapsed to one space, trimmed (what the schema validated). */
function collapsed(parent: Element, localName: string): string {
  return text(parent, localName)
    .replace(/[ \t\r\n]+/g, ' ')
    .trim();
}

/** A non-negative xs:long / xs:nonNegativeInteger as a safe JS integer; anything else is refused. */
function integer(parent: Element, localName: string): number {
  const raw = token(parent, localName);
  if (!/^\+?[0-9]+$/.test(raw)) throw new Error(`${localName} is not a non-negative integer: ${raw}`);
  const value = Number(raw.replace(/^\+/, ''));
  if (!Number.isSafeInteger(value)) throw new Error(`${localName} is too large: ${raw}`);
  return value;
}

export const certificatesCodec: ServiceCodec<CertificatesRequest, CertificatesAnswer> = {
  namespace: CERTIFICATES_NS,
  requests: ['CertificateStatusRequest', 'WorkPostingRequest', 'DailyRegistryRequest'],

  decode(payload: Element): CertificatesRequest {
    if (payload.namespaceURI !== CERTIFICATES_NS)
      throw new Error(`not a certificates payload: ${payload.namespaceURI}`);
    switch (payload.localName) {
      case 'CertificateStatusRequest': {
        const number = optionalText(payload, 'CertificateNumber');
        const qr = optionalText(payload, 'QrPayload');
        if ((number === undefined) === (qr === undefined)) {
          throw new Error('CertificateStatusRequest needs exactly one of CertificateNumber and QrPayload');
        }
        return {
          kind: 'status',
          lookup:
            number !== undefined ? { by: 'number', value: number.trim() } : { by: 'qr', value: qr ?? '' },
        };
      }
      case 'WorkPostingRequest':
        return {
          kind: 'posting',
          certificateNumber: token(payload, 'CertificateNumber'),
          worksName: collapsed(payload, 'WorksName'),
          classifierCode: token(payload, 'ClassifierCode'),
          quantity: integer(payload, 'Quantity'),
          cost: integer(payload, 'Cost'),
          transactionId: token(payload, 'TransactionId'),
        };
      case 'DailyRegistryRequest':
        return {
          kind: 'registry',
          date: token(payload, 'RegistryDate'),
          transactions: children(payload, 'Transaction').map((line) => ({
            transactionId: token(line, 'TransactionId'),
            certificateNumber: token(line, 'CertificateNumber'),
            cost: integer(line, 'Cost'),
          })),
          totalCount: integer(payload, 'TotalCount'),
          totalCost: integer(payload, 'TotalCost'),
        };
      default:
        throw new Error(`the certificates service does not answer ${payload.localName}`);
    }
  },

  encode(answer: CertificatesAnswer): string {
    const ns = CERTIFICATES_NS;
    const add = (parent: XMLBuilder, name: string, value: string | number) =>
      parent.ele(ns, name).txt(xmlText(String(value)));
    const line = (parent: XMLBuilder, name: string, item: RegistryLine & { postedOn?: string }) => {
      const element = parent.ele(ns, name);
      add(element, 'TransactionId', item.transactionId);
      add(element, 'CertificateNumber', item.certificateNumber);
      add(element, 'Cost', item.cost);
      if (item.postedOn) add(element, 'GatewayPostedOn', item.postedOn);
    };
    switch (answer.kind) {
      case 'status': {
        const root = create().ele(ns, 'CertificateStatusResponse');
        add(root, 'CertificateNumber', answer.certificateNumber);
        const holder = root.ele(ns, 'Holder');
        add(holder, 'Initials', answer.holderInitials);
        add(holder, 'SnilsMasked', answer.holderSnilsMasked);
        add(holder, 'Display', answer.holderDisplay);
        const measure = root.ele(ns, 'SupportMeasure');
        add(measure, 'Code', answer.measureCode);
        add(measure, 'Name', answer.measureName);
        add(root, 'NominalValue', answer.nominal);
        add(root, 'Balance', answer.balance);
        add(root, 'ValidFrom', answer.validFrom);
        add(root, 'ValidTo', answer.validTo);
        add(root, 'Status', answer.status);
        return root.end({ headless: true });
      }
      case 'posting': {
        const root = create().ele(ns, 'WorkPostingResponse');
        add(root, 'PostingId', answer.postingId);
        add(root, 'TransactionId', answer.transactionId);
        add(root, 'CertificateNumber', answer.certificateNumber);
        add(root, 'Cost', answer.cost);
        add(root, 'BalanceAfter', answer.balanceAfter);
        add(root, 'PostedAt', answer.postedAt.toISOString());
        return root.end({ headless: true });
      }
      case 'registry': {
        const root = create().ele(ns, 'DailyRegistryResponse');
        add(root, 'RegistryId', answer.registryId);
        add(root, 'RegistryDate', answer.date);
        add(root, 'Result', answer.result);
        add(root, 'Replaced', answer.replaced ? 'true' : 'false');
        if (answer.late) add(root, 'Late', 'true');
        add(root, 'RegistryCount', answer.registryCount);
        add(root, 'RegistryTotal', answer.registryTotal);
        add(root, 'GatewayCount', answer.gatewayCount);
        add(root, 'GatewayTotal', answer.gatewayTotal);
        for (const item of answer.missing) line(root, 'Missing', item);
        for (const item of answer.extra) line(root, 'Extra', item);
        for (const item of answer.differing) {
          const element = root.ele(ns, 'Differing');
          add(element, 'TransactionId', item.transactionId);
          for (const field of item.fields) {
            const f = element.ele(ns, 'Field');
            add(f, 'Name', field.name);
            add(f, 'InRegistry', field.inRegistry);
            add(f, 'AtGateway', field.atGateway);
          }
        }
        return root.end({ headless: true });
      }
    }
  },
};
