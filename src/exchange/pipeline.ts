/**
 * A request's way through the gateway (DESIGN section 2), one named step after another. Any step may throw a
 * GatewayFault; the fault becomes the answer (signed when the gateway can attribute it) and is logged like any
 * other exchange. An unexpected error is our fault: it is logged with its stack and answered as SMEVFailure.
 */
import { requireAttachmentSize } from './attachments.js';
import { GatewayFault, isGatewayFault } from '../core/faults.js';
import { faultHttpStatus, writeFault } from '../soap/fault-writer.js';
import { serializeXml } from '../xml/dom.js';
import type { XmlLimits } from '../xml/guard.js';
import type { SchemaSet } from '../xml/schemas.js';
import type { ExchangeNamespaces } from '../soap/namespaces.js';
import type { BodyPolicy } from '../messagelog/body-policy.js';
import type { RecordFields } from '../messagelog/record.js';
import { logRecordOf } from './log-record.js';
import { need, type Exchange } from './context.js';
import type {
  AnswerSigner,
  Delivery,
  FileAttachments,
  MessageQueue,
  RateQuota,
  ReplayGuard,
  Router,
  SignatureVerifier,
} from '../core/ports.js';
import { OPERATION_TABLE, type Answer } from './operation-table.js';
import { parse } from './steps/parse.js';
import { refuseReservedIds } from './reserved-ids.js';
import { receive } from './steps/receive.js';
import { validate } from './steps/validate.js';
import { verify } from './steps/verify.js';

export interface PipelineParts {
  readonly limits: XmlLimits & {
    readonly maxBodyBytes: number;
    readonly providerTimeoutMs: number;
    readonly maxAttachmentBytes?: number;
  };
  /** The 1.1 schema set (gateway.xsd). */
  readonly schemas: SchemaSet;
  /** The schema set of another contract version (its `schemaRoot`); absent: only 1.1 is validated. */
  readonly schemasOf?: (contract: ExchangeNamespaces) => SchemaSet;
  readonly verifier: SignatureVerifier;
  readonly replay: ReplayGuard;
  readonly router: Router;
  readonly delivery: Delivery;
  /** Absent: answers go unsigned (only for tests of the steps before it). */
  readonly signer: AnswerSigner | undefined;
  /** Absent: the message log is turned off. */
  readonly messageLog: ExchangeLog | undefined;
  /** Absent: the queued operations answer SMEVFailure. */
  readonly queue?: MessageQueue | undefined;
  /** The attachment store; absent: messages naming stored files are refused (SMEVFailure). */
  readonly files?: FileAttachments | undefined;
  /** Absent: no rate quota. */
  readonly quota?: RateQuota | undefined;
}

export interface ExchangeLog {
  record(fields: RecordFields): Promise<void>;
  readonly failClosed: boolean;
  readonly bodies: BodyPolicy;
}

export interface ExchangeResult {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly operation: string;
  readonly faultCode: string | undefined;
}

export class Pipeline {
  constructor(private readonly parts: PipelineParts) {}

  async run(exchange: Exchange): Promise<ExchangeResult> {
    const result = await this.process(exchange);
    // Step 9, log: the exchange is recorded before its answer leaves.
    const messageLog = this.parts.messageLog;
    if (!messageLog) return result;
    try {
      await messageLog.record(logRecordOf(exchange, result, messageLog.bodies));
      return result;
    } catch (error) {
      exchange.log.error('message log write failed', {
        error: (error as Error).message,
        failClosed: messageLog.failClosed,
      });
      if (!messageLog.failClosed) return result;
      return this.answerFault(
        exchange,
        new GatewayFault(
          'MessageLogFailure',
          'the exchange could not be recorded in the message log, so its answer is withheld',
          { cause: error },
        ),
      );
    }
  }

  private async process(exchange: Exchange): Promise<ExchangeResult> {
    const { parts } = this;
    try {
      const { action } = receive(exchange, parts.limits.maxBodyBytes);
      parse(exchange, parts.limits, action);
      refuseReservedIds(need(exchange.doc, 'document'));
      const entry = OPERATION_TABLE[need(exchange.envelope, 'envelope').operation.name];
      validate(exchange, this.schemasFor(exchange.contract));
      entry.read(exchange, parts);
      requireAttachmentSize(
        need(exchange.envelope, 'envelope').operationElement,
        parts.limits.maxAttachmentBytes,
        exchange.contract.basic,
      );
      await verify(exchange, parts.verifier);
      await parts.quota?.take(need(exchange.sender, 'sender').mnemonic, exchange.receivedAt);
      exchange.responseXml = this.sign(await entry.run(exchange, parts));
      return this.result(exchange, 200, exchange.responseXml);
    } catch (error) {
      return this.answerFault(exchange, error);
    }
  }

  private schemasFor(contract: ExchangeNamespaces): SchemaSet {
    if (contract.version === '1.1') return this.parts.schemas;
    if (!this.parts.schemasOf) {
      throw new GatewayFault('SMEVFailure', `message exchange ${contract.version} is not configured`);
    }
    return this.parts.schemasOf(contract);
  }

  private sign({ doc, slots }: Answer): string {
    const { signer } = this.parts;
    if (!signer || slots.length === 0) return serializeXml(doc);
    return signer.signAnswer(doc, slots);
  }

  private answerFault(exchange: Exchange, error: unknown): ExchangeResult {
    const fault = isGatewayFault(error)
      ? error
      : new GatewayFault('SMEVFailure', 'internal error while processing the message', { cause: error });
    exchange.fault = fault;
    const logged = {
      fault: fault.qualifiedCode,
      reason: fault.message,
      sender: exchange.sender?.mnemonic,
      messageId: exchange.request?.messageId,
    };
    if (fault.kind.level === 'error') {
      exchange.log.error('exchange failed', { ...logged, stack: (error as Error).stack });
    } else {
      exchange.log[fault.kind.level]('exchange refused', logged);
    }
    // Faults are signed once the sender is verified: then the gateway can attribute the exchange, and an
    // unauthenticated flood cannot make the gateway spend a signature on each of its garbage requests.
    const status = faultHttpStatus(fault, exchange.version);
    const signer = exchange.sender ? this.parts.signer : undefined;
    if (signer) {
      try {
        return this.result(
          exchange,
          status,
          signer.signFault(
            writeFault(fault, exchange.version, { signatureSlot: true, contract: exchange.contract }),
          ),
        );
      } catch (error) {
        exchange.log.error('fault signing failed; answering unsigned', { error: (error as Error).message });
      }
    }
    return this.result(
      exchange,
      status,
      writeFault(fault, exchange.version, { contract: exchange.contract }),
    );
  }

  private result(exchange: Exchange, status: number, body: string): ExchangeResult {
    return {
      status,
      contentType: `${exchange.version.mediaType}; charset=utf-8`,
      body,
      operation: exchange.envelope?.operation.name ?? 'unknown',
      faultCode: exchange.fault?.qualifiedCode,
    };
  }
}
