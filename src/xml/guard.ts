/**
 * The hardened gate every message passes before anything builds a tree from it. A streaming saxes pass rejects
 * document type declarations (so external entities and entity expansion never happen), processing
 * instructions, XML versions other than 1.0, non-UTF-8 encodings, nesting deeper than the limit, elements with too many attributes and
 * documents with too many nodes. It
 * stops at the first violation, so a hostile document costs at most one linear scan of the size-limited body.
 */
import { SaxesParser } from 'saxes';
import { GatewayFault } from '../core/faults.js';

export interface XmlLimits {
  readonly maxDepth: number;
  readonly maxAttributes: number;
  /**
   * Elements, comments and CDATA sections in the whole document. Building the tree costs about 10 µs a node, so this bounds
   * the time one unauthenticated body can hold the event loop, whatever the body size limit allows.
   */
  readonly maxNodes: number;
}

export function guardXml(text: string, limits: XmlLimits): void {
  const parser = new SaxesParser({ position: true });
  let depth = 0;
  let attributes = 0;
  let nodes = 0;
  let rootSeen = false;
  const where = () => `line ${parser.line}, column ${parser.column}`;

  parser.on('doctype', () => {
    throw new GatewayFault('DoctypeForbidden', `document type declaration at ${where()} is not accepted`);
  });
  parser.on('processinginstruction', (pi) => {
    throw new GatewayFault('ForbiddenXmlConstruct', `processing instruction <?${pi.target}?> at ${where()}`);
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
    if (++nodes > limits.maxNodes) {
      throw new GatewayFault(
        'TooManyNodes',
        `the document holds more than ${limits.maxNodes} elements, comments and CDATA sections (at ${where()})`,
      );
    }
  };
  // Each CDATA section is a node of its own in the tree, however empty, like a comment.
  parser.on('comment', countNode);
  parser.on('cdata', countNode);
  parser.on('opentagstart', () => {
    rootSeen = true;
    attributes = 0;
    countNode();
    if (++depth > limits.maxDepth) {
      throw new GatewayFault(
        'XmlTooDeep',
        `elements nest deeper than ${limits.maxDepth} levels at ${where()}`,
      );
    }
  });
  parser.on('attribute', () => {
    if (++attributes > limits.maxAttributes) {
      throw new GatewayFault(
        'TooManyAttributes',
        `an element carries more than ${limits.maxAttributes} attributes at ${where()}`,
      );
    }
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
