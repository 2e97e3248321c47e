/**
 * The pipeline runs each operation's named steps in their order, and a refused exchange stops at the step that
 * refused it: read from the exchange's own notes, through the gateway's assembled pipeline.
 */
import { expect } from 'chai';
import {
  ackXml,
  getStatusXml,
  queueStatisticsXml,
  readHandedOut,
  sendResponseXml,
  takeXml,
} from '../../src/client/queued.js';
import { newExchange } from '../../src/exchange/context.js';
import type { ExchangeResult } from '../../src/exchange/pipeline.js';
import { SOAP11 } from '../../src/soap/version.js';
import { sendRequestXml } from '../../src/client/queued.js';
import { signedCall, sampleKey, useGateway } from '../support/gateway.js';
import {
  addQueueRoute,
  ANSWER_PAYLOAD,
  CONSUMER,
  PROVIDER,
  QUESTION,
  QUESTION_PAYLOAD,
} from '../queue/support.js';

const COMMON = ['receive', 'parse', 'validate', 'read', 'verify', 'quota'];

describe('Pipeline: the named steps of each operation, in order', function () {
  this.timeout(30_000);
  const gateway = useGateway();
  let skew = 0;
  before(() => addQueueRoute(gateway));

  const run = (xml: string, action: string): Promise<ExchangeResult> =>
    gateway.pipeline.run(
      newExchange(
        'steps',
        {
          body: Buffer.from(xml),
          contentType: 'text/xml; charset=utf-8',
          soapAction: action,
          tooLarge: false,
        },
        gateway.log,
      ),
    );
  const expectSteps = (result: ExchangeResult, steps: string[]) => {
    expect(result.faultCode, result.body).to.equal(undefined);
    expect(result.notes.steps).to.deep.equal(steps);
  };
  /** Signed take requests must differ: each is accepted once. */
  const at = () => new Date(Date.now() - 1000 + skew++);

  it('Call: verify, deduplicate, route, deliver, answer, sign', async () => {
    const result = await run(signedCall().xml, 'urn:Call');
    expectSteps(result, [...COMMON, 'deduplicate', 'route', 'deliver', 'answer', 'sign']);
  });

  it('the queued operations, each with its own steps', async () => {
    const consumer = sampleKey(CONSUMER);
    const provider = sampleKey(PROVIDER);
    const sent = sendRequestXml(SOAP11, consumer, { payload: QUESTION_PAYLOAD });
    expectSteps(await run(sent.xml, 'urn:SendRequest'), [
      ...COMMON,
      'deduplicate',
      'route',
      'check files',
      'queue',
      'answer',
      'sign',
    ]);
    const taken = await run(takeXml(SOAP11, provider, 'GetRequest', QUESTION, at()), 'urn:GetRequest');
    expectSteps(taken, [...COMMON, 'deduplicate', 'take', 'grant files', 'answer', 'sign']);
    const handedOut = readHandedOut(taken.body);
    expect(handedOut?.messageId).to.equal(sent.messageId);
    expectSteps(await run(ackXml(SOAP11, provider, sent.messageId), 'urn:Ack'), [
      ...COMMON,
      'acknowledge',
      'answer',
      'sign',
    ]);
    const answer = sendResponseXml(SOAP11, provider, handedOut?.replyTo ?? '', {
      kind: 'answer',
      payload: ANSWER_PAYLOAD,
    });
    expectSteps(await run(answer.xml, 'urn:SendResponse'), [
      ...COMMON,
      'route',
      'deduplicate',
      'check files',
      'queue',
      'answer',
      'sign',
    ]);
    expectSteps(await run(queueStatisticsXml(SOAP11, consumer, at()), 'urn:GetIncomingQueueStatistics'), [
      ...COMMON,
      'deduplicate',
      'take',
      'answer',
      'sign',
    ]);
    expectSteps(await run(getStatusXml(SOAP11, consumer, at()), 'urn:GetStatus'), [
      ...COMMON,
      'deduplicate',
      'take',
      'answer',
      'sign',
    ]);
    expectSteps(await run(takeXml(SOAP11, consumer, 'GetResponse', undefined, at()), 'urn:GetResponse'), [
      ...COMMON,
      'deduplicate',
      'take',
      'grant files',
      'answer',
      'sign',
    ]);
  });

  it('a refused exchange stops at the step that refused it', async () => {
    const garbage = await run('<not-soap', 'urn:Call');
    expect(garbage.faultCode).to.match(/MalformedXml|PoorSOAPEnvelopeFormat/);
    expect(garbage.notes.steps).to.deep.equal(['receive', 'parse']);

    const { xml } = signedCall();
    const tampered = await run(xml.replace('>hello<', '>hullo<'), 'urn:Call');
    expect(tampered.faultCode).to.contain('SignatureVerificationFault');
    expect(tampered.notes.steps.at(-1)).to.equal('verify');
    expect(tampered.notes.sender).to.equal(undefined);

    const once = signedCall();
    expect((await run(once.xml, 'urn:Call')).faultCode).to.equal(undefined);
    const replayed = await run(once.xml, 'urn:Call');
    expect(replayed.faultCode).to.contain('MessageIsAlreadySent');
    expect(replayed.notes.steps.at(-1)).to.equal('deduplicate');
  });
});
