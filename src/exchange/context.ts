/**
 * One exchange as it travels the pipeline: what came in, what each step learned, and what goes out. Steps fill
 * the optional parts in order; `need` reads a part a step depends on and fails loudly if an earlier step did not
 * run, which is a bug of ours, never the client's.
 */
import type { Logger } from '../logging/logger.js';
import type { ProviderOutcome } from '../providers/contract.js';
import type { SoapEnvelope } from '../soap/envelope.js';
import type { MtomParts } from '../soap/mtom.js';
import type { GatewayFault } from '../core/faults.js';
import { EXCHANGE_1_1, type ExchangeNamespaces } from '../soap/namespaces.js';
import { SOAP11, type SoapVersion } from '../soap/version.js';
import type { Document } from '../xml/dom.js';
import type { Route, VerifiedSender } from '../core/ports.js';
import type { SenderRequest, SignedPart } from './request.js';

export interface IncomingMessage {
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly soapAction: string | undefined;
  /** The body was cut off at the size limit (or Content-Length announced more). */
  readonly tooLarge: boolean;
  /** Why the body's Content-Encoding could not be undone, if it could not. */
  readonly codingProblem?: { readonly unsupported: boolean; readonly message: string };
}

export interface Exchange {
  readonly id: string;
  readonly receivedAt: Date;
  readonly incoming: IncomingMessage;
  readonly log: Logger;
  /** The SMEV message-exchange contract version the request speaks, chosen by the endpoint path. */
  readonly contract: ExchangeNamespaces;
  version: SoapVersion;
  text?: string;
  doc?: Document;
  /** An MTOM request's root part and the parts its xop:Include elements name. */
  mtom?: MtomParts;
  envelope?: SoapEnvelope;
  /** The operation's signed block (every operation has one). */
  signed?: SignedPart;
  /** The business request (Call, SendRequest). */
  request?: SenderRequest;
  /** For the log: the message the operation is about, when it is not a request (SendResponse, Ack, Get*). */
  messageId?: string;
  /** For the log: the other party, when no route names it. */
  counterpart?: string;
  /** For the log: payload namespaces of the messages this exchange carried besides `request` (answers taken). */
  payloadNamespaces?: string[];
  sender?: VerifiedSender;
  route?: Route;
  /** The provider's outcome, its answer already encoded as the payload element's XML. */
  outcome?: ProviderOutcome<string>;
  /** The response message id the gateway assigns to the answer. */
  answerMessageId?: string;
  responseXml?: string;
  fault?: GatewayFault;
  answeredAt?: Date;
}

export function newExchange(
  id: string,
  incoming: IncomingMessage,
  log: Logger,
  now = new Date(),
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): Exchange {
  return { id, receivedAt: now, incoming, log, contract, version: SOAP11 };
}

export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`pipeline bug: ${what} is not available at this step`);
  return value;
}
