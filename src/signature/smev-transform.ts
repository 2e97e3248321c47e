/**
 * The SMEV transform, `urn://smev-gov-ru/xmldsig/transform`: the normalisation SMEV 3 applies after exclusive
 * c14n, so that a signature survives prefix renaming, re-indentation and attribute reordering on the way.
 *
 * It follows the SMEV 3 client library's reference implementation (`SmevTransformSpi`, a StAX event loop):
 * - one prefix counter over the whole document; a namespace is declared on the element that first needs it and
 *   is visible to its descendants only, so a sibling subtree needing the same URI declares it again under the
 *   next number (`ns3`, not `ns2` again);
 * - attributes sort with Java's `String.compareTo`, i.e. by UTF-16 code units, which is what JavaScript's `<` on
 *   strings does too (it differs from code-point order only between characters above U+FFFF and U+E000–U+FFFF);
 * - an attribute in the `xml:` namespace is treated like any other namespaced attribute (the reference gives it
 *   an `nsN` prefix too), so digests agree with it.
 */
import { SaxesParser } from 'saxes';
import type { SaxesTagNS } from 'saxes';
import type { CanonicalizationOrTransformationAlgorithm, SignedXml } from 'xml-crypto';

export const SMEV_TRANSFORM_URI = 'urn://smev-gov-ru/xmldsig/transform';

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** An attribute as the writer needs it: `uri` is '' for an unqualified attribute. */
interface SourceAttribute {
  readonly uri: string;
  readonly local: string;
  readonly value: string;
}

/** The output and the namespace state over one document. */
interface Writer {
  readonly out: string[];
  /** Next prefix number; never reset, as in the reference implementation. */
  counter: number;
  /** Per open element: the URI → prefix bindings it declared in the output. */
  readonly scopes: Map<string, string>[];
  /** Per open element: its qualified name in the output, for the end tag. */
  readonly openNames: string[];
}

function createWriter(): Writer {
  return { out: [], counter: 1, scopes: [], openNames: [] };
}

/** The prefix an ancestor (or the element itself) already declared for `uri` in the output, if any. */
function findPrefix(w: Writer, uri: string): string | undefined {
  for (const scope of w.scopes) {
    const prefix = scope.get(uri);
    if (prefix !== undefined) return prefix;
  }
  return undefined;
}

/** The prefix for `uri`, declaring a fresh `nsN` on the current element when no ancestor has one. */
function prefixFor(w: Writer, own: Map<string, string>, uri: string): string {
  const found = findPrefix(w, uri);
  if (found !== undefined) return found;
  const prefix = `ns${w.counter++}`;
  own.set(uri, prefix);
  return prefix;
}

/** Java `String.compareTo` order (UTF-16 code units), which JavaScript's relational operators share. */
function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Namespaced attributes first (by URI, then local name), then unqualified ones by local name. */
function compareAttributes(a: SourceAttribute, b: SourceAttribute): number {
  if (a.uri !== '' && b.uri !== '') return compareUtf16(a.uri, b.uri) || compareUtf16(a.local, b.local);
  if (a.uri === '' && b.uri === '') return compareUtf16(a.local, b.local);
  return a.uri === '' ? 1 : -1;
}

/** Text escaping as in c14n text nodes, minus `&#xD;` (the reference writes CR in text as is). */
function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};

