/**
 * The hosted-provider worker is at least once, visibly: when the answer cannot be queued after the provider
 * answered (here: the store write fails, as if the instance died right then), the request comes back after the
 * visibility timeout and the provider is called again with the same MessageID and a higher attempt number.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import winston from 'winston';
import { sendRequestXml } from '../../src/client/queued.js';
import type { Delivery, MessageQueue, ProviderCall, Router } from '../../src/core/ports.js';
import { v1 as uuidv1 } from 'uuid';
import { HostedWorker } from '../../src/exchange/hosted-worker.js';
import { ProviderDelivery } from '../../src/providers/delivery.js';
import { defineService } from '../../src/providers/service.js';
import { queuedElement } from '../../src/smev/queued-answers.js';
import { readSenderRequest } from '../../src/smev/request.js';
import { createLogger } from '../../src/logging/logger.js';
import { StoreQueue } from '../../src/queue/store-queue.js';
import { GatewaySigner } from '../../src/signature/signer.js';
import { NS } from '../../src/soap/namespaces.js';
import { SOAP11 } from '../../src/soap/version.js';
import { openStore } from '../../src/store/store.js';
import { parseDom, type Element } from '../../src/xml/dom.js';
import { sampleKey } from '../support/gateway.js';
import { useStore } from '../support/store.js';
import { QUESTION, QUESTION_PAYLOAD } from './support.js';

/** The queue of both tests: a request taken and not acknowledged is handed out again after 200 ms. */
const QUEUE_SETTINGS = {
  visibilityTimeoutMs: 200,
  lifetimeMs: 60_000,
  maxDepth: 0,
  statusNotices: false,
  retainMs: 60_000,
};

/** A signed SendRequest of DEMO_CONSUMER queued for the hosted `questions` service, as SendRequest queues it. */
async function queueQuestion(queue: StoreQueue): Promise<string> {
  const { xml, messageId } = sendRequestXml(SOAP11, sampleKey('DEMO_CONSUMER'), {
    payload: QUESTION_PAYLOAD,
  });
  const operation = parseDom(xml).getElementsByTagNameNS(NS.types, 'SendRequestRequest').item(0) as Element;
  const request = readSenderRequest(operation);
  const party = (mnemonic: string) => ({ mnemonic, humanReadableName: mnemonic });
  const meta = {
    messageId,
    type: 'REQUEST' as const,
    sender: party('DEMO_CONSUMER'),
    recipient: party('SMEV_GATEWAY'),
    sentAt: new Date(),
    destination: 'SMEV_GATEWAY',
  };
  await queue.enqueueRequest(
    {
      messageId,
      sender: 'DEMO_CONSUMER',
      recipient: 'SMEV_GATEWAY',
      provider: 'builtin:questions',
      messageType: QUESTION,
      replyTo: 'reply-token',
      body: queuedElement('Request', request.signedBlock, request.callerSignature, meta, {
        replyTo: 'reply-token',
      }),
      expiresAt: Date.now() + 60_000,
    },
    new Date(),
  );
  return messageId;
}

describe('Hosted worker: a crash between the provider call and queueing the answer', () => {
  const store = useStore('sqlite', { prefix: 'gateway-worker' });

  it('retries with the same MessageID, and the answer is queued once', async () => {
    const queue = new StoreQueue(store, QUEUE_SETTINGS);
    const messageId = await queueQuestion(queue);

    const calls: Array<{ messageId: string; attempt: number | undefined }> = [];
    const delivery: Delivery = {
      knows: () => true,
      deliver: async (call: ProviderCall) => {
        calls.push({ messageId: call.request.messageId, attempt: call.attempt });
        return {
          kind: 'answer',
          body: '<q:Answer xmlns:q="urn://example.org/queue-test/1.0"><q:Text>fine</q:Text></q:Answer>',
        };
      },
    };
    let crashes = 1;
    const crashingQueue: MessageQueue = Object.assign(Object.create(queue) as MessageQueue, {
      enqueueAnswer: async (...args: Parameters<MessageQueue['enqueueAnswer']>) => {
        if (crashes-- > 0) throw new Error('the instance died here');
        return queue.enqueueAnswer(...args);
      },
    });
    const router: Router = {
      route: async () => Promise.reject(new Error('unused')),
      system: () => undefined,
    };
    const gatewayKey = sampleKey('gateway');
    const worker = new HostedWorker(
      crashingQueue,
      delivery,
      router,
      new GatewaySigner(gatewayKey),
      createLogger('error', { silent: true }),
      {
        concurrency: 1,
        pollMs: 10,
        idleMs: 100,
        providerTimeoutMs: 1000,
        maxAttempts: 5,
      },
    );

    let failure: unknown;
    await worker.runOnce().catch((error: unknown) => (failure = error));
    expect(String(failure)).to.contain('the instance died here');
    expect(await worker.runOnce(), 'invisible until the visibility timeout').to.equal(false);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await worker.runOnce()).to.equal(true);
    expect(calls).to.deep.equal([
      { messageId, attempt: 0 },
      { messageId, attempt: 1 },
    ]);
    const answer = await queue.take('DEMO_CONSUMER', 'response', undefined, new Date());
    expect(answer?.requestId).to.equal(messageId);
    expect(answer?.body).to.contain('reply-token');
    expect(await queue.take('DEMO_CONSUMER', 'response', undefined, new Date())).to.equal(undefined);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await worker.runOnce(), 'the answered request is closed').to.equal(false);
  });
});

