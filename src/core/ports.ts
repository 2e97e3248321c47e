/**
 * What the pipeline needs from the other parts of the gateway, as narrow interfaces (ports). `exchange/` depends
 * on these; the parts that implement them (signature, registry, queue, attachments, providers) import them from
 * here and never depend on `exchange/`.
 */
import type { Document, Element } from '@xmldom/xmldom';
import type {
  FileRef,
  MessageType,
  ProviderOutcome,
  RouteProvider,
  SenderRequest,
  SignedPart,
} from './model.js';
import { formatRouteProvider } from './route-provider.js';

export type { FileRef };

export interface SystemRef {
  readonly mnemonic: string;
  readonly humanReadableName: string;
}

export interface VerifiedSender extends SystemRef {
  /** SHA-256 of the signing certificate, lowercase hex; undefined only while signatures are off. */
  readonly certificateThumbprint: string | undefined;
}

export interface SignatureVerifier {
  /**
   * Verify the caller's signature over the operation's signed block (SenderProvidedRequestData,
   * SenderProvidedResponseData, MessageTypeSelector, AckTargetMessage or Timestamp); resolve the sending
   * system. Throws GatewayFault.
   */
  verifyRequest(doc: Document, text: string, signed: SignedPart, at: Date): Promise<VerifiedSender>;
}

export interface ReplayGuard {
  /** Accept a MessageID once: version-1 UUID, within the clock window, never seen. Throws GatewayFault. */
  accept(messageId: string, sender: string, now: Date): Promise<void>;
  /**
   * The same rules for a message the queue keeps (SendRequest, SendResponse), without remembering it: the queue
   * refuses a repeated MessageID in the very transaction that queues the message, so a crash between the two
   * can neither lose a message nor spend its MessageID.
   */
  acceptQueued(messageId: string, sender: string, now: Date): Promise<void>;
  /**
   * Accept a signed take request (GetRequest, GetResponse, GetStatus, Ack) once: its signed Timestamp lies within
   * the clock window and its signature (by digest) was never seen, so a captured request cannot be replayed.
   */
  acceptSigned(signatureDigest: string, sender: string, signedAt: Date, now: Date): Promise<void>;
}

/** The provider of routes whose recipient takes its requests itself (GetRequest); other providers are hosted. */
export const QUEUE_PROVIDER = formatRouteProvider({ kind: 'queue' });

export interface Route {
  readonly recipient: SystemRef;
  /** Who answers: a hosted service, a remote provider, or the recipient itself taking from its queue. */
  readonly provider: RouteProvider;
}

export interface Router {
  /** The route for this sender and message type. Throws RecipientIsNotFound / AccessDenied. */
  route(sender: VerifiedSender, messageType: MessageType): Promise<Route>;
  /** A registered system by its mnemonic (for the metadata of queued answers). */
  system(mnemonic: string): SystemRef | undefined;
}

export interface ProviderCall {
  readonly route: Route;
  readonly request: SenderRequest;
  readonly sender: VerifiedSender;
  readonly deadline: AbortSignal;
  /** Queued delivery: how often this message was handed to the provider before (0 on the first attempt). */
  readonly attempt?: number;
}

export interface Delivery {
  /** Is this message type one a hosted service or a remote provider understands? */
  knows(messageType: MessageType): boolean;
  deliver(call: ProviderCall): Promise<ProviderOutcome<string>>;
}

/** An element the gateway wrote and will sign, with the empty container it wrote for the signature. */
export interface SignatureSlot {
  readonly target: Element;
  readonly container: Element;
}

/**
 * The gateway's signature on what it writes. Asynchronous, so a signing service, an HSM or a pool of signing
 * threads can stand behind it without a change to the pipeline.
 */
export interface AnswerSigner {
  /** Sign each slot's element into its container, in order, in the tree itself; resolves to that tree serialised. */
  signAnswer(doc: Document, slots: readonly SignatureSlot[]): Promise<string>;
  /** Sign a fault written with its signature slot. */
  signFault(xml: string): Promise<string>;
}

/** A message as the queue hands it out. */
export interface TakenMessage {
  readonly messageId: string;
  readonly requestId: string;
  readonly sender: string;
  readonly recipient: string;
  readonly provider: string;
  /** The element to hand out, serialised (for a status notice: its category and details as JSON). */
  readonly body: string;
  /** The message's `AttachmentContentList`, serialised, when it carries attachments. */
  readonly attachments: string | undefined;
  /** The stored files the message names (RefAttachmentHeaderList), in order; none for most messages. */
  readonly files?: readonly string[];
  /** How often it was handed out before this time. */
  readonly deliveries: number;
  /** The payload's message type (the log decides by its namespace whether to keep the body). */
  readonly messageType?: MessageType;
  /** The message-exchange contract version the message was sent in, and is handed out in (`1.1`, …). */
  readonly contractVersion: string;
}

