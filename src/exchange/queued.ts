/**
 * Step 5 onwards for the queued operations. SendRequest runs the same deduplicate and route steps as Call;
 * its step 7 queues the request instead of calling the provider (the hosted worker calls hosted providers
 * later). The take operations (GetRequest, GetResponse, GetStatus) are protected against replay by their signed
 * Timestamp and signature digest; SendResponse answers only a request that was handed to the caller.
 */
import { randomUUID } from 'node:crypto';
import { GatewayFault } from '../core/faults.js';
import { contractVersion } from '../soap/namespaces.js';
import { need, type Exchange } from './context.js';
import {
  QUEUE_PROVIDER,
  type FileAttachments,
  type FileRef,
  type MessageQueue,
  type SystemRef,
} from '../core/ports.js';
import type { Answer, PipelineParts } from './parts.js';
import {
  queuedElement,
  writeAckAnswer,
  writeMetadataAnswer,
  writeQueueStatisticsAnswer,
  writeStatusAnswer,
  writeTakeAnswer,
} from './queued-answers.js';
import { requireNoAttachments } from './attachments.js';
import { signatureDigest, type AckRequest, type SenderResponse, type TakeRequest } from './queued-request.js';
import { route } from './steps/route.js';
import { requireKnown } from './steps/validate.js';

function queueOf(parts: PipelineParts): MessageQueue {
  if (!parts.queue) throw new GatewayFault('SMEVFailure', 'the queued operations are not configured');
  return parts.queue;
}

export async function sendRequest(exchange: Exchange, parts: PipelineParts): Promise<Answer> {
  const queue = queueOf(parts);
  const request = need(exchange.request, 'request');
  const sender = need(exchange.sender, 'sender');
  await parts.replay.acceptQueued(request.messageId, sender.mnemonic, exchange.receivedAt);
  await route(exchange, parts.router);
  const target = need(exchange.route, 'route');
  if (target.provider !== QUEUE_PROVIDER) {
    requireKnown(request.messageType, parts.delivery);
    requireNoAttachments(request.attachments, target.provider, request.fileRefs);
  }
  await checkFiles(parts, sender.mnemonic, request.fileRefs, exchange.receivedAt);
  const now = exchange.receivedAt;
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
    recipient: target.recipient,
    sentAt: now,
    destination: target.recipient.mnemonic,
  };
  const replyTo = randomUUID();
  await queue.enqueueRequest(
    {
      messageId: request.messageId,
      sender: sender.mnemonic,
      recipient: target.recipient.mnemonic,
      provider: target.provider,
      messageType: request.messageType,
      replyTo,
      body: queuedElement(
        'Request',
        request.signedBlock,
        request.callerSignature,
        meta,
        { replyTo },
        exchange.contract,
      ),
      attachments: request.attachments,
      files: request.fileRefs.map((ref) => ref.uuid),
      transactionCode: request.transactionCode,
      referenceMessageId: request.referenceMessageId,
      contractVersion: exchange.contract.version,
      expiresAt: Math.min(now.getTime() + queue.lifetimeMs, endOfLife ?? Infinity),
    },
    now,
  );
  return writeMetadataAnswer(
    exchange.version,
    'SendRequestResponse',
    { ...meta, status: 'requestIsQueued' },
    exchange.contract,
  );
}

export async function sendResponse(exchange: Exchange, parts: PipelineParts): Promise<Answer> {
  const queue = queueOf(parts);
  const response = need(exchange.signed, 'signed block') as SenderResponse;
  const sender = need(exchange.sender, 'sender');
  exchange.messageId = response.messageId;
  const now = exchange.receivedAt;
  // The return address is checked before the MessageID is spent, so a refused answer can be sent again.
  const request = await queue.requestByReplyTo(response.to);
  if (!request) {
    throw new GatewayFault('TargetMessageIsNotFound', 'To names no request known to the gateway');
  }
  exchange.counterpart = request.sender;
  if (request.recipient !== sender.mnemonic || request.provider !== QUEUE_PROVIDER) {
    throw new GatewayFault('AccessDenied', `request ${request.messageId} was not sent to ${sender.mnemonic}`);
  }
  // The consumer takes the answer in the version it asked in, inside the answer's signed block: it cannot be
  // rewritten into another version's namespace, so it must be written in that version.
  if (request.contractVersion !== exchange.contract.version) {
    throw new GatewayFault(
      'ContractVersionMismatch',
      `request ${request.messageId} was sent in message exchange ${request.contractVersion}; answer it at ` +
        `${contractVersion(request.contractVersion)?.path ?? 'its endpoint'}, not in ${exchange.contract.version}`,
    );
  }
  // Whether the request is still open is decided where the answer is queued: a retried answer whose first
  // attempt closed the request is told MessageIsAlreadySent there, not TargetMessageIsNotFound.
  await parts.replay.acceptQueued(response.messageId, sender.mnemonic, now);
  const consumer: SystemRef = parts.router.system(request.sender) ?? {
    mnemonic: request.sender,
    humanReadableName: request.sender,
  };
  const meta = {
    messageId: response.messageId,
    type: 'RESPONSE' as const,
    sender,
    recipient: consumer,
    sentAt: now,
    destination: consumer.mnemonic,
  };
  await checkFiles(parts, sender.mnemonic, response.fileRefs, now);
  const payload = response.payload;
  exchange.payloadNamespaces = [payload?.namespaceURI ?? request.messageType.namespace];
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
        exchange.contract,
      ),
      attachments: response.attachments,
      files: response.fileRefs.map((ref) => ref.uuid),
      // expired requests are refused by the queue as closed
      final: response.final,
    },
    now,
  );
  return writeMetadataAnswer(
    exchange.version,
    'SendResponseResponse',
    { ...meta, status: 'responseIsAcceptedBySmev' },
    exchange.contract,
  );
}

