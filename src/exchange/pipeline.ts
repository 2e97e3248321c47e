/**
 * A request's way through the gateway (DESIGN section 2), one named step after another, every operation's steps
 * on this one page. Each step hands its typed result to the next; what the logs need is noted in the exchange's
 * recorder. Any step may throw a GatewayFault; the fault becomes the answer (signed when the gateway can
 * attribute it) and is logged like any other exchange. An unexpected error is our fault: it is logged with its
 * stack and answered as SMEVFailure.
 */
import { newMessageId } from '../core/message-id.js';
import { GatewayFault, isGatewayFault } from '../core/faults.js';
import type { SignedPart } from '../core/model.js';
import { faultHttpStatus, writeFault } from '../soap/fault-writer.js';
import { encodeMtom } from '../soap/mtom.js';
import type { ExchangeNamespaces } from '../soap/namespaces.js';
import { writeCallAnswer } from '../smev/call-answer.js';
import {
  writeAckAnswer,
  writeMetadataAnswer,
  writeQueueStatisticsAnswer,
  writeStatusAnswer,
  writeTakeAnswer,
} from '../smev/queued-answers.js';
import {
  readAckRequest,
  readSenderResponse,
  readStatusRequest,
  readTakeRequest,
  signatureDigest,
} from '../smev/queued-request.js';
import { readSenderRequest } from '../smev/request.js';
import { serializeXml } from '../xml/dom.js';
import type { SchemaSet } from '../xml/schemas.js';
import type { Exchange } from './context.js';
import type { Answer, ExchangeResult, PipelineParts } from './parts.js';
import { checkFiles, grantFiles, queueAnswer, queueOf, queueRequest, requestAnswered } from './queued.js';
import { ExchangeRecorder, type StepName } from './recorder.js';
import { parse } from './steps/parse.js';
import { receive } from './steps/receive.js';
import { requireKnown, requireNoAttachments, validate } from './steps/validate.js';

export type { Answer, ExchangeLog, ExchangeResult, PipelineParts } from './parts.js';

export class Pipeline {
  constructor(private readonly parts: PipelineParts) {}

  async run(exchange: Exchange): Promise<ExchangeResult> {
    const record = new ExchangeRecorder(exchange);
    let result: ExchangeResult;
    try {
      const answer = await this.process(exchange, record);
      record.step('sign');
      const body = await this.sign(answer);
      // An MTOM request is answered in MTOM when its answer carries attachments, plain otherwise. The signer
      // signed the tree itself, so the tree is the signed answer.
      const mtom = record.mtom
        ? encodeMtom(answer.doc, answer.attachments ?? [], record.version.mediaType)
        : undefined;
      result = { ...this.result(record, 200, body), mtom };
    } catch (error) {
      result = await this.answerFault(exchange, record, error);
    }
    return this.log(exchange, record, result);
  }