export interface QueuedRequest {
  readonly messageId: string;
  readonly sender: string;
  readonly recipient: string;
  readonly provider: string;
  readonly messageType: MessageType;
  readonly replyTo: string;
  readonly body: string;
  readonly attachments?: string | undefined;
  /** The stored files the request names (RefAttachmentHeaderList), in order; checked by FileAttachments. */
  readonly files?: readonly string[] | undefined;
  readonly transactionCode?: string | undefined;
  /** The request's ReferenceMessageID (its own MessageID when it starts a chain), echoed in its answers. */
  readonly referenceMessageId?: string | undefined;
  /** Epoch ms: the request's lifetime ends (the configured lifetime, or its own EOL when earlier). */
  readonly expiresAt: number;
  /** The contract version it was sent in (1.1 when not said); it is handed out in the same one. */
  readonly contractVersion?: string;
}

export interface OpenRequest {
  readonly messageId: string;
  readonly messageType: MessageType;
  readonly sender: string;
  readonly recipient: string;
  readonly provider: string;
  readonly state: string;
  readonly expiresAt: number;
  readonly transactionCode: string | undefined;
  /** Its ReferenceMessageID; undefined for requests queued before the gateway kept it. */
  readonly referenceMessageId: string | undefined;
  /** The contract version it was sent in; its answers must be sent in the same one. */
  readonly contractVersion: string;
}

export interface QueuedAnswer {
  readonly messageId: string;
  readonly request: OpenRequest;
  readonly messageType: MessageType;
  readonly body: string;
  readonly attachments?: string | undefined;
  /** The stored files the answer names (RefAttachmentHeaderList), in order; checked by FileAttachments. */
  readonly files?: readonly string[] | undefined;
  /** A final answer closes the request; an intermediate status (RequestStatus) keeps it open. */
  readonly final: boolean;
}

export type TakeKind = 'request' | 'response' | 'status';

export interface QueueStatistics {
  readonly messageType: MessageType;
  readonly pending: number;
}

/** The queues of the asynchronous operations (src/queue). Limits throw DestinationOverflow or QuoteLimitExceeded. */
export interface MessageQueue {
  /**
   * Queue a consumer's request for its recipient. Throws DestinationOverflow when the recipient's queue is full,
   * MessageIsAlreadySent when its MessageID is queued already.
   */
  enqueueRequest(request: QueuedRequest, now: Date): Promise<void>;
  /** The request a return address names, if the gateway still knows it. */
  requestByReplyTo(replyTo: string): Promise<OpenRequest | undefined>;
  /**
   * Queue an answer for the consumer. Throws MessageIsAlreadySent when its MessageID is queued already (a retry
   * of an answer that was taken), TargetMessageIsNotFound when the request is closed.
   */
  enqueueAnswer(answer: QueuedAnswer, now: Date): Promise<void>;
  /**
   * Hand out the oldest visible message of this kind for `recipient` sent in `contractVersion` (1.1 when not
   * said), or nothing. Status notices are told in any version.
   */
  take(
    recipient: string,
    kind: TakeKind,
    messageType: MessageType | undefined,
    now: Date,
    contractVersion?: string,
  ): Promise<TakenMessage | undefined>;
  /** Confirm a handed-out message. Throws TargetMessageIsNotFound when `system` holds no such message. */
  ack(system: string, messageId: string, now: Date): Promise<void>;
  /** The worker's take: the oldest visible request on a route the gateway hosts. */
  takeHosted(now: Date): Promise<TakenMessage | undefined>;
  /**
   * Messages waiting for `system` to take and acknowledge them (requests and answers) in `contractVersion` (1.1
   * when not said), per message type.
   */
  pending(system: string, now: Date, contractVersion?: string): Promise<QueueStatistics[]>;
  /** Lifetime of a newly queued message, in ms. */
  readonly lifetimeMs: number;
}

/** Where and how the recipient fetches one stored file: FSAttachment (FSAuthInfo) of the official schema. */
export interface FsAttachment {
  readonly uuid: string;
  readonly userName: string;
  readonly password: string;
  readonly fileName: string;
}

/** The attachment store (src/attachments) as the pipeline needs it. */
export interface FileAttachments {
  /**
   * Check the files a message names before it is queued: each was uploaded by `sender` and is still stored, its
   * digest is the signed Hash, their total is within the limit. Throws AttachmentIsNotFound,
   * AttachmentHashMismatch or AttachmentSizeLimitExceeded.
   */
  check(sender: string, refs: readonly FileRef[], now: Date): Promise<void>;
  /** Download credentials for `recipient`, handing out message `messageId` that names these files. */
  grant(recipient: string, messageId: string, uuids: readonly string[], now: Date): Promise<FsAttachment[]>;
}

/** Per-system rate quota over every operation. Throws QuoteLimitExceeded. */
export interface RateQuota {
  /** Take one request from the system's rate; throws QuoteLimitExceeded when none is left. */
  take(system: string, now: Date): Promise<void>;
}
