/** Step 2, parse: UTF-8, the hardened gate, then the tree the rest of the pipeline reads, then the envelope. */
import { readEnvelope } from '../../soap/envelope.js';
import { GatewayFault } from '../../core/faults.js';
import { SOAP11 } from '../../soap/version.js';
import { decodeXop } from '../../soap/mtom.js';
import { parseDom, serializeXml } from '../../xml/dom.js';
import { guardXml, type XmlLimits } from '../../xml/guard.js';
import type { Exchange } from '../context.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function parse(exchange: Exchange, limits: XmlLimits, action: string | undefined): void {
  let text: string;
  try {
    text = utf8.decode(exchange.mtom?.root ?? exchange.incoming.body);
  } catch {
    throw new GatewayFault('MalformedXml', 'the body is not valid UTF-8');
  }
  // Kept before the gate, so the message log holds even a refused request exactly as received.
  exchange.text = text;
  guardXml(text, limits);
  exchange.doc = parseDom(text);
  if (exchange.mtom) {
    // The XOP-decoded infoset is the message: validated, verified and logged as such.
    decodeXop(exchange.doc, exchange.mtom.parts);
    exchange.text = serializeXml(exchange.doc);
  }
  // A SOAP 1.2 node answers a SOAP 1.1 envelope with a SOAP 1.1 VersionMismatch fault (SOAP 1.2 part 1,
  // appendix A), so the client can read it.
  if (exchange.version !== SOAP11 && exchange.doc.documentElement?.namespaceURI === SOAP11.envelopeNs) {
    const declared = exchange.version.mediaType;
    exchange.version = SOAP11;
    throw new GatewayFault(
      'VersionMismatch',
      `a SOAP 1.1 envelope came as ${declared}; send it as text/xml, or send a SOAP 1.2 envelope`,
    );
  }
  exchange.envelope = readEnvelope(exchange.doc, exchange.version, action, exchange.contract);
}