describe("Hosted worker: a provider answer carrying the gateway's own markup", () => {
  const store = useStore('sqlite', { prefix: 'gateway-worker-markup' });

  it('queues a FAILURE rejection naming it, never the answer, and logs the failure', async () => {
    const queue = new StoreQueue(store, QUEUE_SETTINGS);
    const messageId = await queueQuestion(queue);
    // A provider module whose codec writes a second Response of the gateway's into its answer.
    const fake = `<ns2:Response xmlns:ns2="${NS.types}"><ns2:OriginalMessageId>evil</ns2:OriginalMessageId></ns2:Response>`;
    const questions = defineService({
      codec: {
        namespace: QUESTION.namespace,
        requests: [QUESTION.localName],
        decode: () => ({}),
        encode: () => fake,
      },
      createProvider: () => ({ handle: async () => ({ kind: 'answer', body: {} }) }),
    });
    const delivery = new ProviderDelivery([
      { name: 'questions', codec: questions.codec, provider: questions.createProvider({} as never) },
    ]);
    const logged: string[] = [];
    const log = winston.createLogger({
      level: 'warn',
      transports: [
        new winston.transports.Stream({
          stream: new Writable({
            write: (chunk: Buffer, _encoding, done) => {
              logged.push(chunk.toString());
              done();
            },
          }),
        }),
      ],
    });
    const worker = new HostedWorker(
      queue,
      delivery,
      { route: async () => Promise.reject(new Error('unused')), system: () => undefined },
      new GatewaySigner(sampleKey('gateway')),
      log,
      { concurrency: 1, pollMs: 10, idleMs: 100, providerTimeoutMs: 1000, maxAttempts: 1 },
    );
    expect(await worker.runOnce()).to.equal(true);
    const answer = await queue.take('DEMO_CONSUMER', 'response', undefined, new Date());
    expect(answer?.requestId).to.equal(messageId);
    expect(answer?.body).to.contain('FAILURE');
    expect(answer?.body).to.contain(`the answer carries the element {${NS.types}}Response`);
    expect(answer?.body).to.not.contain('evil');
    expect(logged.join('')).to.contain('the consumer gets a FAILURE rejection');
    expect(logged.join('')).to.contain('provider builtin:questions failed: the answer carries');
  });
});

describe('Hosted worker: idle without polling', () => {
  /** A queue that is always empty and counts how often the worker looked. */
  function countingQueue() {
    const queue = { looks: 0 };
    const takeHosted = async () => {
      queue.looks++;
      return undefined;
    };
    return { queue, port: { takeHosted } as unknown as MessageQueue };
  }
  const idleWorker = (port: MessageQueue, pollMs: number, idleMs: number) =>
    new HostedWorker(
      port,
      { knows: () => true, deliver: async () => ({ kind: 'answer', body: '<a/>' }) },
      { route: async () => Promise.reject(new Error('unused')), system: () => undefined },
      new GatewaySigner(sampleKey('gateway')),
      createLogger('error', { silent: true }),
      { concurrency: 1, pollMs, idleMs, providerTimeoutMs: 1000, maxAttempts: 5 },
    );

  it('looks less and less often while there is no work', async () => {
    const { queue, port } = countingQueue();
    const worker = idleWorker(port, 10, 80);
    worker.start();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await worker.stop();
    // A fixed 10 ms poll would have looked about a hundred times; doubling up to 80 ms looks about fifteen.
    expect(queue.looks).to.be.within(3, 30);
  });

  it('looks at once when woken, without waiting out its idle time', async () => {
    const { queue, port } = countingQueue();
    const worker = idleWorker(port, 60_000, 60_000);
    worker.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(queue.looks, 'the first look found nothing; the next is a minute away').to.equal(1);
    worker.wake();
    for (let i = 0; i < 100 && queue.looks < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(queue.looks).to.equal(2);
    await worker.stop();
  });

  it('is woken by the queue when a request for a hosted provider is queued, not for a queue route', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smev-gateway-worker-'));
    const store = await openStore({ sqliteFile: join(dir, 'gateway.db') });
    try {
      const queue = new StoreQueue(store, QUEUE_SETTINGS);
      const woken: string[] = [];
      queue.onHostedRequest = () => woken.push('woken');
      const request = (provider: string) => ({
        messageId: uuidv1(),
        sender: 'DEMO_CONSUMER',
        recipient: 'SOCPROTECT_47',
        provider,
        messageType: QUESTION,
        replyTo: uuidv1(),
        body: '<q/>',
        expiresAt: Date.now() + 60_000,
      });
      await queue.enqueueRequest(request('queue'), new Date());
      expect(woken).to.deep.equal([]);
      await queue.enqueueRequest(request('builtin:questions'), new Date());
      expect(woken).to.deep.equal(['woken']);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
