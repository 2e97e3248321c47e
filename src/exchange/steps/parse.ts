/** Step 2, parse: UTF-8, the hardened gate, then the tree the rest of the pipeline reads, then the envelope. */
import { readEnvelope } from '../../soap/envelope.js';
import { GatewayFault } from '../../soap/faults.js';
import { parseDom } from '../../xml/dom.js';
import { guardXml, type XmlLimits } from '../../xml/guard.js';
import type { Exchange } from '../context.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function parse(exchange: Exchange, limits: XmlLimits, action: string | undefined): void {
  let text: string;
  try {
    text = utf8.decode(exchange.incoming.body);
  } catch {
    throw new GatewayFault('MalformedXml', 'the body is not valid UTF-8');
  }
  // Kept before the gate, so the message log holds even a refused request exactly as received.
  exchange.text = text;
  guardXml(text, limits);
  exchange.doc = parseDom(text);
  exchange.envelope = readEnvelope(exchange.doc, exchange.version, action);
}
