/**
 * The hardened gate every message passes before anything builds a tree from it, or while the tree is built. It
 * refuses document type declarations (so external entities and entity expansion never happen), processing
 * instructions, XML versions other than 1.0, non-UTF-8 encodings, nesting deeper than the limit, elements with too
 * many attributes and documents with too many nodes, and stops at the first violation, so a hostile document
 * costs at most one linear scan of the size-limited body, or the building of a tree within the limits.
 */
import { SaxesParser } from 'saxes';
import { GatewayFault } from '../core/faults.js';
import { parseDom, type Document, type ParsePosition, type TreeBuildWatch } from './dom.js';
import { isWellFormed } from './text.js';

export interface XmlLimits {
  readonly maxDepth: number;
  readonly maxAttributes: number;
  /**
   * Elements, comments and CDATA sections in the whole document. Building the tree costs about 10 µs a node, so this bounds
   * the time one unauthenticated body can hold the event loop, whatever the body size limit allows.
   */
  readonly maxNodes: number;
}

/** The limits the SOAP endpoint holds a request to unless configured otherwise (`limits.*`). */
export const DEFAULT_XML_LIMITS: XmlLimits = { maxDepth: 64, maxAttributes: 256, maxNodes: 100_000 };

/**
 * The limits of an answer the gateway wrote around a payload that came within `limits` (a provider's answer, a
 * SendResponse): its envelope, blocks and signatures add some levels and some dozens of nodes to the payload's.
 */
export const answerLimits = (limits: XmlLimits): XmlLimits => ({
  ...limits,
  maxDepth: limits.maxDepth + 16,
  maxNodes: limits.maxNodes + 1_000,
});

/** The gate's refusals; depth and instructions the same from either way through it. */
const refuse = {
  doctype: (where: string) =>
    new GatewayFault('DoctypeForbidden', `document type declaration at ${where} is not accepted`),
  instruction: (target: string, where: string) =>
    new GatewayFault('ForbiddenXmlConstruct', `processing instruction <?${target}?> at ${where}`),
  nodes: (limits: XmlLimits, where: string) =>
    new GatewayFault(
      'TooManyNodes',
      `the document holds more than ${limits.maxNodes} elements, comments and CDATA sections (at ${where})`,
    ),
  depth: (limits: XmlLimits, where: string) =>
    new GatewayFault('XmlTooDeep', `elements nest deeper than ${limits.maxDepth} levels at ${where}`),
  attributes: (limits: XmlLimits, where: string) =>
    new GatewayFault(
      'TooManyAttributes',
      `an element carries more than ${limits.maxAttributes} attributes at ${where}`,
    ),
};

/** The strict gate: a streaming saxes pass over the whole text, refusing anything not well-formed XML 1.0. */
export function guardXml(text: string, limits: XmlLimits): void {
  const parser = new SaxesParser({ position: true });
  let depth = 0;
  let attributes = 0;
  let nodes = 0;
  let rootSeen = false;
  const where = () => `line ${parser.line}, column ${parser.column}`;

  parser.on('doctype', () => {
    throw refuse.doctype(where());
  });
  parser.on('processinginstruction', (pi) => {
    throw refuse.instruction(pi.target ?? '', where());
  });
  parser.on('xmldecl', (decl) => {
    // XML 1.1 reads other characters as line ends (U+0085, U+2028) than the XML 1.0 every c14n and XMLDSig
    // tool here works with: two readers of one signed text must not see two documents.
    if (decl.version !== undefined && decl.version !== '1.0') {
      throw new GatewayFault('MalformedXml', `XML version ${decl.version} is not accepted; send XML 1.0`);
    }
    if (decl.encoding !== undefined && !/^utf-?8$/i.test(decl.encoding)) {
      throw new GatewayFault('MalformedXml', `encoding ${decl.encoding} is not accepted; send UTF-8`);
    }
  });
  const countNode = () => {
    if (++nodes > limits.maxNodes) throw refuse.nodes(limits, where());
  };
  // Each CDATA section is a node of its own in the tree, however empty, like a comment.
  parser.on('comment', countNode);
  parser.on('cdata', countNode);
  parser.on('opentagstart', () => {
    rootSeen = true;
    attributes = 0;
    countNode();
    if (++depth > limits.maxDepth) throw refuse.depth(limits, where());
  });
  parser.on('attribute', () => {
    if (++attributes > limits.maxAttributes) throw refuse.attributes(limits, where());
  });
  // saxes emits closetag for self-closing elements too. No opentag or error handler: either makes saxes build
  // far more per element (five times the cost of the whole scan); without one, saxes throws its errors.
  parser.on('closetag', () => {
    depth--;
  });

  try {
    parser.write(text).close();
  } catch (error) {
    if (error instanceof GatewayFault) throw error;
    throw new GatewayFault('MalformedXml', `not well-formed XML: ${(error as Error).message}`);
  }
  if (!rootSeen) throw new GatewayFault('MalformedXml', 'the body holds no XML element');
}

