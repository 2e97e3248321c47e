/**
 * The operation table: one entry per operation — how to read its signed block from the operation element
 * (before verification), and what runs after verification (step 5 onwards) to write its answer. Steps 1–4 and
 * 8–10 are the same for every operation; only these entries differ.
 */
import type { OperationName } from '../soap/operations.js';
import { writeCallAnswer } from './answer.js';
import { requireNoAttachments } from './attachments.js';
import { need, type Exchange } from './context.js';
import type { Answer, PipelineParts } from './parts.js';
import {
  ack,
  getIncomingQueueStatistics,
  getRequestOrResponse,
  getStatus,
  sendRequest,
  sendResponse,
} from './queued.js';
import { readSenderRequest } from './request.js';
import { readAckRequest, readSenderResponse, readStatusRequest, readTakeRequest } from './queued-request.js';
import { deduplicate } from './steps/deduplicate.js';
import { deliver } from './steps/deliver.js';
import { route } from './steps/route.js';
import { requireKnown } from './steps/validate.js';

export interface OperationEntry {
  /** Read the signed block (and what the operation needs from it) into the exchange. */
  read(exchange: Exchange, parts: PipelineParts): void;
  /** Steps after verification: deduplicate, route, deliver (or queue), and the answer. */
  run(exchange: Exchange, parts: PipelineParts): Promise<Answer>;
}

const call: OperationEntry = {
  read(exchange, parts) {
    const request = readSenderRequest(
      need(exchange.envelope, 'envelope').operationElement,
      exchange.contract,
    );
    requireKnown(request.messageType, parts.delivery);
    exchange.request = request;
    exchange.signed = request;
  },
  async run(exchange, parts) {
    await deduplicate(exchange, parts.replay);
    await route(exchange, parts.router);
    const request = need(exchange.request, 'request');
    requireNoAttachments(request.attachments, need(exchange.route, 'route').provider, request.fileRefs);
    await deliver(exchange, parts.delivery, parts.limits.providerTimeoutMs);
    exchange.answeredAt = new Date();
    return writeCallAnswer(exchange, { signatureSlots: parts.signer !== undefined });
  },
};

const operationElement = (exchange: Exchange) => need(exchange.envelope, 'envelope').operationElement;

export const OPERATION_TABLE: Record<OperationName, OperationEntry> = {
  Call: call,
  SendRequest: {
    read(exchange) {
      const request = readSenderRequest(operationElement(exchange), exchange.contract);
      exchange.request = request;
      exchange.signed = request;
    },
    run: sendRequest,
  },
  SendResponse: {
    read(exchange) {
      exchange.signed = readSenderResponse(operationElement(exchange), exchange.contract);
    },
    run: sendResponse,
  },
  GetRequest: {
    read(exchange) {
      exchange.signed = readTakeRequest(operationElement(exchange), exchange.contract);
    },
    run: (exchange, parts) => getRequestOrResponse('GetRequest', exchange, parts),
  },
  GetResponse: {
    read(exchange) {
      exchange.signed = readTakeRequest(operationElement(exchange), exchange.contract);
    },
    run: (exchange, parts) => getRequestOrResponse('GetResponse', exchange, parts),
  },
  Ack: {
    read(exchange) {
      exchange.signed = readAckRequest(operationElement(exchange), exchange.contract);
    },
    run: ack,
  },
  GetStatus: {
    read(exchange) {
      exchange.signed = readStatusRequest(operationElement(exchange), exchange.contract);
    },
    run: getStatus,
  },
  // Signed like GetStatus: a Timestamp.
  GetIncomingQueueStatistics: {
    read(exchange) {
      exchange.signed = readStatusRequest(operationElement(exchange), exchange.contract);
    },
    run: getIncomingQueueStatistics,
  },
};
