/**
 * The message model every layer shares: what a message type is, what a provider may answer, and the parts of a
 * consumer's request that the pipeline reads and the signature step verifies. Types only; no src/ imports.
 */
import type { Element } from '@xmldom/xmldom';

export interface MessageType {
  readonly namespace: string;
  readonly localName: string;
}

/** The queue of a message type, as GetIncomingQueueStatistics names it (QueueStatistics/@queueName). */
export const queueNameOf = (type: MessageType): string => `{${type.namespace}}${type.localName}`;

/**
 * The official schemas type `queueName` as basic:string-200 (message-exchange 1.1 to 1.3): at most 200 characters,
 * counted as XSD counts them, by code point. The registry refuses a route whose queue name is longer, so the
 * gateway never writes one the official schema refuses.
 */
export const QUEUE_NAME_MAX_LENGTH = 200;
export const queueNameLength = (type: MessageType): number => [...queueNameOf(type)].length;

/** SMEV 3 rejection reasons (`RequestRejected/RejectionReasonCode`). */
export type RejectionCode = 'ACCESS_DENIED' | 'NO_DATA' | 'UNKNOWN_REQUEST_DESCRIPTION' | 'FAILURE';

export type ProviderOutcome<Answer> =
  | { readonly kind: 'answer'; readonly body: Answer }
  | { readonly kind: 'rejected'; readonly code: RejectionCode; readonly description: string };

/** A file of the attachment store as a signed RefAttachmentHeader names it. */
export interface FileRef {
  readonly uuid: string;
  /** RefAttachmentHeader/Hash: GOST R 34.11-2012 (256-bit) of the bytes, base64. */
  readonly hash: string;
  readonly mimeType: string;
}

/** An operation's signed block and the signature beside it: what verification needs, for every operation. */
export interface SignedPart {
  /** The signed block itself: the signature reference must resolve to this node. */
  readonly signedBlock: Element;
  readonly signedBlockId: string;
  /** `CallerInformationSystemSignature`, the sibling holding `ds:Signature`; absent when unsigned. */
  readonly callerSignature: Element | undefined;
}

export interface SenderRequest extends SignedPart {
  readonly messageId: string;
  readonly referenceMessageId: string;
  readonly transactionCode: string | undefined;
  readonly testMessage: boolean;
  readonly payload: Element;
  readonly messageType: MessageType;
  /** `EOL`: the consumer's own limit of the message's lifetime. */
  readonly endOfLife: Date | undefined;
  /** The `AttachmentContentList` beside the signed block, serialised, after its headers were matched. */
  readonly attachments: string | undefined;
  /** The files of the attachment store the signed block names (RefAttachmentHeaderList). */
  readonly fileRefs: readonly FileRef[];
}

/**
 * Who takes a route's messages: a service hosted in the gateway, a remote system the gateway forwards to, or the
 * recipient itself, taking them from its queue (GetRequest). Stored as text (`builtin:<service>`, `remote:<url>`,
 * `queue`); route-provider.ts reads and writes that text.
 */
export type RouteProvider =
  | { readonly kind: 'hosted'; readonly service: string }
  | { readonly kind: 'remote'; readonly url: string }
  | { readonly kind: 'queue' };