/** The tree of a gated text; `strict` tells whether the strict gate read it, or only the limits watched it built. */
export interface GatedDocument {
  readonly doc: Document;
  readonly strict: boolean;
}

/**
 * The gate and the tree in one pass, for a caller that has the text parsed by a strict parser afterwards (the
 * request pipeline's libxml2 validation) and asks `guardXml` for its answer when that parse fails. The saxes scan
 * costs as much as building the tree, so it runs first only on a text that cheap checks cannot clear:
 * - more `<` than the node limit, or more `=` than the attribute limit: every element, comment and CDATA section
 *   begins with a `<` and every attribute holds a `=`, so any other text is within those two limits;
 * - what xmldom would read before a watch could refuse it: a document type declaration (its internal subset),
 *   characters XML 1.0 does not allow (xmldom takes them), a lone surrogate, or an XML declaration other than
 *   version 1.0 in UTF-8.
 * Any other text is built while a watch holds the depth limit and refuses processing instructions, each at the
 * first one.
 */
export function parseWithinLimits(text: string, limits: XmlLimits): GatedDocument {
  const strict = needsStrictGate(text, limits);
  if (strict) guardXml(text, limits);
  return { doc: parseDom(text, new LimitWatch(limits)), strict };
}

/** Anywhere in the text: a DOCTYPE, or a character outside XML 1.0's Char production (the point of the class). */
// eslint-disable-next-line no-control-regex
const UNJUDGED = /<!DOCTYPE|[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/i;
/** A declaration the watch may pass: version 1.0, UTF-8 or no encoding, any standalone. */
const PLAIN_DECLARATION =
  /^\uFEFF?<\?xml\s+version\s*=\s*(["'])1\.0\1(?:\s+encoding\s*=\s*(["'])utf-?8\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>/i;

function needsStrictGate(text: string, limits: XmlLimits): boolean {
  if (UNJUDGED.test(text) || !isWellFormed(text)) return true;
  if (occursMore(text, '<', limits.maxNodes) || occursMore(text, '=', limits.maxAttributes)) return true;
  const declared = text.startsWith('<?xml') || text.startsWith('\uFEFF<?xml');
  return declared && !PLAIN_DECLARATION.test(text);
}

function occursMore(text: string, char: string, limit: number): boolean {
  let count = 0;
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1))
    if (++count > limit) return true;
  return false;
}

/** What of the gate's rules is left to hold while xmldom builds a text the cheap checks cleared. */
class LimitWatch implements TreeBuildWatch {
  private depth = 0;

  constructor(private readonly limits: XmlLimits) {}

  element(at: ParsePosition): void {
    if (++this.depth > this.limits.maxDepth) throw refuse.depth(this.limits, placeOf(at));
  }
  elementEnd(): void {
    this.depth--;
  }
  instruction(target: string, at: ParsePosition): void {
    // xmldom passes the declaration as an instruction, only at the start and only in its grammar; which
    // declarations reach here is settled by `needsStrictGate`.
    if (target !== 'xml') throw refuse.instruction(target, placeOf(at));
  }
}

const placeOf = (at: ParsePosition) => `line ${at.lineNumber}, column ${at.columnNumber}`;
