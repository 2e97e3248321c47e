/**
 * The queue's side of the queued operations, each a step of its operation in the pipeline: SendRequest queues
 * the request for its recipient (the hosted worker calls hosted providers later); SendResponse answers only a
 * request that was handed to the caller, in the contract version it was sent in; the take operations hand out
 * the oldest message with download credentials for the files it names.
 */
import { randomUUID } from 'node:crypto';
import { GatewayFault } from '../core/faults.js';
import { formatRouteProvider } from '../core/route-provider.js';
import {
  QUEUE_PROVIDER,
  type FileAttachments,
  type FsAttachment,
  type MessageQueue,
  type OpenRequest,
  type Route,
  type SystemRef,
  type TakenMessage,
  type VerifiedSender,
} from '../core/ports.js';
import type { SenderRequest } from '../core/model.js';
import { contractVersion, type ExchangeNamespaces } from '../soap/namespaces.js';
import type { Metadata } from '../smev/blocks.js';
import { queuedElement } from '../smev/queued-answers.js';
import type { SenderResponse } from '../smev/queued-request.js';

export function queueOf(queue: MessageQueue | undefined): MessageQueue {
  if (!queue) throw new GatewayFault('SMEVFailure', 'the queued operations are not configured');
  return queue;
}

function filesOf(files: FileAttachments | undefined): FileAttachments {
  if (!files) throw new GatewayFault('SMEVFailure', 'the attachment store is not configured');
  return files;
}

/** The stored files a message names must be its sender's, as signed: checked before the message is queued. */
export async function checkFiles(
  files: FileAttachments | undefined,
  sender: string,
  message: Pick<SenderRequest, 'fileRefs'>,
  now: Date,
): Promise<void> {
  if (message.fileRefs.length > 0) await filesOf(files).check(sender, message.fileRefs, now);
}

/** Queue a consumer's request for the route's recipient; returns the metadata its answer confirms. */
export async function queueRequest(
  queue: MessageQueue,
  request: SenderRequest,
  sender: VerifiedSender,
  route: Route,
  contract: ExchangeNamespaces,
  now: Date,
): Promise<Metadata> {
  const endOfLife = request.endOfLife?.getTime();
  if (endOfLife !== undefined && endOfLife <= now.getTime()) {
    throw new GatewayFault(
      'EndOfLifeReached',
      `the request's EOL ${request.endOfLife?.toISOString()} has passed`,
    );
  }
  const meta = {
    messageId: request.messageId,
    type: 'REQUEST' as const,
    sender,
    recipient: route.recipient,
    sentAt: now,
    destination: route.recipient.mnemonic,
  };
  const replyTo = randomUUID();
  await queue.enqueueRequest(
    {
      messageId: request.messageId,
      sender: sender.mnemonic,
      recipient: route.recipient.mnemonic,
      provider: formatRouteProvider(route.provider),
      messageType: request.messageType,
      replyTo,
      body: queuedElement(
        'Request',
        request.signedBlock,
        request.callerSignature,
        meta,
        { replyTo },
        contract,
      ),
      attachments: request.attachments,
      files: request.fileRefs.map((ref) => ref.uuid),
      transactionCode: request.transactionCode,
      referenceMessageId: request.referenceMessageId,
      contractVersion: contract.version,
      expiresAt: Math.min(now.getTime() + queue.lifetimeMs, endOfLife ?? Infinity),
    },
    now,
  );
  return meta;
}

/**
 * The request an answer's `To` names, handed to `sender`, in this contract version. Checked before the answer's
 * MessageID is spent, so a refused answer can be sent again.
 */
export async function requestAnswered(
  queue: MessageQueue,
  response: SenderResponse,
  sender: VerifiedSender,
  contract: ExchangeNamespaces,
): Promise<OpenRequest> {
  const request = await queue.requestByReplyTo(response.to);
  if (!request) {
    throw new GatewayFault('TargetMessageIsNotFound', 'To names no request known to the gateway');
  }
  if (request.recipient !== sender.mnemonic || request.provider !== QUEUE_PROVIDER) {
    // The request's own MessageID is its sender's and recipient's to know, not a third system's.
    throw new GatewayFault('AccessDenied', `the request To names was not sent to ${sender.mnemonic}`);
  }
  // The consumer takes the answer in the version it asked in, inside the answer's signed block: it cannot be
  // rewritten into another version's namespace, so it must be written in that version.
  if (request.contractVersion !== contract.version) {
    throw new GatewayFault(
      'ContractVersionMismatch',
      `request ${request.messageId} was sent in message exchange ${request.contractVersion}; answer it at ` +
        `${contractVersion(request.contractVersion)?.path ?? 'its endpoint'}, not in ${contract.version}`,
    );
  }
  return request;
}

/**
 * Queue the answer for the consumer. Whether the request is still open is decided here: a retried answer whose
 * first attempt closed the request is told MessageIsAlreadySent, not TargetMessageIsNotFound.
 */
export async function queueAnswer(
  queue: MessageQueue,
  response: SenderResponse,
  request: OpenRequest,
  sender: VerifiedSender,
  consumer: SystemRef,
  contract: ExchangeNamespaces,
  now: Date,
): Promise<Metadata> {
  const meta = {
    messageId: response.messageId,
    type: 'RESPONSE' as const,
    sender,
    recipient: consumer,
    sentAt: now,
    destination: consumer.mnemonic,
  };
  const payload = response.payload;
  await queue.enqueueAnswer(
    {
      messageId: response.messageId,
      request,
      messageType: payload
        ? { namespace: payload.namespaceURI ?? '', localName: payload.localName ?? '' }
        : request.messageType,
      body: queuedElement(
        'Response',
        response.signedBlock,
        response.callerSignature,
        meta,
        {
          originalMessageId: request.messageId,
          originalTransactionCode: request.transactionCode,
          referenceMessageId: request.referenceMessageId ?? request.messageId,
        },
        contract,
      ),
      attachments: response.attachments,
      files: response.fileRefs.map((ref) => ref.uuid),
      // expired requests are refused by the queue as closed
      final: response.final,
    },
    now,
  );
  return meta;
}

/** Download credentials for the stored files a taken message names, one of its own for the recipient. */
export async function grantFiles(
  files: FileAttachments | undefined,
  taken: TakenMessage | undefined,
  now: Date,
): Promise<FsAttachment[]> {
  const uuids = taken?.files ?? [];
  if (!taken || uuids.length === 0) return [];
  return filesOf(files).grant(taken.recipient, taken.messageId, uuids, now);
}
