/**
 * One exchange as it arrives: the body and headers, when, and in which contract version. The steps hand their
 * typed results to each other (pipeline.ts); what the logs need is noted in the exchange's recorder.
 */
import type { Logger } from '../logging/logger.js';
import { EXCHANGE_1_1, type ExchangeNamespaces } from '../soap/namespaces.js';

export interface IncomingMessage {
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly soapAction: string | undefined;
  /** The body was cut off at the size limit (or Content-Length announced more). */
  readonly tooLarge: boolean;
  /** Why the body's Content-Encoding could not be undone, if it could not. */
  readonly codingProblem?: {
    readonly fault: 'UnsupportedMediaType' | 'MalformedXml' | 'MessageTooLarge';
    readonly message: string;
  };
}

/** One request as it came in: what every step may read, and nothing a step writes. */
export interface Exchange {
  readonly id: string;
  readonly receivedAt: Date;
  readonly incoming: IncomingMessage;
  readonly log: Logger;
  /** The SMEV message-exchange contract version the request speaks, chosen by the endpoint path. */
  readonly contract: ExchangeNamespaces;
}

export function newExchange(
  id: string,
  incoming: IncomingMessage,
  log: Logger,
  now = new Date(),
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): Exchange {
  return { id, receivedAt: now, incoming, log, contract };
}
