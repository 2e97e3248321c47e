/**
 * The reference-books service's XML: `ReferenceBookRequest` (Book, optional Version) in, `ReferenceBookResponse`
 * (Book, Version, CurrentVersion, ChangedAt, Entry*) out. Schema: xsd/reference-books-1.0.xsd.
 */
import type { Element } from '@xmldom/xmldom';
import { create } from 'xmlbuilder2';
import type { BookVersion } from '../../registry/reference-books.js';
import { xmlText } from '../../xml/text.js';
import type { ServiceCodec } from '../contract.js';

export const REFERENCE_BOOKS_NS = 'urn://smev-gateway/services/reference-books/1.0';

export interface ReferenceBookRequest {
  readonly book: string;
  /** Absent: the current version. */
  readonly version?: number | undefined;
}

function text(payload: Element, name: string): string | undefined {
  for (let node = payload.firstChild; node; node = node.nextSibling) {
    const element = node as Element;
    if (node.nodeType === 1 && element.namespaceURI === REFERENCE_BOOKS_NS && element.localName === name)
      return element.textContent?.trim() ?? '';
  }
  return undefined;
}

export const referenceBooksCodec: ServiceCodec<ReferenceBookRequest, BookVersion> = {
  namespace: REFERENCE_BOOKS_NS,
  requests: ['ReferenceBookRequest'],
  decode(payload: Element): ReferenceBookRequest {
    if (payload.namespaceURI !== REFERENCE_BOOKS_NS || payload.localName !== 'ReferenceBookRequest')
      throw new Error(`the reference-books service does not answer ${payload.localName ?? ''}`);
    const book = text(payload, 'Book');
    if (!book) throw new Error('ReferenceBookRequest has no Book');
    const version = text(payload, 'Version');
    if (version !== undefined && !/^[1-9][0-9]{0,8}$/.test(version))
      throw new Error('ReferenceBookRequest has a Version that is not a positive number');
    return { book, version: version === undefined ? undefined : Number(version) };
  },
  encode(answer: BookVersion): string {
    const root = create().ele(REFERENCE_BOOKS_NS, 'ReferenceBookResponse');
    root.ele(REFERENCE_BOOKS_NS, 'Book').txt(xmlText(answer.book));
    root.ele(REFERENCE_BOOKS_NS, 'Version').txt(xmlText(String(answer.version)));
    root.ele(REFERENCE_BOOKS_NS, 'CurrentVersion').txt(xmlText(String(answer.currentVersion)));
    root.ele(REFERENCE_BOOKS_NS, 'ChangedAt').txt(xmlText(answer.changedAt));
    for (const entry of answer.entries) {
      const element = root.ele(REFERENCE_BOOKS_NS, 'Entry');
      element.ele(REFERENCE_BOOKS_NS, 'Code').txt(xmlText(entry.code));
      element.ele(REFERENCE_BOOKS_NS, 'Title').txt(xmlText(entry.title));
      element.ele(REFERENCE_BOOKS_NS, 'Active').txt(xmlText(String(entry.active)));
    }
    return root.end({ headless: true });
  },
};
