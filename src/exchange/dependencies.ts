/**
 * What the pipeline needs from the other parts of the gateway, as narrow interfaces. `exchange/` depends on
 * these; the parts that implement them (signature, registry, messagelog, providers, store) never depend on
 * `exchange/`.
 */
import type { MessageType, ProviderOutcome } from '../providers/contract.js';
import type { Document } from '../xml/dom.js';
import type { SenderRequest } from './request.js';

export interface SystemRef {
  readonly mnemonic: string;
  readonly humanReadableName: string;
}

export interface VerifiedSender extends SystemRef {
  /** SHA-256 of the signing certificate, lowercase hex; undefined only while signatures are off. */
  readonly certificateThumbprint: string | undefined;
}

export interface SignatureVerifier {
  /** Verify the caller's signature over the signed block; resolve the sending system. Throws GatewayFault. */
  verifyRequest(doc: Document, text: string, request: SenderRequest, at: Date): Promise<VerifiedSender>;
}

export interface ReplayGuard {
  /** Accept a MessageID once: version-1 UUID, within the clock window, never seen. Throws GatewayFault. */
  accept(messageId: string, sender: string, now: Date): Promise<void>;
}

export interface Route {
  readonly recipient: SystemRef;
  /** `builtin:<service>` or `remote:<url>`. */
  readonly provider: string;
}

export interface Router {
  /** The route for this sender and message type. Throws RecipientIsNotFound / AccessDenied. */
  route(sender: VerifiedSender, messageType: MessageType): Promise<Route>;
}

export interface ProviderCall {
  readonly route: Route;
  readonly request: SenderRequest;
  readonly sender: VerifiedSender;
  readonly deadline: AbortSignal;
}

export interface Delivery {
  /** Is this message type one a hosted service or a remote provider understands? */
  knows(messageType: MessageType): boolean;
  deliver(call: ProviderCall): Promise<ProviderOutcome<string>>;
}

export interface AnswerSigner {
  /** Sign the answer tree in its empty signature slots; returns the signed XML. */
  signAnswer(doc: Document): string;
  /** Sign a fault written with its signature slot. */
  signFault(xml: string): string;
}
