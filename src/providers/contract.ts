/**
 * The provider contract (DESIGN section 1). A provider gets a typed request — the decoded business payload and
 * the verified sender — and returns a typed answer or a typed business rejection. It never sees XML signatures
 * or HTTP. A service's codec turns its payload XML into the typed request and the typed answer back into XML,
 * so the same provider can sit in-process or behind a remote forwarder.
 */
import type { Element } from '@xmldom/xmldom';
import type { MessageType, ProviderOutcome, RejectionCode } from '../core/model.js';

// The shared model, part of the contract a provider module writes against.
export type { MessageType, ProviderOutcome, RejectionCode };

export interface ProviderRequest<Body> {
  readonly messageId: string;
  readonly referenceMessageId: string;
  readonly transactionCode: string | undefined;
  /** `TestMessage` present: the provider must not change its data. */
  readonly testMessage: boolean;
  readonly sender: { readonly mnemonic: string };
  readonly messageType: MessageType;
  readonly body: Body;
  /** Aborted when the gateway's deadline for this provider passes. */
  readonly signal: AbortSignal;
}

export interface Provider<Body = unknown, Answer = unknown> {
  handle(request: ProviderRequest<Body>): Promise<ProviderOutcome<Answer>>;
}

/** The XML side of a service: decode requests, encode answers. Throws on content the schema let through. */
export interface ServiceCodec<Body = unknown, Answer = unknown> {
  readonly namespace: string;
  /** Local names of the request elements this service answers. */
  readonly requests: readonly string[];
  decode(payload: Element): Body;
  /** The answer as one XML element in the service namespace, serialised. */
  encode(answer: Answer): string;
}

export const rejected = (code: RejectionCode, description: string): ProviderOutcome<never> => ({
  kind: 'rejected',
  code,
  description,
});
