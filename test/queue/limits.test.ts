import { expect } from 'chai';
import { getStatusXml } from '../../src/client/queued.js';
import { SOAP11 } from '../../src/soap/version.js';
import { childElements } from '../../src/xml/dom.js';
import { readFault } from '../foundation/helpers.js';
import { sampleKey, startTestGateway, type TestGateway, useGateway } from '../support/gateway.js';
import { dropSchema, freshSchema, STORES, testStores } from '../support/store.js';
import { addQueueRoute, CONSUMER, PROVIDER, QUESTION, QueueClient } from './support.js';
import { v1 as uuidv1 } from 'uuid';
import type { GatewayFault } from '../../src/core/faults.js';
import { StoreQueue } from '../../src/queue/store-queue.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Queue: visibility timeout, lifetime and quotas', function () {
  this.timeout(30_000);

  describe('visibility timeout and expiry', () => {
    let consumer: QueueClient;
    let provider: QueueClient;
    const gateway = useGateway({
      overrides: {
        'queue.visibilityTimeoutSeconds': 0.4,
        'queue.lifetimeSeconds': 1.5,
        'queue.expirySweepSeconds': 0.2,
      },
    });
    before(async () => {
      await addQueueRoute(gateway);
      consumer = new QueueClient(gateway.endpoint, CONSUMER);
      provider = new QueueClient(gateway.endpoint, PROVIDER);
    });

    it('hands a message not acknowledged in time out again, and never after its Ack', async () => {
      const sent = await consumer.sendRequest();
      expect((await provider.take('GetRequest'))?.messageId).to.equal(sent.messageId);
      expect(await provider.take('GetRequest'), 'invisible while handed out').to.equal(undefined);
      await sleep(500);
      expect((await provider.take('GetRequest'))?.messageId, 'handed out again').to.equal(sent.messageId);
      expect((await provider.ack(sent.messageId)).status).to.equal(200);
      await sleep(500);
      expect(await provider.take('GetRequest')).to.equal(undefined);
    });

    it('takes an expired message out of the queue and tells its consumer', async () => {
      await consumer.statuses();
      const sent = await consumer.sendRequest();
      await sleep(1900);
      expect(await provider.take('GetRequest')).to.equal(undefined);
      const statuses = await consumer.statuses();
      expect(statuses).to.include(`${sent.messageId} requestIsQueued`);
      expect(statuses).to.include(`${sent.messageId} cancelled`);
      const late = await provider.ack(sent.messageId);
      expect(late.body).to.contain('TargetMessageIsNotFound');
    });

    it('leaves a completed exchange complete when its lifetime passes; an acknowledged request never answered ends cancelled', async () => {
      await consumer.statuses();
      const answered = await consumer.sendRequest();
      const taken = await provider.take('GetRequest');
      expect(taken?.messageId).to.equal(answered.messageId);
      expect((await provider.ack(answered.messageId)).status).to.equal(200);
      expect((await provider.sendResponse(taken?.replyTo ?? '')).status).to.equal(200);
      const answer = await consumer.take('GetResponse');
      expect(answer?.originalMessageId).to.equal(answered.messageId);
      expect((await consumer.ack(answer?.messageId ?? '')).status).to.equal(200);
      const unanswered = await consumer.sendRequest();
      expect((await provider.take('GetRequest'))?.messageId).to.equal(unanswered.messageId);
      expect((await provider.ack(unanswered.messageId)).status).to.equal(200);
      await sleep(1900);
      const statuses = await consumer.statuses();
      expect(statuses).to.not.include(`${answered.messageId} cancelled`);
      expect(statuses).to.include(`${unanswered.messageId} cancelled`);
    });

    it('ends a request at its own EOL when that is earlier than the lifetime', async () => {
      const sent = await consumer.sendRequest(undefined, { endOfLife: new Date(Date.now() + 300) });
      expect(sent.status, sent.body).to.equal(200);
      await sleep(400);
      expect(await provider.take('GetRequest')).to.equal(undefined);
    });
  });

  describe('quotas', () => {
    const gateway = useGateway({
      overrides: { 'queue.maxDepth': 2, 'queue.ratePerSecond': 0.5, 'queue.rateBurst': 4 },
    });
    before(async () => {
      await addQueueRoute(gateway);
    });

    it("refuses a request beyond the recipient queue depth with DestinationOverflow naming the recipient's queue", async () => {
      const consumer = new QueueClient(gateway.endpoint, CONSUMER);
      expect((await consumer.sendRequest()).status).to.equal(200);
      expect((await consumer.sendRequest()).status).to.equal(200);
      const third = await consumer.sendRequest();
      const fault = readFault(third.body);
      expect([fault.element, fault.code]).to.deep.equal(['DestinationOverflow', 'DestinationOverflow']);
      const fields = childElements(fault.detail).map((e) => [e.localName, e.textContent]);
      expect(fields.slice(2)).to.deep.equal([
        ['MessageBrokerAddress', 'smev-gateway'],
        ['DestinationName', PROVIDER],
      ]);
    });

    it('refuses a sending system beyond its rate, other systems unaffected', async () => {
      const consumer = new QueueClient(gateway.endpoint, CONSUMER);
      // Three requests above were this system's; one more token is left, then none.
      await consumer.status();
      const refused = await consumer.status().catch((error: Error) => error.message);
      expect(String(refused)).to.contain('QuoteLimitExceeded');
      const other = new QueueClient(gateway.endpoint, PROVIDER);
      // take() itself asserts an ordinary 200 answer.
      await other.take('GetRequest');
    });
  });

  describe('rate quota shared by two instances on one PostgreSQL', () => {
    const schema = freshSchema('test_rate');
    const gateways: TestGateway[] = [];
    before(async () => {
      const overrides = { 'queue.ratePerSecond': 0.01, 'queue.rateBurst': 6 };
      // One after the other (the first migrates the schema the second joins), each with its own log chain.
      for (const instanceId of ['rate-a', 'rate-b']) {
        const own = { ...overrides, 'messageLog.instanceId': instanceId };
        gateways.push(await startTestGateway({ store: 'postgres', schema, overrides: own }));
      }
    });
    after(async () => {
      for (const gateway of gateways) await gateway.stop();
      await dropSchema(schema);
    });

    it('lets a system through at its rate across both instances, not at twice the rate', async () => {
      // Distinct timestamps: a signed take request is accepted once, and RSA signatures of equal text are equal.
      const base = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 14 }, (_, i) =>
          new QueueClient((gateways[i % 2] as TestGateway).endpoint, CONSUMER).post(
            getStatusXml(SOAP11, sampleKey(CONSUMER), new Date(base - i * 1000)),
            'urn:GetStatus',
          ),
        ),
      );
      const accepted = answers.filter((answer) => answer.status === 200).length;
      const refused = answers.filter((answer) => answer.body.includes('QuoteLimitExceeded')).length;
      const other = answers
        .filter((a) => a.status !== 200 && !a.body.includes('QuoteLimitExceeded'))
        .map((a) => a.body.slice(0, 600));
      expect(other).to.deep.equal([]);
      expect({ accepted, refused }).to.deep.equal({ accepted: 6, refused: 8 });
    });
  });
});