  /** Steps 1–8: every operation's steps, from the bytes received to the answer written. */
  private async process(exchange: Exchange, record: ExchangeRecorder): Promise<Answer> {
    const { parts } = this;
    const { contract, receivedAt: now, incoming } = exchange;
    const step = <T>(name: StepName, work: () => T): T => {
      record.step(name);
      return work();
    };
    const head = step('receive', () =>
      receive(incoming, parts.limits.maxBodyBytes, (version) => (record.version = version)),
    );
    record.mtom = head.mtom !== undefined;
    const message = step('parse', () => parse(incoming, head, parts.limits, contract, record));
    const { operation, operationElement: element } = message.envelope;
    record.operation = operation.name;
    const schemas = this.schemasFor(contract);
    step('validate', () => validate(message, schemas, contract, parts.limits));
    // After its own block is read: the caller's signature over that block, then the caller's rate quota.
    const verify = async (signed: SignedPart) => {
      const sender = await step('verify', () =>
        parts.verifier.verifyRequest(message.doc, message.text, signed, now),
      );
      record.sender = sender;
      await step('quota', () => parts.quota?.take(sender.mnemonic, now));
      return sender;
    };
    const version = record.version;

    switch (operation.name) {
      case 'Call': {
        const request = step('read', () => readSenderRequest(element, contract));
        record.request = request;
        requireKnown(request.messageType, parts.delivery);
        const sender = await verify(request);
        await step('deduplicate', () => parts.replay.accept(request.messageId, sender.mnemonic, now));
        const route = await step('route', () => parts.router.route(sender, request.messageType));
        record.counterpartIs(route.recipient);
        requireNoAttachments(request.attachments, route.provider, request.fileRefs);
        const deadline = AbortSignal.timeout(parts.limits.providerTimeoutMs);
        const outcome = await step('deliver', () =>
          parts.delivery.deliver({ route, request, sender, deadline }),
        );
        const answerMessageId = (record.answerMessageId = newMessageId());
        return step('answer', () =>
          writeCallAnswer({
            version,
            request,
            sender,
            recipient: route.recipient,
            outcome,
            answerMessageId,
            answeredAt: new Date(),
            signatureSlots: parts.signer !== undefined,
          }),
        );
      }
      case 'SendRequest': {
        const queue = queueOf(parts.queue);
        const request = step('read', () => readSenderRequest(element, contract));
        record.request = request;
        const sender = await verify(request);
        await step('deduplicate', () => parts.replay.acceptQueued(request.messageId, sender.mnemonic, now));
        const route = await step('route', () => parts.router.route(sender, request.messageType));
        record.counterpartIs(route.recipient);
        if (route.provider.kind !== 'queue') {
          requireKnown(request.messageType, parts.delivery);
          requireNoAttachments(request.attachments, route.provider, request.fileRefs);
        }
        await step('check files', () => checkFiles(parts.files, sender.mnemonic, request, now));
        const meta = await step('queue', () => queueRequest(queue, request, sender, route, contract, now));
        const status = { ...meta, status: 'requestIsQueued' };
        return step('answer', () => writeMetadataAnswer(version, 'SendRequestResponse', status, contract));
      }
      case 'SendResponse': {
        const queue = queueOf(parts.queue);
        const response = step('read', () => readSenderResponse(element, contract));
        record.about = response.messageId;
        const sender = await verify(response);
        const request = await step('route', () => requestAnswered(queue, response, sender, contract));
        record.counterpartIs(request.sender);
        await step('deduplicate', () => parts.replay.acceptQueued(response.messageId, sender.mnemonic, now));
        await step('check files', () => checkFiles(parts.files, sender.mnemonic, response, now));
        record.payloadNamespaces.push(response.payload?.namespaceURI ?? request.messageType.namespace);
        const consumer = parts.router.system(request.sender) ?? {
          mnemonic: request.sender,
          humanReadableName: request.sender,
        };
        const meta = await step('queue', () =>
          queueAnswer(queue, response, request, sender, consumer, contract, now),
        );
        const status = { ...meta, status: 'responseIsAcceptedBySmev' };
        return step('answer', () => writeMetadataAnswer(version, 'SendResponseResponse', status, contract));
      }
      case 'GetRequest':
      case 'GetResponse': {
        const queue = queueOf(parts.queue);
        const take = step('read', () => readTakeRequest(element, contract));
        const sender = await verify(take);
        // A signed take request is good once, and only near the gateway clock.
        await step('deduplicate', () =>
          parts.replay.acceptSigned(signatureDigest(take), sender.mnemonic, take.signedAt, now),
        );
        const name = operation.name;
        const kind = name === 'GetRequest' ? 'request' : 'response';
        const taken = await step('take', () =>
          queue.take(sender.mnemonic, kind, take.messageType, now, contract.version),
        );
        if (taken) {
          record.about = taken.messageId;
          record.counterpartIs(taken.sender);
          // No type known: the log keeps no body, as for any payload it is not told to keep.
          record.payloadNamespaces.push(taken.messageType?.namespace ?? '');
        }
        // Stored files the message names: the recipient is told where to fetch each, with a credential of its own.
        const files = await step('grant files', () => grantFiles(parts.files, taken, now));
        return step('answer', () => writeTakeAnswer(version, name, taken, contract, files));
      }
      case 'GetStatus': {
        const queue = queueOf(parts.queue);
        const take = step('read', () => readStatusRequest(element, contract));
        const sender = await verify(take);
        await step('deduplicate', () =>
          parts.replay.acceptSigned(signatureDigest(take), sender.mnemonic, take.signedAt, now),
        );
        const taken = await step('take', () => queue.take(sender.mnemonic, 'status', undefined, now));
        record.about = taken?.requestId;
        const notice = taken && {
          originalMessageId: taken.requestId,
          ...(JSON.parse(taken.body) as { category: string; details: string }),
        };
        return step('answer', () => writeStatusAnswer(version, notice, contract));
      }
      case 'GetIncomingQueueStatistics': {
        const queue = queueOf(parts.queue);
        // Signed like GetStatus: a Timestamp.
        const take = step('read', () => readStatusRequest(element, contract));
        const sender = await verify(take);
        await step('deduplicate', () =>
          parts.replay.acceptSigned(signatureDigest(take), sender.mnemonic, take.signedAt, now),
        );
        const queues = await step('take', () => queue.pending(sender.mnemonic, now, contract.version));
        return step('answer', () => ({
          doc: writeQueueStatisticsAnswer(version, queues, contract),
          slots: [],
        }));
      }
      case 'Ack': {
        // Ack carries no timestamp of its own (SMEV 3's AckTargetMessage is a MessageID only), so a replayed Ack
        // can only acknowledge again what its signer already acknowledged, which changes nothing.
        const queue = queueOf(parts.queue);
        const target = step('read', () => readAckRequest(element, contract));
        record.about = target.targetMessageId;
        const sender = await verify(target);
        await step('acknowledge', () => queue.ack(sender.mnemonic, target.targetMessageId, now));
        return step('answer', () => ({ doc: writeAckAnswer(version, contract), slots: [] }));
      }
    }
  }

