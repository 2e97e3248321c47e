/**
 * What an exchange tells the message log and the access log as it goes: each step notes what it learned here, and
 * nothing reads it back to decide anything. The steps themselves pass their typed results from one to the next.
 */
import type { GatewayFault } from '../core/faults.js';
import type { MessageType } from '../core/model.js';
import type { SystemRef, VerifiedSender } from '../core/ports.js';
import type { BodyPolicy } from '../messagelog/body-policy.js';
import { sha256Hex, type RecordFields } from '../messagelog/record.js';
import { SOAP11, type SoapVersion } from '../soap/version.js';
import type { Exchange } from './context.js';

/** The pipeline's named steps, in the order they may run. */
export type StepName =
  | 'receive'
  | 'parse'
  | 'validate'
  | 'read'
  | 'verify'
  | 'quota'
  | 'deduplicate'
  | 'route'
  | 'check files'
  | 'grant files'
  | 'deliver'
  | 'queue'
  | 'take'
  | 'acknowledge'
  | 'answer'
  | 'sign';

/** What the log says about the message an exchange is about. */
export interface MessageNote {
  readonly messageId: string;
  readonly referenceMessageId?: string | undefined;
  readonly messageType?: MessageType | undefined;
}

/** What the endpoint's access log and metrics read of an exchange once it is answered. */
export interface ExchangeNotes {
  readonly version: SoapVersion;
  readonly sender: VerifiedSender | undefined;
  readonly request: MessageNote | undefined;
  /** The steps that ran, in order; the last one is where a refused exchange stopped. */
  readonly steps: readonly StepName[];
}

export class ExchangeRecorder implements ExchangeNotes {
  /** The operation, once the envelope names it. */
  operation = 'unknown';
  /** The SOAP version the answer is written in: the request's, once its media type is read. */
  version: SoapVersion = SOAP11;
  /** The request arrived as MTOM: a successful answer goes back in MTOM. */
  mtom = false;
  /** The decoded request text, kept from before the XML gate so even a refused request is logged as received. */
  text: string | undefined;
  sender: VerifiedSender | undefined;
  /** The business request (Call, SendRequest). */
  request: MessageNote | undefined;
  /** The message the operation is about when it is not a request (SendResponse, Ack, Get*). */
  about: string | undefined;
  /** The other party: the route's recipient, or the sender of a message taken or answered. */
  counterpart: string | undefined;
  /** Payload namespaces of the messages this exchange carried besides the request (answers taken). */
  payloadNamespaces: string[] = [];
  answerMessageId: string | undefined;
  fault: GatewayFault | undefined;
  readonly steps: StepName[] = [];

  constructor(private readonly exchange: Exchange) {}

  /** Note a step as it starts; the result's `steps` lists them in order. */
  step(name: StepName): void {
    this.steps.push(name);
  }

  /** Step 9's record of the exchange, as the message log stores it. */
  logRecord(
    result: { status: number; body: string; operation: string; faultCode: string | undefined },
    bodies: BodyPolicy,
    answeredAt = new Date(),
  ): RecordFields {
    const { exchange, request, sender, fault } = this;
    const type = request?.messageType;
    // Every payload the exchange carried decides: the request's and any answer handed out. A request refused
    // before its signature was verified keeps its digest and size only.
    const namespaces = [...(type ? [type.namespace] : []), ...this.payloadNamespaces];
    const keepBodies = bodies.keeps(sender !== undefined, namespaces);
    const verification = sender
      ? 'verified'
      : fault?.code === 'SignatureVerificationFault' || fault?.code === 'SenderIsNotRegistered'
        ? `refused: ${fault.reason ?? fault.code}`
        : 'not reached';
    return {
      request_id: exchange.id,
      operation: result.operation,
      message_id: (request?.messageId ?? this.about)?.slice(0, 36) ?? null,
      answer_message_id: this.answerMessageId ?? null,
      reference_message_id: request?.referenceMessageId?.slice(0, 36) ?? null,
      sender: sender?.mnemonic ?? null,
      recipient: this.counterpart ?? null,
      message_type: type ? `{${type.namespace}}${type.localName}`.slice(0, 800) : null,
      received_at: exchange.receivedAt.getTime(),
      answered_at: answeredAt.getTime(),
      duration_us: Math.round((answeredAt.getTime() - exchange.receivedAt.getTime()) * 1000),
      http_status: result.status,
      fault_code: result.faultCode ?? null,
      certificate: sender?.certificateThumbprint ?? null,
      verification,
      request_digest: sha256Hex(exchange.incoming.body),
      request_bytes: exchange.incoming.body.length,
      answer_digest: sha256Hex(Buffer.from(result.body, 'utf8')),
      // The request exactly as received: its text when it was UTF-8 (every accepted message is).
      request_xml: keepBodies ? (this.text ?? null) : null,
      answer_xml: keepBodies ? result.body : null,
    };
  }

  /** Note the route's recipient or the other party of a queued message as the exchange's counterpart. */
  counterpartIs(party: SystemRef | string): void {
    this.counterpart = typeof party === 'string' ? party : party.mnemonic;
  }
}
