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
 *   an `nsN` prefix too), so digests agree with it;
 * - output escaping as the reference writes it over Woodstox (SMEV guidelines 3.5.0.27): in text `&` and `<`
 *   escaped, `>` as is save as a text node's first character or after `]`, CR as `&#xd;`; in attribute values
 *   (and namespace URIs) `&`, `<`, `"`, and LF and CR as `&#xa;` and `&#xd;`. Older clients built on Java's
 *   default writer escape `>` everywhere in text and write CR as is: the `legacy` form, verified but never written.
 */
import { SaxesParser } from 'saxes';
import type { SaxesTagNS } from 'saxes';
import type { CanonicalizationOrTransformationAlgorithm, SignedXml } from 'xml-crypto';
import { GatewayFault } from '../core/faults.js';
import { escapeC14nAttribute } from './c14n.js';

export const SMEV_TRANSFORM_URI = 'urn://smev-gov-ru/xmldsig/transform';

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** An attribute as the writer needs it: `uri` is '' for an unqualified attribute. */
interface SourceAttribute {
  readonly uri: string;
  readonly local: string;
  readonly value: string;
}

/** Which writer's output escaping: the reference transform's (Woodstox), or the older Java writer's. */
export type SmevEscaping = 'reference' | 'legacy';

/** The output and the namespace state over one document. */
interface Writer {
  readonly escaping: SmevEscaping;
  readonly out: string[];
  /** Next prefix number; never reset, as in the reference implementation. */
  counter: number;
  /** Per open element: the URI → prefix bindings it declared in the output. */
  readonly scopes: Map<string, string>[];
  /** Per open element: its qualified name in the output, for the end tag. */
  readonly openNames: string[];
  /**
   * Text since the last tag: a run of text, CDATA, comments and processing instructions is the one text node it is
   * in exclusive c14n's output (which the reference reads), so whitespace and `>` are judged on the joined text.
   */
  pending: string;
}

function createWriter(escaping: SmevEscaping): Writer {
  return { escaping, out: [], counter: 1, scopes: [], openNames: [], pending: '' };
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

/** The older Java writer's text: `&`, `<` and every `>` escaped, CR as is. */
function escapeTextLegacy(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Woodstox's text: `>` escaped only where it could close `]]>` or starts the text node; CR as `&#xd;`. */
function escapeTextReference(text: string): string {
  return text.replace(/[&<>\r]/g, (c, offset: number) => {
    if (c === '&') return '&amp;';
    if (c === '<') return '&lt;';
    if (c === '\r') return '&#xd;';
    return offset === 0 || text[offset - 1] === ']' ? '&gt;' : '>';
  });
}

const REFERENCE_ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  '\n': '&#xa;',
  '\r': '&#xd;',
};

/** Woodstox's attribute values: `&`, `<`, `"`, LF and CR (lower-case hex); tab and `>` as they are. */
function escapeAttributeReference(value: string): string {
  return value.replace(/[&<"\n\r]/g, (c) => REFERENCE_ATTRIBUTE_ESCAPES[c] ?? c);
}

/** The older writer's attribute values, escaped as c14n does it. */
const escapeAttributeLegacy = escapeC14nAttribute;

const escapeText = (w: Writer, text: string) =>
  w.escaping === 'reference' ? escapeTextReference(text) : escapeTextLegacy(text);
const escapeAttribute = (w: Writer, value: string) =>
  w.escaping === 'reference' ? escapeAttributeReference(value) : escapeAttributeLegacy(value);

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
  flushText(w);
  const own = new Map<string, string>();
  // Pushed before resolving so the element's own declaration is visible to its attributes.
  w.scopes.push(own);
  const name = `${prefixFor(w, own, uri)}:${local}`;
  const sorted = [...attributes].sort(compareAttributes);
  // Resolving in sorted order makes the attributes' declarations follow that order (Map keeps insertion order).
  const rendered = sorted.map((a) =>
    a.uri === ''
      ? ` ${a.local}="${escapeAttribute(w, a.value)}"`
      : ` ${prefixFor(w, own, a.uri)}:${a.local}="${escapeAttribute(w, a.value)}"`,
  );
  let tag = `<${name}`;
  for (const [nsUri, prefix] of own) tag += ` xmlns:${prefix}="${escapeAttribute(w, nsUri)}"`;
  w.out.push(tag, ...rendered, '>');
  w.openNames.push(name);
}

/** Whitespace as XML defines it; `String.prototype.trim` would also eat NBSP and other Unicode spaces. */
const XML_WHITESPACE_ONLY = /^[ \t\n\r]*$/;

function characters(w: Writer, data: string): void {
  if (w.openNames.length > 0) w.pending += data;
}

/** Write the text gathered since the last tag, unless it is whitespace only. */
function flushText(w: Writer): void {
  const text = w.pending;
  w.pending = '';
  if (text !== '' && !XML_WHITESPACE_ONLY.test(text)) w.out.push(escapeText(w, text));
}

function endElement(w: Writer): void {
  flushText(w);
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
export function smevTransform(xml: string, escaping: SmevEscaping = 'reference'): string {
  const w = createWriter(escaping);
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
      walkChildren(w, node);
      endElement(w);
      return;
    case TEXT_NODE:
    case CDATA_SECTION_NODE:
      characters(w, node.data ?? '');
      return;
    case DOCUMENT_NODE:
    case DOCUMENT_FRAGMENT_NODE:
      walkChildren(w, node);
      return;
    default:
      // Comments, processing instructions, doctype: dropped, as in the string form.
      return;
  }
}

function walkChildren(w: Writer, node: DomNodeLike): void {
  for (const child of Array.from(node.childNodes ?? [])) walk(w, child);
}

/**
 * Applies the SMEV transform to a DOM node. Namespaces come from the DOM's resolved `namespaceURI`s, so a
 * subtree detached from its ancestors' declarations is still read correctly.
 */
export function smevTransformNode(node: DomNodeLike, escaping: SmevEscaping = 'reference'): string {
  const w = createWriter(escaping);
  walk(w, node);
  return w.out.join('');
}

/**
 * The transform over a signed block as the pipeline reads it, for signing and verifying. An element in no
 * namespace is refused as a bad signature, not an internal error.
 */
export function smevTransformTree(node: DomNodeLike, escaping: SmevEscaping = 'reference'): string {
  try {
    return smevTransformNode(node, escaping);
  } catch (error) {
    throw new GatewayFault(
      'SignatureVerificationFault',
      `the SMEV transform cannot be applied: ${(error as Error).message}`,
      { reason: 'SignatureIsInvalid' },
    );
  }
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