  /** Step 9, log: the exchange is recorded before its answer leaves. */
  private async log(
    exchange: Exchange,
    record: ExchangeRecorder,
    result: ExchangeResult,
  ): Promise<ExchangeResult> {
    const messageLog = this.parts.messageLog;
    if (!messageLog) return result;
    try {
      await messageLog.record(record.logRecord(result, messageLog.bodies));
      return result;
    } catch (error) {
      exchange.log.error('message log write failed', {
        error: (error as Error).message,
        failClosed: messageLog.failClosed,
      });
      if (!messageLog.failClosed) return result;
      const fault = new GatewayFault(
        'MessageLogFailure',
        'the exchange could not be recorded in the message log, so its answer is withheld',
        { cause: error },
      );
      return this.answerFault(exchange, record, fault);
    }
  }

  private schemasFor(contract: ExchangeNamespaces): SchemaSet {
    if (contract.version === '1.1') return this.parts.schemas;
    if (!this.parts.schemasOf) {
      throw new GatewayFault('SMEVFailure', `message exchange ${contract.version} is not configured`);
    }
    return this.parts.schemasOf(contract);
  }

  private async sign({ doc, slots }: Answer): Promise<string> {
    const { signer } = this.parts;
    if (!signer || slots.length === 0) return serializeXml(doc);
    return signer.signAnswer(doc, slots);
  }

  private async answerFault(
    exchange: Exchange,
    record: ExchangeRecorder,
    error: unknown,
  ): Promise<ExchangeResult> {
    const caught = isGatewayFault(error)
      ? error
      : new GatewayFault('SMEVFailure', 'internal error while processing the message', { cause: error });
    const { declaresFault } = this.parts;
    const fault = declaresFault
      ? caught.declaredFor((element) => declaresFault(exchange.contract, record.operation, element))
      : caught;
    record.fault = fault;
    const logged = {
      fault: fault.qualifiedCode,
      reason: fault.message,
      sender: record.sender?.mnemonic,
      messageId: record.request?.messageId,
    };
    if (fault.kind.level === 'error') {
      exchange.log.error('exchange failed', { ...logged, stack: (error as Error).stack });
    } else {
      exchange.log[fault.kind.level]('exchange refused', logged);
    }
    // Faults are signed once the sender is verified: then the gateway can attribute the exchange, and an
    // unauthenticated flood cannot make the gateway spend a signature on each of its garbage requests.
    const status = faultHttpStatus(fault, record.version);
    const signer = record.sender ? this.parts.signer : undefined;
    const contract = exchange.contract;
    if (signer) {
      try {
        const slotted = writeFault(fault, record.version, { signatureSlot: true, contract });
        return this.result(record, status, await signer.signFault(slotted));
      } catch (error) {
        exchange.log.error('fault signing failed; answering unsigned', { error: (error as Error).message });
      }
    }
    return this.result(record, status, writeFault(fault, record.version, { contract }));
  }

  private result(record: ExchangeRecorder, status: number, body: string): ExchangeResult {
    return {
      status,
      contentType: `${record.version.mediaType}; charset=utf-8`,
      body,
      operation: record.operation,
      faultCode: record.fault?.qualifiedCode,
      notes: record,
    };
  }
}
