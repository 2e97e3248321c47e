/**
 * Step 7 of SendRequest for routes whose provider the gateway hosts (`builtin:` or `remote:`): each instance
 * runs this worker, which takes queued requests like any other taker (so several instances never take the same
 * one at once), calls the provider through Delivery with the request's MessageID as its idempotency key, and
 * then, in one transaction, queues the signed answer for the consumer and closes the request.
 *
 * At least once, visibly: if the instance dies after the provider answered and before the answer was queued,
 * the request becomes visible again after the visibility timeout and is delivered again with the same MessageID
 * (and a higher attempt number), which the provider recognises as a retry.
 */
import { newMessageId } from '../core/message-id.js';
import type { Logger } from '../logging/logger.js';
import { isGatewayFault } from '../core/faults.js';
import { parseRouteProvider } from '../core/route-provider.js';
import { contractVersion, EXCHANGE_1_1 } from '../soap/namespaces.js';
import { childElements, childText, parseDom, serializeNode, type Element } from '../xml/dom.js';
import type { AnswerSigner, Delivery, MessageQueue, Router, TakenMessage } from '../core/ports.js';
import { writeHostedResponse } from '../smev/queued-answers.js';
import { readSenderRequest } from '../smev/request.js';

export interface HostedWorkerOptions {
  readonly concurrency: number;
  readonly pollMs: number;
  /** The longest wait of an idle worker: each empty look doubles the wait from `pollMs` up to this. */
  readonly idleMs: number;
  readonly providerTimeoutMs: number;
  /** After this many failed deliveries the consumer gets a FAILURE rejection instead of another retry. */
  readonly maxAttempts: number;
}

export class HostedWorker {
  private running = false;
  private readonly loops: Promise<void>[] = [];
  /** The idle loops' timers and how to end their wait early. */
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  constructor(
    private readonly queue: MessageQueue,
    private readonly delivery: Delivery,
    private readonly router: Router,
    private readonly signer: AnswerSigner,
    private readonly log: Logger,
    private readonly options: HostedWorkerOptions,
  ) {}

  start(): void {
    this.running = true;
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await Promise.all(this.loops);
  }

  /** A hosted request was queued: idle loops look at once, instead of at the end of their wait. */
  wake(): void {
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.sleepers.clear();
  }

  private async loop(): Promise<void> {
    let idle = this.options.pollMs;
    while (this.running) {
      let worked = false;
      try {
        worked = await this.runOnce();
      } catch (error) {
        this.log.error('hosted worker failed', { error: (error as Error).message });
      }
      if (worked) {
        idle = this.options.pollMs;
        continue;
      }
      // Idle: no statement per poll every few milliseconds, only ever fewer looks until there is work.
      const woken = await this.sleep(idle);
      idle = woken ? this.options.pollMs : Math.min(idle * 2, this.options.idleMs);
    }
  }

  /** Wait `ms`, or less when woken; true when woken. */
  private sleep(ms: number): Promise<boolean> {
    if (!this.running) return Promise.resolve(true);
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve(false);
        }, ms),
        wake: () => resolve(true),
      };
      this.sleepers.add(sleeper);
    });
  }

  /** Take and serve one hosted request; false when there was none. */
  async runOnce(now = new Date()): Promise<boolean> {
    const taken = await this.queue.takeHosted(now);
    if (!taken) return false;
    await this.serve(taken);
    return true;
  }

  private async serve(taken: TakenMessage): Promise<void> {
    const element = parseDom(taken.body).documentElement as Element;
    // The answer is written in the contract version the request was sent in, as the consumer takes it.
    const contract = contractVersion(taken.contractVersion) ?? EXCHANGE_1_1;
    const request = readSenderRequest(element, contract);
    const replyTo = childText(element, contract.types, 'ReplyTo') ?? '';
    const consumer = this.router.system(taken.sender) ?? {
      mnemonic: taken.sender,
      humanReadableName: taken.sender,
    };
    const provider = this.router.system(taken.recipient) ?? {
      mnemonic: taken.recipient,
      humanReadableName: taken.recipient,
    };
    let outcome;
    try {
      const route = parseRouteProvider(taken.provider);
      if (!route) throw new Error(`the queued provider ${taken.provider} names no provider`);
      outcome = await this.delivery.deliver({
        route: { recipient: provider, provider: route },
        request,
        sender: { ...consumer, certificateThumbprint: undefined },
        deadline: AbortSignal.timeout(this.options.providerTimeoutMs),
        attempt: taken.deliveries,
      });
    } catch (error) {
      const reason = isGatewayFault(error) ? error.message : (error as Error).message;
      if (taken.deliveries + 1 < this.options.maxAttempts) {
        // Left as it is: the visibility timeout hands it out again.
        this.log.warn('hosted provider failed; the request will be retried', {
          messageId: taken.messageId,
          attempt: taken.deliveries,
          reason,
        });
        return;
      }
      this.log.warn('hosted provider failed; the consumer gets a FAILURE rejection', {
        messageId: taken.messageId,
        attempt: taken.deliveries,
        reason,
      });
      outcome = {
        kind: 'rejected' as const,
        code: 'FAILURE' as const,
        description: `the provider failed: ${reason}`,
      };
    }
    const answerId = newMessageId();
    const now = new Date();
    const { doc, slots } = writeHostedResponse(
      outcome,
      answerId,
      {
        messageId: request.messageId,
        referenceMessageId: request.referenceMessageId,
        replyTo,
        transactionCode: request.transactionCode,
      },
      {
        messageId: answerId,
        type: 'RESPONSE',
        sender: provider,
        recipient: consumer,
        sentAt: now,
        destination: consumer.mnemonic,
      },
      contract,
    );
    const signed = parseDom(await this.signer.signAnswer(doc, slots));
    const response = childElements(signed.documentElement as Element)[0] as Element;
    const body = serializeNode(response);
    await this.queue.enqueueAnswer(
      {
        messageId: answerId,
        request: {
          messageId: request.messageId,
          messageType: request.messageType,
          sender: taken.sender,
          recipient: taken.recipient,
          provider: taken.provider,
          state: 'delivered',
          expiresAt: Number.MAX_SAFE_INTEGER,
          transactionCode: request.transactionCode,
          referenceMessageId: request.referenceMessageId,
          contractVersion: contract.version,
        },
        messageType:
          outcome.kind === 'answer'
            ? (() => {
                const root = parseDom(outcome.body).documentElement;
                return { namespace: root?.namespaceURI ?? '', localName: root?.localName ?? '' };
              })()
            : request.messageType,
        body,
        final: true,
      },
      now,
    );
  }
}
