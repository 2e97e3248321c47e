/**
 * The tree the pipeline reads, built with @xmldom/xmldom: xml-crypto verifies signatures on this very tree, so the
 * node a step reads is the node the signature covered. Call only after `guardXml`, or with a watch that holds the
 * gate's limits while the tree is built (`parseWithinLimits`).
 */
import {
  DOMParser,
  XMLSerializer,
  type Attr,
  type CDATASection,
  type Comment,
  type Document,
  type Element,
  type Node,
  type ProcessingInstruction,
  type Text,
} from '@xmldom/xmldom';
import { createRequire } from 'node:module';
import { GatewayFault } from '../core/faults.js';

export type { Attr, Document, Element, Node };

/**
 * xmldom's SAX parser builds a new regular expression from its grammar for every end tag (and a few other
 * constructs): `reg('^', QName_group, S_OPT, '$')` joins some 700 characters of source and compiles them, a third of
 * the parse of a signed request. Every part it passes is a constant of its grammar module, so the grammar's `reg` is
 * given a memo keyed by the parts themselves; the expressions have no `g` or `y` flag, so sharing one is safe. The
 * memo holds a bounded number of expressions, beyond which `reg` builds afresh as before.
 */
function rememberGrammarExpressions(): void {
  const grammar = createRequire(import.meta.url)('@xmldom/xmldom/lib/grammar.js') as {
    reg?: (...parts: unknown[]) => RegExp;
  };
  const build = grammar.reg;
  if (typeof build !== 'function') return;
  const built = Symbol('expression');
  type Memo = Map<unknown, Memo> & { [built]?: RegExp };
  const memo: Memo = new Map();
  let size = 0;
  grammar.reg = function (this: unknown, ...parts: unknown[]): RegExp {
    let node = memo;
    for (const part of parts) {
      let next = node.get(part);
      if (!next) {
        if (size >= 64) return build.apply(this, parts);
        node.set(part, (next = new Map()));
      }
      node = next;
    }
    if (!node[built]) {
      node[built] = build.apply(this, parts);
      size++;
    }
    return node[built];
  };
}
rememberGrammarExpressions();

/**
 * XML 1.0 end-of-line handling: CR LF and lone CR become LF. xmldom's default also turns U+0085, U+2028 and U+2029
 * into LF (XML 1.1's rules), so the tree would differ from the one libxml2 and every XMLDSig tool read: text
 * signed with a LF would still verify after a U+2028 took its place.
 */
const xml10LineEndings = (text: string) => text.replace(/\r\n?/g, '\n');

/** Where the parse is: xmldom's locator, 1-based. */
export interface ParsePosition {
  readonly lineNumber: number;
  readonly columnNumber: number;
}

/**
 * Told of elements and processing instructions as xmldom reaches them, before they become part of the tree; a
 * hook that throws stops the parse there, and its error is what `parseDom` throws.
 */
export interface TreeBuildWatch {
  element(at: ParsePosition): void;
  /** Told only: it may not throw. */
  elementEnd(): void;
  /** A processing instruction; `xml` is the XML declaration, which xmldom has checked against its grammar. */
  instruction(target: string, at: ParsePosition): void;
}

/** The part of xmldom's SAX-to-DOM handler a watch hooks into. */
interface DomHandler {
  readonly locator?: ParsePosition;
  startElement(namespace: string, localName: string, qName: string, attributes: { length: number }): void;
  endElement(namespace: string, localName: string, qName: string): void;
  processingInstruction(target: string, data: string): void;
}
type DomHandlerClass = new (options: object) => DomHandler;

/**
 * xmldom builds its tree from its SAX events through this handler class, which it takes as the `domHandler`
 * option (documented as for its own tests); the default class is read off a parser, since xmldom's index does
 * not export it. The parse under way comes in through `underWay`: a parse is synchronous.
 */
const BaseHandler = (new DOMParser() as unknown as { domHandler: DomHandlerClass }).domHandler;
let underWay: { readonly watch: TreeBuildWatch; stopped?: unknown } | undefined;
const nowhere: ParsePosition = { lineNumber: 0, columnNumber: 0 };

class WatchedHandler extends BaseHandler {
  private readonly parse = underWay as { readonly watch: TreeBuildWatch; stopped?: unknown };

  /** xmldom reports what a handler throws as a parse error of its own, so the watch's error is noted first. */
  private stop(error: unknown): never {
    this.parse.stopped ??= error;
    throw error;
  }
  override startElement(namespace: string, localName: string, qName: string, attributes: { length: number }) {
    try {
      this.parse.watch.element(this.locator ?? nowhere);
    } catch (error) {
      this.stop(error);
    }
    super.startElement(namespace, localName, qName, attributes);
  }
  override endElement(namespace: string, localName: string, qName: string) {
    this.parse.watch.elementEnd();
    super.endElement(namespace, localName, qName);
  }
  override processingInstruction(target: string, data: string) {
    try {
      this.parse.watch.instruction(target, this.locator ?? nowhere);
    } catch (error) {
      this.stop(error);
    }
    super.processingInstruction(target, data);
  }
}

