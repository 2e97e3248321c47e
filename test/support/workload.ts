/**
 * A realistic mix of signed requests of every built-in service, sent by the sample systems, for load runs and
 * fault tests. Certificate status lookups are most of it (by number, by QR payload, and some for numbers nobody
 * issued), then work postings, social card status, positive-test entry checks and pings. Every request gets a
 * fresh MessageID and its own signature (the replay guard accepts each MessageID once), so requests must be
 * signed shortly before they are sent. Postings carry unique transaction ids and small sums, so a long run
 * never exhausts a certificate.
 *
 * `classify` reads an answer into an answer, a business rejection (an answer too: the service said no) or a
 * fault with its code, from the text alone: fast enough for a load generator. Tests that check signatures of
 * answers do so elsewhere (`src/signature/call-answer.ts`).
 */
import { randomBytes } from 'node:crypto';
import { SAMPLE_CARDS } from '../../src/providers/cards/provider.js';
import { luhnCheckDigit, qrPayload } from '../../src/providers/certificates/rules.js';
import {
  SAMPLE_NEGATIVE,
  SAMPLE_POSITIVE,
  SAMPLE_VENUE_CODE,
} from '../../src/store/migrations/0005_tests.js';
import { soapHeaders } from '../../src/client/send.js';
import { faultCodeOf } from '../../src/soap/fault-code.js';
import { SOAP11, SOAP12 } from '../../src/soap/version.js';
import { childElements, parseDom, type Element } from '../../src/xml/dom.js';
import { signedCall } from './gateway.js';

export type RequestKind =
  | 'certificate-status'
  | 'certificate-status-qr'
  | 'certificate-status-unknown'
  | 'work-posting'
  | 'card-status'
  | 'entry-check'
  | 'ping';

/** Share of each kind in the mix, percent. */
export const REALISTIC_MIX: Readonly<Record<RequestKind, number>> = {
  'certificate-status': 35,
  'certificate-status-qr': 8,
  'certificate-status-unknown': 5,
  'work-posting': 15,
  'card-status': 15,
  'entry-check': 12,
  ping: 10,
};

const CERT = 'urn://smev-gateway/services/certificates/1.0';
const CARDS = 'urn://smev-gateway/services/cards/1.0';
const TESTS = 'urn://smev-gateway/services/tests/1.0';
const PING = 'urn://smev-gateway/services/ping/1.0';

/** Sample certificates in every status (ACTIVE, EXPIRED, EXHAUSTED, BLOCKED): each is an answer. */
const STATUS_NUMBERS = [
  '470000000013',
  '470000000021',
  '470000000039',
  '470000000047',
  '470000000054',
  '470000000062',
];
/** Postings go against the two certificates with the largest balances. */
export const POSTING_CERTIFICATES = ['470000000013', '470000000062'] as const;

export interface WorkItem {
  readonly kind: RequestKind;
  readonly system: string;
  readonly messageId: string;
  readonly xml: string;
  /** Content type and action of its SOAP version. */
  readonly headers: Record<string, string>;
  /** For work postings: the transaction id and the sum posted. */
  readonly posting?: { readonly transactionId: string; readonly certificate: string; readonly cost: number };
}

