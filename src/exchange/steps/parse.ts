/**
 * Step 2, parse: UTF-8, then the one tree the rest of the pipeline reads, built within the hardened gate's limits,
 * then the envelope.
 * Ids the gateway gives its own blocks are refused in the request (but for a SendResponse's own block, which
 * SMEV 3 clients name SIGNED_BY_PROVIDER), so none of its content can pose as them.
 */
import { readEnvelope, type SoapEnvelope } from '../../soap/envelope.js';
import { GatewayFault } from '../../core/faults.js';
import type { ExchangeNamespaces } from '../../soap/namespaces.js';
import { SOAP11 } from '../../soap/version.js';
import { decodeXop } from '../../soap/mtom.js';
import { refuseReservedIds, sendResponseBlock } from '../../smev/reserved-ids.js';
import { serializeXml, type Document } from '../../xml/dom.js';
import { parseWithinLimits, type XmlLimits } from '../../xml/guard.js';
import type { IncomingMessage } from '../context.js';
import type { ExchangeRecorder } from '../recorder.js';
import type { RequestHead } from './receive.js';

/** The request as the later steps read it: its text (what was signed and is logged), its tree, its envelope. */
export interface ParsedMessage {
  readonly text: string;
  readonly doc: Document;
  readonly envelope: SoapEnvelope;
  /** Whether the strict gate read the text; if not, the validate step's strict parse stands in for it. */
  readonly strictlyGated: boolean;
}

// The text keeps a byte order mark it came with (ignoreBOM: left in): parseDom takes off one, and only one.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function parse(
  incoming: IncomingMessage,
  head: RequestHead,
  limits: XmlLimits,
  contract: ExchangeNamespaces,
  record: ExchangeRecorder,
): ParsedMessage {
  let text: string;
  try {
    text = utf8.decode(head.mtom?.root ?? incoming.body);
  } catch {
    throw new GatewayFault('MalformedXml', 'the body is not valid UTF-8');
  }
  // Noted before the gate, so the message log holds even a refused request exactly as received.
  record.text = text;
  const { doc, strict } = parseWithinLimits(text, limits);
  if (head.mtom) {
    // The XOP-decoded infoset is the message: validated, verified and logged as such.
    decodeXop(doc, head.mtom.parts);
    text = serializeXml(doc);
    record.text = text;
  }
  // A SOAP 1.2 node answers a SOAP 1.1 envelope with a SOAP 1.1 VersionMismatch fault (SOAP 1.2 part 1,
  // appendix A), so the client can read it.
  if (head.version !== SOAP11 && doc.documentElement?.namespaceURI === SOAP11.envelopeNs) {
    record.version = SOAP11;
    throw new GatewayFault(
      'VersionMismatch',
      `a SOAP 1.1 envelope came as ${head.version.mediaType}; send it as text/xml, or send a SOAP 1.2 envelope`,
    );
  }
  const envelope = readEnvelope(doc, head.version, head.action, contract);
  refuseReservedIds(doc, sendResponseBlock(envelope, contract));
  return { text, doc, envelope, strictlyGated: strict };
}