/** Attribute escaping as c14n does it, so whitespace in values survives a re-parse. */
function escapeAttribute(value: string): string {
  return value.replace(/[&<"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);
}

function startElement(
  w: Writer,
  uri: string | null | undefined,
  local: string,
  attributes: readonly SourceAttribute[],
): void {
  if (uri === null || uri === undefined || uri === '') {
    throw new Error(
      `SMEV transform: element <${local}> is in no namespace; the transform requires every element to be namespace-qualified`,
    );
  }
  const own = new Map<string, string>();
  // Pushed before resolving so the element's own declaration is visible to its attributes.
  w.scopes.push(own);
  const name = `${prefixFor(w, own, uri)}:${local}`;
  const sorted = [...attributes].sort(compareAttributes);
  // Resolving in sorted order makes the attributes' declarations follow that order (Map keeps insertion order).
  const rendered = sorted.map((a) =>
    a.uri === ''
      ? ` ${a.local}="${escapeAttribute(a.value)}"`
      : ` ${prefixFor(w, own, a.uri)}:${a.local}="${escapeAttribute(a.value)}"`,
  );
  let tag = `<${name}`;
  for (const [nsUri, prefix] of own) tag += ` xmlns:${prefix}="${escapeAttribute(nsUri)}"`;
  w.out.push(tag, ...rendered, '>');
  w.openNames.push(name);
}

/** Whitespace as XML defines it; `String.prototype.trim` would also eat NBSP and other Unicode spaces. */
const XML_WHITESPACE_ONLY = /^[ \t\n\r]*$/;

function characters(w: Writer, data: string): void {
  if (w.openNames.length === 0 || XML_WHITESPACE_ONLY.test(data)) return;
  w.out.push(escapeText(data));
}

function endElement(w: Writer): void {
  const name = w.openNames.pop();
  w.scopes.pop();
  // Always a separate end tag: `<a></a>`, never `<a/>`.
  if (name !== undefined) w.out.push(`</${name}>`);
}

function attributesOfTag(tag: SaxesTagNS): SourceAttribute[] {
  return Object.values(tag.attributes)
    .filter((a) => a.uri !== XMLNS_NS)
    .map((a) => ({ uri: a.uri, local: a.local, value: a.value }));
}

/**
 * Applies the SMEV transform to a serialised document (normally the exc-c14n output of the signed element).
 * Returns the normalised XML; the caller encodes it as UTF-8 for digesting.
 * @throws Error on malformed XML, a DOCTYPE, an unbound prefix or an element in no namespace.
 */
export function smevTransform(xml: string): string {
  const w = createWriter();
  const parser = new SaxesParser({ xmlns: true });
  // The input is c14n output or a hardened-parser document; a DTD could only smuggle in entities.
  parser.on('doctype', () => {
    throw new Error('SMEV transform: a DOCTYPE is not allowed in the input');
  });
  parser.on('opentag', (tag) => startElement(w, tag.uri, tag.local, attributesOfTag(tag)));
  parser.on('text', (text) => characters(w, text));
  parser.on('cdata', (text) => characters(w, text));
  parser.on('closetag', () => endElement(w));
  // Declaration, comments and processing instructions have no handler: they are dropped.
  parser.write(xml).close();
  return w.out.join('');
}

/** The parts of a DOM node (xmldom or any W3C DOM) the transform reads. */
export interface DomNodeLike {
  readonly nodeType: number;
  readonly namespaceURI?: string | null;
  readonly localName?: string | null;
  readonly nodeName: string;
  readonly data?: string;
  readonly childNodes?: ArrayLike<DomNodeLike>;
  readonly attributes?: ArrayLike<DomAttrLike>;
}

export interface DomAttrLike {
  readonly namespaceURI: string | null;
  readonly localName: string | null;
  readonly name: string;
  readonly value: string;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const DOCUMENT_NODE = 9;
const DOCUMENT_FRAGMENT_NODE = 11;

function attributesOfElement(el: DomNodeLike): SourceAttribute[] {
  const result: SourceAttribute[] = [];
  for (const a of Array.from(el.attributes ?? [])) {
    if (a.namespaceURI === XMLNS_NS) continue;
    result.push({ uri: a.namespaceURI ?? '', local: a.localName ?? a.name, value: a.value });
  }
  return result;
}

function walk(w: Writer, node: DomNodeLike): void {
  switch (node.nodeType) {
    case ELEMENT_NODE:
      startElement(w, node.namespaceURI, node.localName ?? node.nodeName, attributesOfElement(node));
      for (const child of Array.from(node.childNodes ?? [])) walk(w, child);
      endElement(w);
      return;
    case TEXT_NODE:
    case CDATA_SECTION_NODE:
      characters(w, node.data ?? '');
      return;
    case DOCUMENT_NODE:
    case DOCUMENT_FRAGMENT_NODE:
      for (const child of Array.from(node.childNodes ?? [])) walk(w, child);
      return;
    default:
      // Comments, processing instructions, doctype: dropped, as in the string form.
      return;
  }
}

/**
 * Applies the SMEV transform to a DOM node. Namespaces come from the DOM's resolved `namespaceURI`s, so a
 * subtree detached from its ancestors' declarations is still read correctly.
 */
export function smevTransformNode(node: DomNodeLike): string {
  const w = createWriter();
  walk(w, node);
  return w.out.join('');
}

function isDomNodeLike(value: unknown): value is DomNodeLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { nodeType?: unknown }).nodeType === 'number' &&
    typeof (value as { nodeName?: unknown }).nodeName === 'string'
  );
}

/**
 * The transform as an xml-crypto algorithm. xml-crypto (6.3) hands each transform a DOM node: after exc-c14n,
 * whose output is a string, it re-parses that string with xmldom and passes the document element. A string is
 * accepted too, in case a caller or another version passes octets.
 */
export class SmevTransformAlgorithm implements CanonicalizationOrTransformationAlgorithm {
  getAlgorithmName(): string {
    return SMEV_TRANSFORM_URI;
  }

  // `node` is unknown because xml-crypto types it as the DOM lib's global Node, which this project does not load.
  // The process options (ancestor namespaces, inclusive prefixes) concern c14n only, so they are not taken.
  process(node: unknown): string {
    if (typeof node === 'string') return smevTransform(node);
    if (isDomNodeLike(node)) return smevTransformNode(node);
    throw new TypeError('SMEV transform: expected a DOM node or a string from the previous transform');
  }
}

/** Registers the transform on a `SignedXml` instance, for signing and for verification. */
export function registerSmevTransform(signedXml: SignedXml): void {
  signedXml.CanonicalizationAlgorithms[SMEV_TRANSFORM_URI] = SmevTransformAlgorithm;
}
