/**
 * The tree the pipeline reads, built with @xmldom/xmldom: xml-crypto verifies signatures on this very tree, so the
 * node a step reads is the node the signature covered. Call only after `guardXml`.
 */
import { DOMParser, XMLSerializer, type Document, type Element, type Node } from '@xmldom/xmldom';
import { GatewayFault } from '../soap/faults.js';

export type { Document, Element, Node };

export function parseDom(text: string): Document {
  let problem: string | undefined;
  const parser = new DOMParser({
    onError: (level, message) => {
      // xmldom warns of any U+FFFD in the text, guessing at an encoding problem: it is a character XML allows,
      // and the parse step has already decoded the body as strict UTF-8.
      if (level === 'warning' && message.startsWith('Unicode replacement character')) return;
      // Other warnings too: xmldom's warnings are well-formedness problems a strict parser would refuse.
      problem ??= `not well-formed XML (${level}): ${message}`;
      throw new GatewayFault('MalformedXml', problem);
    },
  });
  try {
    return parser.parseFromString(text, 'text/xml');
  } catch (error) {
    // xmldom wraps whatever onError throws, and its own fatal errors (an undeclared prefix the namespace-blind
    // gate let through), in a ParseError: either way the client sent XML we cannot read.
    throw new GatewayFault('MalformedXml', problem ?? `not well-formed XML: ${(error as Error).message}`, {
      cause: error,
    });
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

/** The document as UTF-8 XML text, with its declaration (a parsed document keeps its own). */
export function serializeXml(doc: Document): string {
  const text = new XMLSerializer().serializeToString(doc);
  return doc.firstChild?.nodeType === 7 && doc.firstChild.nodeName === 'xml'
    ? text
    : `<?xml version="1.0" encoding="UTF-8"?>${text}`;
}