function filesOf(parts: PipelineParts): FileAttachments {
  if (!parts.files) throw new GatewayFault('SMEVFailure', 'the attachment store is not configured');
  return parts.files;
}

/** The stored files a message names must be its sender's, as signed: checked before the message is queued. */
async function checkFiles(
  parts: PipelineParts,
  sender: string,
  refs: readonly FileRef[],
  now: Date,
): Promise<void> {
  if (refs.length > 0) await filesOf(parts).check(sender, refs, now);
}

/** A signed take request is good once, and only near the gateway clock. */
async function acceptTake(exchange: Exchange, parts: PipelineParts, signedAt: Date): Promise<void> {
  await parts.replay.acceptSigned(
    signatureDigest(need(exchange.signed, 'signed block')),
    need(exchange.sender, 'sender').mnemonic,
    signedAt,
    exchange.receivedAt,
  );
}

export async function getRequestOrResponse(
  operation: 'GetRequest' | 'GetResponse',
  exchange: Exchange,
  parts: PipelineParts,
): Promise<Answer> {
  const queue = queueOf(parts);
  const take = need(exchange.signed, 'signed block') as TakeRequest;
  await acceptTake(exchange, parts, take.signedAt);
  const taken = await queue.take(
    need(exchange.sender, 'sender').mnemonic,
    operation === 'GetRequest' ? 'request' : 'response',
    take.messageType,
    exchange.receivedAt,
    exchange.contract.version,
  );
  if (taken) {
    exchange.messageId = taken.messageId;
    exchange.counterpart = taken.sender;
    // No type known: the log keeps no body, as for any payload it is not told to keep.
    exchange.payloadNamespaces = [taken.messageType?.namespace ?? ''];
  }
  // Stored files the message names: the recipient is told where to fetch each, with a credential of its own.
  const files = taken?.files ?? [];
  const fsAttachments =
    taken && files.length > 0
      ? await filesOf(parts).grant(taken.recipient, taken.messageId, files, exchange.receivedAt)
      : [];
  return writeTakeAnswer(exchange.version, operation, taken, exchange.contract, fsAttachments);
}

export async function getStatus(exchange: Exchange, parts: PipelineParts): Promise<Answer> {
  const queue = queueOf(parts);
  const take = need(exchange.signed, 'signed block') as TakeRequest;
  await acceptTake(exchange, parts, take.signedAt);
  const taken = await queue.take(
    need(exchange.sender, 'sender').mnemonic,
    'status',
    undefined,
    exchange.receivedAt,
  );
  if (taken) exchange.messageId = taken.requestId;
  const notice = taken && (JSON.parse(taken.body) as { category: string; details: string });
  return writeStatusAnswer(
    exchange.version,
    taken && notice ? { originalMessageId: taken.requestId, ...notice } : undefined,
    exchange.contract,
  );
}

export async function getIncomingQueueStatistics(exchange: Exchange, parts: PipelineParts): Promise<Answer> {
  const queue = queueOf(parts);
  const take = need(exchange.signed, 'signed block') as TakeRequest;
  await acceptTake(exchange, parts, take.signedAt);
  const queues = await queue.pending(
    need(exchange.sender, 'sender').mnemonic,
    exchange.receivedAt,
    exchange.contract.version,
  );
  return { doc: writeQueueStatisticsAnswer(exchange.version, queues, exchange.contract), slots: [] };
}

/**
 * Ack carries no timestamp of its own (SMEV 3's AckTargetMessage is a MessageID only), so a replayed Ack can
 * only acknowledge again what its signer already acknowledged, which changes nothing.
 */
export async function ack(exchange: Exchange, parts: PipelineParts): Promise<Answer> {
  const queue = queueOf(parts);
  const target = need(exchange.signed, 'signed block') as AckRequest;
  exchange.messageId = target.targetMessageId;
  await queue.ack(need(exchange.sender, 'sender').mnemonic, target.targetMessageId, exchange.receivedAt);
  return { doc: writeAckAnswer(exchange.version, exchange.contract), slots: [] };
}