/** A small deterministic generator (mulberry32), so a run's mix can be repeated. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Workload {
  private readonly next01: () => number;
  private readonly kinds: Array<[RequestKind, number]>;
  private readonly total: number;
  /** Tells this run's transaction ids from any other's. */
  private readonly runTag = randomBytes(4).toString('hex');
  private count = 0;

  /** Requests made so far. */
  get made(): number {
    return this.count;
  }

  constructor(mix: Readonly<Partial<Record<RequestKind, number>>> = REALISTIC_MIX, seed = Date.now()) {
    this.kinds = Object.entries(mix).filter(([, weight]) => (weight ?? 0) > 0) as Array<
      [RequestKind, number]
    >;
    this.total = this.kinds.reduce((sum, [, weight]) => sum + weight, 0);
    this.next01 = random(seed);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next01() * items.length)] as T;
  }

  private nextKind(): RequestKind {
    let roll = this.next01() * this.total;
    for (const [kind, weight] of this.kinds) if ((roll -= weight) < 0) return kind;
    return this.kinds[this.kinds.length - 1]![0];
  }

  /** The next request of the mix (or of the kind given, from the system given), signed now. */
  next(kind: RequestKind = this.nextKind(), from?: string): WorkItem {
    const n = ++this.count;
    // One request in ten speaks SOAP 1.2, as some consumers do.
    const version = n % 10 === 0 ? SOAP12 : SOAP11;
    const sign = (sender: string, payload: string, posting?: WorkItem['posting']): WorkItem => {
      const system = from ?? sender;
      const { xml, messageId } = signedCall({ system, payload, version });
      const headers = soapHeaders(version, 'urn:Call');
      return { kind, system, messageId, xml, headers, ...(posting ? { posting } : {}) };
    };
    const consumer = this.pick(['DEMO_CONSUMER', 'SOCPROTECT_47']);
    switch (kind) {
      case 'certificate-status':
        return sign(
          consumer,
          `<c:CertificateStatusRequest xmlns:c="${CERT}"><c:CertificateNumber>${this.pick(STATUS_NUMBERS)}</c:CertificateNumber></c:CertificateStatusRequest>`,
        );
      case 'certificate-status-qr':
        return sign(
          consumer,
          `<c:CertificateStatusRequest xmlns:c="${CERT}"><c:QrPayload>${qrPayload(this.pick(STATUS_NUMBERS))}</c:QrPayload></c:CertificateStatusRequest>`,
        );
      case 'certificate-status-unknown': {
        const eleven = `48${String(Math.floor(this.next01() * 1e9)).padStart(9, '0')}`;
        return sign(
          consumer,
          `<c:CertificateStatusRequest xmlns:c="${CERT}"><c:CertificateNumber>${eleven}${luhnCheckDigit(eleven)}</c:CertificateNumber></c:CertificateStatusRequest>`,
        );
      }
      case 'work-posting': {
        const posting = {
          transactionId: `LD-${this.runTag}-${n}`,
          certificate: this.pick(POSTING_CERTIFICATES),
          cost: 1 + Math.floor(this.next01() * 100),
        };
        return sign(
          consumer,
          `<c:WorkPostingRequest xmlns:c="${CERT}"><c:CertificateNumber>${posting.certificate}</c:CertificateNumber>` +
            `<c:WorksName>Ремонт кровли, участок ${n}</c:WorksName><c:ClassifierCode>43.91.19.110</c:ClassifierCode>` +
            `<c:Quantity>1</c:Quantity><c:Cost>${posting.cost}</c:Cost><c:TransactionId>${posting.transactionId}</c:TransactionId></c:WorkPostingRequest>`,
          posting,
        );
      }
      case 'card-status': {
        // Mostly the sample cards; now and then a card nobody registered (NO_DATA).
        const id =
          this.next01() < 0.9
            ? this.pick(SAMPLE_CARDS).id
            : `c0a7d5e2-5b1a-4c6f-8f3e-${String(n % 1e12).padStart(12, '0')}`;
        return sign(
          'SOCCARD_28',
          `<k:CardStatusRequest xmlns:k="${CARDS}"><k:SocialCardId>${id}</k:SocialCardId></k:CardStatusRequest>`,
        );
      }
      case 'entry-check':
        return sign(
          'PORTAL_26',
          `<t:EntryCheckRequest xmlns:t="${TESTS}"><t:VenueCode>${SAMPLE_VENUE_CODE}</t:VenueCode>` +
            `<t:PersonalToken>${this.pick([SAMPLE_POSITIVE.token, SAMPLE_NEGATIVE.token])}</t:PersonalToken></t:EntryCheckRequest>`,
        );
      case 'ping':
        return sign(
          'DEMO_CONSUMER',
          `<p:PingRequest xmlns:p="${PING}"><p:Text>load ${n}</p:Text></p:PingRequest>`,
        );
    }
  }
}

export type Outcome =
  | { readonly kind: 'answer' }
  | { readonly kind: 'rejected'; readonly code: string }
  | { readonly kind: 'fault'; readonly code: string };

/**
 * What an answer was, from its HTTP status and text. Faults are named `Element/Code` from their detail
 * (`SMEVFailure/Timeout`, `SMEVFailure/MessageLogFailure`, …), or `HTTP <status>` when there is no SOAP fault.
 */
export function classify(status: number, body: string): Outcome {
  if (status === 200 && body.includes('SenderProvidedResponseData')) {
    const rejected = /<(?:\w+:)?RejectionReasonCode>([^<]*)</.exec(body);
    return rejected ? { kind: 'rejected', code: rejected[1]! } : { kind: 'answer' };
  }
  const detail = faultDetail(body);
  return { kind: 'fault', code: detail ?? `HTTP ${status}` };
}

/** `Element/Code` of a SOAP fault's detail (the code of an empty fault heads its fault string), or undefined. */
function faultDetail(body: string): string | undefined {
  let doc;
  try {
    doc = parseDom(body);
  } catch {
    return undefined;
  }
  const all = doc.getElementsByTagNameNS('*', '*');
  for (let i = 0; i < all.length; i++) {
    const wrapper = all.item(i) as Element;
    if (!/^[dD]etail$/.test(wrapper.localName ?? '')) continue;
    const element = childElements(wrapper)[0];
    if (!element) return undefined;
    const text = doc.getElementsByTagNameNS('*', '*');
    let faultString = '';
    for (let j = 0; j < text.length; j++) {
      const e = text.item(j) as Element;
      if (e.localName === 'faultstring' || e.localName === 'Text') faultString = e.textContent ?? '';
    }
    return `${element.localName}/${faultCodeOf(element, faultString)}`;
  }
  return undefined;
}

/** Counts by name, printed largest first. */
export class Tally {
  private readonly counts = new Map<string, number>();

  add(name: string, n = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + n);
  }

  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  entries(): Array<[string, number]> {
    return [...this.counts.entries()].sort((a, b) => b[1] - a[1]);
  }

  toString(): string {
    return this.entries().length
      ? this.entries()
          .map(([name, n]) => `${name} ${n}`)
          .join(', ')
      : 'none';
  }
}

export interface Sent {
  readonly item: WorkItem;
  readonly status: number;
  readonly body: string;
  readonly outcome: Outcome;
  readonly ms: number;
}

/** Post one request of the mix; rejects when no HTTP answer came (connection refused or dropped, timeout). */
export async function sendItem(endpoint: string, item: WorkItem, timeoutMs = 60_000): Promise<Sent> {
  const started = performance.now();
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: item.headers,
    body: item.xml,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await response.text();
  return {
    item,
    status: response.status,
    body,
    outcome: classify(response.status, body),
    ms: performance.now() - started,
  };
}