for (const kind of STORES) {
  describe(`Queue: the recipient's depth holds for requests queued at once by two instances (${kind})`, function () {
    this.timeout(60_000);
    const stores = testStores(kind, 'queue-depth');
    after(() => stores.cleanup());

    it('of 40 requests queued at once against a depth of 10, exactly 10 are queued, the rest refused', async () => {
      const options = stores.fresh();
      const one = await stores.open(options);
      // On SQLite the instances are processes of their own, each with its connection (one process holding two would
      // wait on itself for the write lock); in one process the requests still interleave between their statements.
      const two = kind === 'postgres' ? await stores.open(options) : one;
      try {
        const settings = {
          visibilityTimeoutMs: 60_000,
          lifetimeMs: 3_600_000,
          maxDepth: 10,
          statusNotices: false,
          retainMs: 60_000,
        };
        const queues = [new StoreQueue(one, settings), new StoreQueue(two, settings)];
        const request = (i: number) => ({
          messageId: uuidv1(),
          sender: CONSUMER,
          recipient: PROVIDER,
          provider: 'queue',
          messageType: QUESTION,
          replyTo: `reply-${i}`,
          body: '<q/>',
          expiresAt: Date.now() + 3_600_000,
        });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 40 }, (_, i) =>
            (queues[i % 2] as StoreQueue).enqueueRequest(request(i), new Date()),
          ),
        );
        const refusals = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as GatewayFault] : []));
        expect(outcomes.length - refusals.length).to.equal(10);
        expect(new Set(refusals.map((fault) => fault.code))).to.deep.equal(new Set(['DestinationOverflow']));
        expect(refusals[0]?.message).to.contain(`the queue of ${PROVIDER} holds 10 requests, its limit`);
      } finally {
        await one.close();
        if (two !== one) await two.close();
      }
    });
  });
}
