/**
 * A request's way through the gateway (DESIGN section 2), one named step after another. Any step may throw a
 * GatewayFault; the fault becomes the answer (signed when the gateway can attribute it) and is logged like any
 * other exchange. An unexpected error is our fault: it is logged with its stack and answered as SMEVFailure.
 */
import { requireAttachmentSize } from './attachments.js';
import { GatewayFault, isGatewayFault } from '../core/faults.js';
import { faultHttpStatus, writeFault } from '../soap/fault-writer.js';
import { serializeXml } from '../xml/dom.js';
import type { SchemaSet } from '../xml/schemas.js';
import type { ExchangeNamespaces } from '../soap/namespaces.js';
import { logRecordOf } from './log-record.js';
import { need, type Exchange } from './context.js';
import { OPERATION_TABLE } from './operation-table.js';
import type { Answer, ExchangeResult, PipelineParts } from './parts.js';
import { parse } from './steps/parse.js';
import { refuseReservedIds } from './reserved-ids.js';
import { receive } from './steps/receive.js';
import { validate } from './steps/validate.js';
import { verify } from './steps/verify.js';

export type { Answer, ExchangeLog, ExchangeResult, PipelineParts } from './parts.js';

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