export function parseDom(text: string, watch?: TreeBuildWatch): Document {
  let problem: string | undefined;
  const parser = new DOMParser({
    normalizeLineEndings: xml10LineEndings,
    onError: (level, message) => {
      // xmldom warns of any U+FFFD in the text, guessing at an encoding problem: it is a character XML allows,
      // and the parse step has already decoded the body as strict UTF-8.
      if (level === 'warning' && message.startsWith('Unicode replacement character')) return;
      // Other warnings too: xmldom's warnings are well-formedness problems a strict parser would refuse.
      problem ??= `not well-formed XML (${level}): ${message}`;
      throw new GatewayFault('MalformedXml', problem);
    },
    ...(watch && { domHandler: WatchedHandler }),
  });
  const parse = watch && { watch, stopped: undefined as unknown };
  underWay = parse;
  try {
    // A byte order mark is no part of the document (XML 1.0, 4.3.3); a logged request keeps the one it came with.
    return parser.parseFromString(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, 'text/xml');
  } catch (error) {
    if (parse?.stopped !== undefined) throw parse.stopped;
    // xmldom wraps whatever onError throws, and its own fatal errors (an undeclared prefix the namespace-blind
    // gate let through), in a ParseError: either way the client sent XML we cannot read.
    throw new GatewayFault('MalformedXml', problem ?? `not well-formed XML: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    underWay = undefined;
  }
}

/**
 * A deep copy of `node` owned by `doc`, as `doc.importNode(node, true)` makes it: each node created through the
 * DOM's own create calls, the attributes (namespace declarations included) in their order. xmldom's importNode
 * clones each node by copying every enumerable property along its prototype chain, some 30 µs for a five-node
 * answer where this takes 3. Iterative, so depth costs no stack.
 */
export function importInto(doc: Document, node: Node): Node {
  const root = shallowCopy(doc, node);
  const pending: Array<[Node, Node]> = [[node, root]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [source, copy] = next;
    for (let child = source.firstChild; child; child = child.nextSibling) {
      pending.push([child, copy.appendChild(shallowCopy(doc, child))]);
    }
  }
  return root;
}

function shallowCopy(doc: Document, node: Node): Node {
  switch (node.nodeType) {
    case 1: {
      const source = node as Element;
      const element = doc.createElementNS(source.namespaceURI, source.nodeName);
      for (let i = 0; i < source.attributes.length; i++) {
        const attribute = source.attributes.item(i) as Attr;
        element.setAttributeNS(attribute.namespaceURI, attribute.name, attribute.value);
      }
      return element;
    }
    case 3:
      return doc.createTextNode((node as Text).data);
    case 4:
      return doc.createCDATASection((node as CDATASection).data);
    case 7:
      return doc.createProcessingInstruction(
        (node as ProcessingInstruction).target,
        (node as ProcessingInstruction).data,
      );
    case 8:
      return doc.createComment((node as Comment).data);
    default:
      return doc.importNode(node, true);
  }
}

/** Element children only, skipping text, comments and whitespace. */
export function childElements(node: Node): Element[] {
  const out: Element[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 1) out.push(child as Element);
  }
  return out;
}

export function firstChildElement(node: Node, namespace: string, localName: string): Element | undefined {
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 1) {
      const element = child as Element;
      if (element.localName === localName && element.namespaceURI === namespace) return element;
    }
  }
  return undefined;
}

/** The element's text content, or undefined when the child is absent. */
export function childText(node: Node, namespace: string, localName: string): string | undefined {
  return firstChildElement(node, namespace, localName)?.textContent ?? undefined;
}

/**
 * A node as XML text that parses back to the same tree. xmldom writes a carriage return in text as it is, and a
 * parser reads a raw CR as a line feed (XML 1.0 §2.11): a CR the sender wrote as `&#13;` would reach the next
 * reader (the recipient of a relayed message, the log's verifier) as LF, and the sender's signature over it would
 * no longer hold. So text holding a CR is written with the CR as `&#xD;` (as canonical XML writes it), and a CDATA
 * section holding one as such text (c14n reads CDATA as text, so the digest is the same). Attribute values xmldom
 * already writes with CR, LF and tab as references.
 */
export function serializeNode(node: Node): string {
  // xmldom's serializer writes a string its node filter returns in place of the node (dom.js, `typeof n ==
  // 'string'`), which its typings leave out; test/foundation/dom.test.ts holds it to that.
  return new XMLSerializer().serializeToString(node, keepCarriageReturns as (node: Node) => Node);
}

const keepCarriageReturns = (node: Node): Node | string =>
  (node.nodeType === 3 || node.nodeType === 4) && (node as Text).data.includes('\r')
    ? (node as Text).data.replace(/[<&>\r]/g, (c) => TEXT_REFERENCES[c] as string)
    : node;

const TEXT_REFERENCES: Readonly<Record<string, string>> = {
  '<': '&lt;',
  '&': '&amp;',
  '>': '&gt;',
  '\r': '&#xD;',
};

/** The document as UTF-8 XML text, with its declaration (a parsed document keeps its own). */
export function serializeXml(doc: Document): string {
  const text = serializeNode(doc);
  return doc.firstChild?.nodeType === 7 && doc.firstChild.nodeName === 'xml'
    ? text
    : `<?xml version="1.0" encoding="UTF-8"?>${text}`;
}
