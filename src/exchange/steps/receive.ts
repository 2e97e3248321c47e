/** Step 1, receive: the body fits the size limit and its media type names a SOAP version. */
import { GatewayFault } from '../../soap/faults.js';
import { readRequestHead } from '../../soap/version.js';
import type { Exchange } from '../context.js';

export function receive(exchange: Exchange, maxBodyBytes: number): { action: string | undefined } {
  const head = readRequestHead(exchange.incoming.contentType, exchange.incoming.soapAction);
  exchange.version = head.version;
  if (exchange.incoming.tooLarge) {
    throw new GatewayFault('MessageTooLarge', `the message body exceeds ${maxBodyBytes} bytes`);
  }
  return { action: head.action };
}
