/** Step 1, receive: the body fits the size limit, its content coding was undone, and its media type names a SOAP version. */
import { GatewayFault } from '../../core/faults.js';
import { splitMtom } from '../../soap/mtom.js';
import { readRequestHead } from '../../soap/version.js';
import type { Exchange } from '../context.js';

export function receive(exchange: Exchange, maxBodyBytes: number): { action: string | undefined } {
  const head = readRequestHead(exchange.incoming.contentType, exchange.incoming.soapAction);
  exchange.version = head.version;
  if (exchange.incoming.tooLarge) {
    throw new GatewayFault('MessageTooLarge', `the message body exceeds ${maxBodyBytes} bytes`);
  }
  const coding = exchange.incoming.codingProblem;
  if (coding)
    throw new GatewayFault(coding.unsupported ? 'UnsupportedMediaType' : 'MalformedXml', coding.message);
  if (head.mtom) exchange.mtom = splitMtom(exchange.incoming.body, head.mtom);
  return { action: head.action };
}
