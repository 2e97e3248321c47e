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

/**
 * The one way a provider refuses a request: it throws a ProviderRejection from `handle` (or anything `handle`
 * calls). `code` is the service's stable machine code (`CARD_NOT_FOUND`), `reason` the SMEV rejection reason it
 * travels under, `text` what the consumer reads after the code. Delivery maps it to the business answer
 * RequestRejected, whose description is the message, `CODE: text`. Anything else thrown is a failure
 * (`ProviderFailure`), not a refusal.
 */
export class ProviderRejection extends Error {
  override readonly name = 'ProviderRejection';
  constructor(
    readonly reason: RejectionCode,
    readonly code: string,
    text: string,
  ) {
    super(`${code}: ${text}`);
  }

  /** RequestRejected as the consumer gets it. */
  get outcome(): ProviderOutcome<never> {
    return { kind: 'rejected', code: this.reason, description: this.message };
  }
}

/**
 * A service's refusals as one table — machine code to its SMEV reason and its text — and the function that makes
 * the rejection of a code, with an optional detail after the text: `CODE: text (detail)`.
 */
export function refusalTable<Code extends string>(
  table: Readonly<Record<Code, readonly [RejectionCode, string]>>,
): (code: Code, detail?: string) => ProviderRejection {
  return (code, detail) => {
    const [reason, text] = table[code];
    return new ProviderRejection(reason, code, detail ? `${text} (${detail})` : text);
  };
}

/** What a call of `handle` comes to: its answer, or its rejection as the consumer gets it. */
export async function outcomeOf<Answer>(
  work: Promise<ProviderOutcome<Answer>>,
): Promise<ProviderOutcome<Answer>> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ProviderRejection) return error.outcome;
    throw error;
  }
}
