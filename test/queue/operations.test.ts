import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { v1 as uuidv1 } from 'uuid';
import { buildCallRequest, signCallRequest } from '../../src/client/request.js';
import { SchemaSet } from '../../src/xml/schemas.js';
import { messageSignatureProblems } from '../../src/messagelog/message-signatures.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import {
  queueStatisticsXml,
  readHandedOut,
  readQueueStatistics,
  sendRequestXml,
  sendResponseXml,
  takeXml,
  ackXml,
  type Attachment,
} from '../../src/client/queued.js';
import { postSoap } from '../../src/client/send.js';
import { SOAP11, SOAP12 } from '../../src/soap/version.js';
import { NS } from '../../src/soap/namespaces.js';
import { signDetached } from '../../src/signature/xml-signature.js';
import { parseDom, serializeXml, type Element } from '../../src/xml/dom.js';
import { readFault } from '../foundation/helpers.js';
import { records as storedRecords } from '../messagelog/support.js';
import { PING_PAYLOAD, sampleKey, useGateway } from '../support/gateway.js';
import { STORES } from '../support/store.js';
import {
  addQueueRoute,
  ANSWER_PAYLOAD,
  CONSUMER,
  faultOf,
  PROVIDER,
  QUESTION,
  QUESTION_PAYLOAD,
  QueueClient,
  expectBlockSigned,
  expectGatewaySigned,
} from './support.js';

/** Take and acknowledge until the queue is empty: earlier tests may leave messages behind. */
async function drain(client: QueueClient, operation: 'GetRequest' | 'GetResponse'): Promise<void> {
  for (let m = await client.take(operation); m; m = await client.take(operation)) {
    await client.ack(m.messageId);
  }
}

const schemas = SchemaSet.compile('xsd/gateway.xsd');
/** Take requests signed in one millisecond would be equal, and each is accepted once: their times differ. */
let skew = 0;

for (const store of STORES) {
  describe(`Queued operations through the endpoint (${store})`, function () {
    this.timeout(30_000);
    let consumer: QueueClient;
    let provider: QueueClient;
    const gateway = useGateway({
      store,
      // The queue-test messages' bodies are kept, so their logged signatures can be checked.
      overrides: { 'queue.workerPollMs': 20, 'messageLog.keepBodiesFor': [QUESTION.namespace] },
    });
    before(async () => {
      await addQueueRoute(gateway);
      consumer = new QueueClient(gateway.endpoint, CONSUMER);
      provider = new QueueClient(gateway.endpoint, PROVIDER);
    });

    it('carries a request to its provider and the answer back, each step signed and acknowledged', async () => {
      await consumer.statuses();
      const sent = await consumer.sendRequest();
      expect(sent.status, sent.body).to.equal(200);
      expect(sent.body).to.contain(`<ns2:MessageId>${sent.messageId}</ns2:MessageId>`);
      expect(sent.body).to.contain('<ns2:Status>requestIsQueued</ns2:Status>');
      expectGatewaySigned(gateway, sent.body);

      expect(await new QueueClient(gateway.endpoint, 'SOCCARD_28').take('GetRequest')).to.equal(undefined);
      const taken = await provider.take('GetRequest', QUESTION);
      expect(taken?.messageId).to.equal(sent.messageId);
      expect(taken?.payload?.localName).to.equal('Question');
      expect(taken?.replyTo).to.be.a('string');
      expect((await provider.ack(sent.messageId)).status).to.equal(200);

      const answered = await provider.sendResponse(taken?.replyTo ?? '');
      expect(answered.status, answered.body).to.equal(200);
      expect(answered.body).to.contain('responseIsAcceptedBySmev');

      const response = await consumer.take('GetResponse');
      expect(response?.messageId).to.equal(answered.messageId);
      expect(response?.originalMessageId).to.equal(sent.messageId);
      expect(response?.payload?.localName).to.equal('Answer');
      expect((await consumer.ack(answered.messageId)).status).to.equal(200);
      expect(await consumer.take('GetResponse')).to.equal(undefined);

      expect(await consumer.statuses()).to.deep.equal([
        `${sent.messageId} requestIsQueued`,
        `${sent.messageId} underProcessing`,
        `${sent.messageId} responseIsAcceptedBySmev`,
        `${sent.messageId} responseIsDelivered`,
        `${sent.messageId} responseIsDelivered`,
      ]);
    });

    it('queues the requests of two systems that carry one MessageID, and answers each its own', async () => {
      // MessageIDs are scoped to their senders: a second system's request with the same MessageID is its own.
      await addQueueRoute(gateway, 'PORTAL_26');
      const portal = new QueueClient(gateway.endpoint, 'PORTAL_26');
      await drain(provider, 'GetRequest');
      const messageId = uuidv1();
      const first = await consumer.sendRequest(QUESTION_PAYLOAD, { messageId });
      const second = await portal.sendRequest(QUESTION_PAYLOAD, { messageId });
      expect(first.status, first.body).to.equal(200);
      expect(second.status, second.body).to.equal(200);

      const takenFirst = await provider.take('GetRequest', QUESTION);
      expect((await provider.ack(messageId)).status).to.equal(200);
      const takenSecond = await provider.take('GetRequest', QUESTION);
      expect((await provider.ack(messageId)).status).to.equal(200);
      expect([takenFirst?.messageId, takenSecond?.messageId]).to.deep.equal([messageId, messageId]);
      expect(takenFirst?.replyTo).to.not.equal(takenSecond?.replyTo);
      expect(await provider.take('GetRequest', QUESTION)).to.equal(undefined);

      // Each answer closes its own request and reaches its own consumer.
      for (const taken of [takenFirst, takenSecond]) {
        const answered = await provider.sendResponse(taken?.replyTo ?? '');
        expect(answered.status, answered.body).to.equal(200);
      }
      for (const client of [consumer, portal]) {
        const response = await client.take('GetResponse');
        expect(response?.originalMessageId).to.equal(messageId);
        expect((await client.ack(response?.messageId ?? '')).status).to.equal(200);
        expect(await client.take('GetResponse')).to.equal(undefined);
      }
      // Each is still accepted only once by its own sender.
      expect((await portal.sendRequest(QUESTION_PAYLOAD, { messageId })).body).to.contain(
        'MessageIsAlreadySent',
      );
    });

    it('hands out signed messages: the gateway signs GetRequest and GetResponse answers', async () => {
      const sent = await consumer.sendRequest();
      const response = await provider.post(
        takeXml(SOAP11, sampleKey(PROVIDER), 'GetRequest'),
        'urn:GetRequest',
      );
      expect(response.body).to.contain(sent.messageId);
      expectGatewaySigned(gateway, response.body);
      // The consumer's own signature travels with the request.
      expect(response.body).to.contain('SenderInformationSystemSignature');
      await provider.ack(sent.messageId);
    });

    it("relays a carriage return the consumer wrote as &#13; as it was signed: the consumer's signature still holds", async () => {
      const payload =
        '<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>line 1&#13;\nline 2</q:Text></q:Question>';
      const sent = await consumer.sendRequest(payload);
      expect(sent.status, sent.body).to.equal(200);
      const response = await provider.post(
        takeXml(SOAP11, sampleKey(PROVIDER), 'GetRequest'),
        'urn:GetRequest',
      );
      expect(readHandedOut(response.body)?.payload?.textContent).to.equal('line 1\r\nline 2');
      expectBlockSigned(gateway, response.body, 'SIGNED_BY_CALLER', 'SenderInformationSystemSignature');
      expectGatewaySigned(gateway, response.body);
      await provider.ack(sent.messageId);
    });

    it('takes a SendResponse whose block is named SIGNED_BY_PROVIDER, as SMEV 3 clients name it', async () => {
      await drain(provider, 'GetRequest');
      const sent = await consumer.sendRequest();
      const taken = await provider.take('GetRequest', QUESTION);
      await provider.ack(sent.messageId);
      // The provider's own client writes its block under that Id; elsewhere in the message it is still refused.
      const named = (nested: boolean) => {
        const { xml, messageId } = sendResponseXml(SOAP11, sampleKey(PROVIDER), taken?.replyTo ?? '', {
          kind: 'answer',
          payload: nested
            ? ANSWER_PAYLOAD.replace('<q:Text>', '<q:Text Id="SIGNED_BY_PROVIDER">')
            : ANSWER_PAYLOAD,
        });
        const doc = parseDom(xml);
        const signature = doc.getElementsByTagNameNS(NS.ds, 'Signature').item(0) as Element;
        signature.parentNode?.removeChild(signature);
        const block = doc.getElementsByTagNameNS(NS.types, 'SenderProvidedResponseData').item(0) as Element;
        block.setAttribute('Id', nested ? 'SIGNED_BY_ANSWERER' : 'SIGNED_BY_PROVIDER');
        const id = block.getAttribute('Id') as string;
        return {
          xml: signDetached(serializeXml(doc), id, 'CallerInformationSystemSignature', sampleKey(PROVIDER)),
          messageId,
        };
      };
      const nested = named(true);
      const refused = await provider.post(nested.xml, 'urn:SendResponse');
      expect(faultOf(refused.body), refused.body).to.equal('soap:Client');
      expect(refused.body).to.contain('ReservedId');

      const answer = named(false);
      const accepted = await provider.post(answer.xml, 'urn:SendResponse');
      expect(accepted.status, accepted.body).to.equal(200);
      const response = await consumer.post(
        takeXml(SOAP11, sampleKey(CONSUMER), 'GetResponse'),
        'urn:GetResponse',
      );
      expect(readHandedOut(response.body)?.messageId).to.equal(answer.messageId);
      expectBlockSigned(gateway, response.body, 'SIGNED_BY_PROVIDER', 'SenderInformationSystemSignature');
      expectGatewaySigned(gateway, response.body);
      await consumer.ack(answer.messageId);
    });

    it('keeps the request open after an intermediate status, and closes it with the final answer', async () => {
      const sent = await consumer.sendRequest();
      const taken = await provider.take('GetRequest');
      const to = taken?.replyTo ?? '';
      const status = await provider.sendResponse(to, { kind: 'status', code: 1, description: 'working' });
      expect(status.status, status.body).to.equal(200);
      const rejected = await provider.sendResponse(to, {
        kind: 'rejected',
        code: 'NO_DATA',
        description: 'nothing known',
      });
      expect(rejected.status, rejected.body).to.equal(200);
      const first = await consumer.take('GetResponse');
      expect(first?.statusCode).to.equal('1');
      await consumer.ack(first?.messageId ?? '');
      const second = await consumer.take('GetResponse');
      expect(second?.rejected).to.equal('NO_DATA');
      await consumer.ack(second?.messageId ?? '');
      const again = await provider.sendResponse(to);
      expect(faultOf(again.body)).to.contain('Client');
      expect(again.body).to.contain('TargetMessageIsNotFound');
      // Closed: not handed out again even though the provider never acknowledged it.
      expect(await provider.take('GetRequest')).to.equal(undefined);
      expect(sent.status).to.equal(200);
    });

    it('answers SendResponse by another system AccessDenied, and to an unknown address TargetMessageIsNotFound, as codes of InvalidContent (which the WSDL declares for SendResponse)', async () => {
      await consumer.sendRequest();
      const taken = await provider.take('GetRequest');
      const stranger = await new QueueClient(gateway.endpoint, 'SOCCARD_28').sendResponse(
        taken?.replyTo ?? '',
      );
      expect(readFault(stranger.body)).to.deep.include({ element: 'InvalidContent', code: 'AccessDenied' });
      expect(stranger.body, "the request's MessageID is not told to a third system").to.not.contain(
        taken?.messageId ?? 'none',
      );
      const unknown = await provider.sendResponse('no-such-address');
      expect(readFault(unknown.body)).to.deep.include({
        element: 'InvalidContent',
        code: 'TargetMessageIsNotFound',
      });
      expect((await provider.sendResponse(taken?.replyTo ?? '')).status).to.equal(200);
      await provider.ack(taken?.messageId ?? '');
    });

    it('answers Ack of a message the caller does not hold TargetMessageIsNotFound', async () => {
      const sent = await consumer.sendRequest();
      const wrong = await consumer.ack(sent.messageId);
      expect(wrong.body).to.contain('TargetMessageIsNotFound');
      const taken = await provider.take('GetRequest');
      expect((await provider.ack(taken?.messageId ?? '')).status).to.equal(200);
      expect((await provider.ack(taken?.messageId ?? '')).status, 'a repeated Ack').to.equal(200);
    });

    it("acknowledges only what was handed out: an Ack replayed for another sender's message with the same MessageID leaves it queued", async () => {
      await drain(provider, 'GetRequest');
      await addQueueRoute(gateway, 'SOCCARD_28');
      const portal = new QueueClient(gateway.endpoint, 'SOCCARD_28');
      const sent = await consumer.sendRequest();
      const taken = await provider.take('GetRequest');
      expect(taken?.messageId).to.equal(sent.messageId);
      const ack = ackXml(SOAP11, sampleKey(PROVIDER), sent.messageId);
      expect((await provider.post(ack, 'urn:Ack')).status).to.equal(200);
      // MessageIDs are the sender's own: another sender may use the same one.
      const same = await portal.sendRequest(QUESTION_PAYLOAD, { messageId: sent.messageId });
      expect(same.status, same.body).to.equal(200);
      const early = await provider.ack(sent.messageId);
      expect((await provider.post(ack, 'urn:Ack')).status, 'the replayed Ack').to.equal(200);
      const next = await provider.take('GetRequest');
      expect(next?.messageId, "the second sender's request is still handed out").to.equal(sent.messageId);
      expect(next?.replyTo, 'a message of its own').to.not.equal(taken?.replyTo);
      expect(early.status, 'an Ack for the first, acknowledged already').to.equal(200);
      await provider.ack(next?.messageId ?? '');
    });

    it('answers Ack of a message still queued, never handed out, TargetMessageIsNotFound and keeps it', async () => {
      await drain(provider, 'GetRequest');
      const sent = await consumer.sendRequest();
      const early = await provider.ack(sent.messageId);
      expect(readFault(early.body)).to.deep.include({ code: 'TargetMessageIsNotFound' });
      const taken = await provider.take('GetRequest');
      expect(taken?.messageId).to.equal(sent.messageId);
      expect((await provider.ack(sent.messageId)).status).to.equal(200);
    });

    it('refuses a replayed signed GetRequest and one signed outside the clock window', async () => {
      const xml = takeXml(SOAP11, sampleKey(PROVIDER), 'GetRequest');
      expect((await provider.post(xml, 'urn:GetRequest')).status).to.equal(200);
      const replayed = await provider.post(xml, 'urn:GetRequest');
      expect(replayed.body).to.contain('MessageIsAlreadySent');
      const old = takeXml(
        SOAP11,
        sampleKey(PROVIDER),
        'GetRequest',
        undefined,
        new Date(Date.now() - 3600_000),
      );
      expect((await provider.post(old, 'urn:GetRequest')).body).to.contain('StaleMessageId');
    });

    it('refuses a GetRequest whose signed selector was changed', async () => {
      const xml = takeXml(SOAP11, sampleKey(PROVIDER), 'GetRequest', QUESTION).replace(
        'queue-test/1.0</',
        'queue-test/2.0</',
      );
      const response = await provider.post(xml, 'urn:GetRequest');
      expect(response.body).to.contain('SignatureVerificationFault');
    });

    it('refuses a selector naming half a message type (a blank NamespaceURI or RootElementLocalName) rather than take any type', async () => {
      await drain(provider, 'GetRequest');
      await consumer.sendRequest();
      for (const half of [
        { namespace: ' ', localName: QUESTION.localName },
        { namespace: QUESTION.namespace, localName: ' ' },
      ]) {
        const xml = takeXml(SOAP11, sampleKey(PROVIDER), 'GetRequest', half, new Date(Date.now() + ++skew));
        const response = await provider.post(xml, 'urn:GetRequest');
        expect(readFault(response.body), JSON.stringify(half)).to.deep.include({ code: 'InvalidContent' });
      }
      const taken = await provider.take('GetRequest', QUESTION);
      expect(taken, 'the message is still queued').to.not.equal(undefined);
      await provider.ack(taken?.messageId ?? '');
    });

    it('serves a hosted provider with the worker: the answer waits for the consumer', async () => {
      const sent = await consumer.sendRequest(PING_PAYLOAD);
      expect(sent.status, sent.body).to.equal(200);
      let answer;
      for (let i = 0; i < 100 && !answer; i++) {
        answer = await consumer.take('GetResponse', {
          namespace: 'urn://smev-gateway/services/ping/1.0',
          localName: 'PingResponse',
        });
        if (!answer) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(answer?.originalMessageId).to.equal(sent.messageId);
      expect(answer?.payload?.localName).to.equal('PingResponse');
      expect((await consumer.ack(answer?.messageId ?? '')).status).to.equal(200);
    });

    it('logs every queued exchange, and each logged signature verifies as an auditor checks it', async () => {
      const records = await storedRecords(gateway);
      const operations = new Set(records.map((r) => r.operation));
      for (const name of ['SendRequest', 'GetRequest', 'SendResponse', 'GetResponse', 'Ack', 'GetStatus']) {
        expect(operations.has(name), name).to.equal(true);
      }
      const trust = loadTrustStore(gateway.config);
      const problems = records.flatMap((record) =>
        messageSignatureProblems(record, trust).map((p) => `${record.operation}: ${p}`),
      );
      expect(problems).to.deep.equal([]);
    });

    it('answers a retried SendRequest or SendResponse MessageIsAlreadySent and queues nothing twice', async () => {
      // Start from empty queues: earlier tests may leave messages behind.
      await drain(provider, 'GetRequest');
      await drain(consumer, 'GetResponse');
      const request = sendRequestXml(SOAP11, sampleKey(CONSUMER), { payload: QUESTION_PAYLOAD });
      expect((await consumer.post(request.xml, 'urn:SendRequest')).status).to.equal(200);
      expect((await consumer.post(request.xml, 'urn:SendRequest')).body).to.contain('MessageIsAlreadySent');
      const taken = await provider.take('GetRequest');
      expect(taken?.messageId).to.equal(request.messageId);
      const answer = sendResponseXml(SOAP11, sampleKey(PROVIDER), taken?.replyTo ?? '', {
        kind: 'answer',
        payload: ANSWER_PAYLOAD,
      });
      expect((await provider.post(answer.xml, 'urn:SendResponse')).status).to.equal(200);
      expect((await provider.post(answer.xml, 'urn:SendResponse')).body).to.contain('MessageIsAlreadySent');
      await provider.ack(request.messageId);
      const first = await consumer.take('GetResponse');
      expect(first?.messageId).to.equal(answer.messageId);
      await consumer.ack(first?.messageId ?? '');
      expect(await consumer.take('GetResponse')).to.equal(undefined);
    });

    it('speaks SOAP 1.2 as well', async () => {
      const request = sendRequestXml(SOAP12, sampleKey(CONSUMER), { payload: QUESTION_PAYLOAD });
      const sent = await postSoap(gateway.endpoint, request.xml, SOAP12, 'urn:SendRequest');
      expect(sent.status, sent.body).to.equal(200);
      expect(sent.body).to.contain(SOAP12.envelopeNs);
      const taken = await postSoap(
        gateway.endpoint,
        takeXml(SOAP12, sampleKey(PROVIDER), 'GetRequest'),
        SOAP12,
        'urn:GetRequest',
      );
      expect(readHandedOut(taken.body)?.messageId).to.equal(request.messageId);
      await provider.ack(request.messageId);
    });

    it('carries attachments to the provider and back, with the gateway signature intact', async () => {
      await drain(provider, 'GetRequest');
      await drain(consumer, 'GetResponse');
      const files: Attachment[] = [
        { contentId: 'note.txt', mimeType: 'text/plain', content: Buffer.from('the application, page 1\n') },
        { contentId: 'scan.pdf', mimeType: 'application/pdf', content: randomBytes(30_000) },
      ];
      const sent = await consumer.sendRequest(QUESTION_PAYLOAD, { attachments: files });
      expect(sent.status, sent.body).to.equal(200);

      const handedOut = await provider.post(
        takeXml(SOAP11, sampleKey(PROVIDER), 'GetRequest'),
        'urn:GetRequest',
      );
      expect(schemas.validate(handedOut.body), 'GetRequestResponse is schema-valid').to.deep.equal([]);
      expectGatewaySigned(gateway, handedOut.body);
      const taken = readHandedOut(handedOut.body);
      expect(taken?.messageId).to.equal(sent.messageId);
      expect(taken?.attachments).to.deep.equal(files);
      await provider.ack(sent.messageId);

      const reply = [
        { contentId: 'decision.xml', mimeType: 'application/xml', content: Buffer.from('<d>yes</d>') },
      ];
      const answered = await provider.sendResponse(taken?.replyTo ?? '', {
        kind: 'answer',
        payload: ANSWER_PAYLOAD,
        attachments: reply,
      });
      expect(answered.status, answered.body).to.equal(200);
      const response = await consumer.take('GetResponse');
      expect(response?.originalMessageId).to.equal(sent.messageId);
      expect(response?.attachments).to.deep.equal(reply);
      await consumer.ack(response?.messageId ?? '');
    });

    it('refuses attachments whose contents do not match their signed headers (AttachmentContentMiscoordination)', async () => {
      const files: Attachment[] = [
        { contentId: 'a', mimeType: 'text/plain', content: Buffer.from('one') },
        { contentId: 'b', mimeType: 'text/plain', content: Buffer.from('two') },
      ];
      const signed = () =>
        sendRequestXml(SOAP11, sampleKey(CONSUMER), { payload: QUESTION_PAYLOAD, attachments: files }).xml;
      // The contents stand outside the signature: each of these keeps a valid signature over the headers.
      const dropped = signed().replace(
        /<ns3:AttachmentContent><ns3:Id>b<\/ns3:Id>.*?<\/ns3:AttachmentContent>/,
        '',
      );
      const renamed = signed().replace('<ns3:Id>b</ns3:Id>', '<ns3:Id>c</ns3:Id>');
      const twice = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
        payload: QUESTION_PAYLOAD,
        attachments: [files[0] as Attachment, files[0] as Attachment],
      }).xml.replace(
        /(<ns3:AttachmentContentList>.*?<\/ns3:AttachmentContent>).*?(<\/ns3:AttachmentContentList>)/,
        '$1$2',
      );
      for (const [xml, reason] of [
        [dropped, 'no content for the header b'],
        [renamed, 'no header for the content c'],
        [twice, 'the headers name a twice'],
      ] as const) {
        expect(xml).to.not.equal(signed());
        const refused = await consumer.post(xml, 'urn:SendRequest');
        expect(refused.status).to.equal(500);
        expect(refused.body).to.match(/<f:AttachmentContentMiscoordination[ />]/);
        expect(refused.body).to.contain(reason);
      }
    });

    it('refuses attachments for a hosted provider, by SendRequest and by Call, rather than drop them', async () => {
      const file: Attachment = { contentId: 'x', mimeType: 'text/plain', content: Buffer.from('x') };
      const queued = await consumer.sendRequest(PING_PAYLOAD, { attachments: [file] });
      expect(queued.body).to.contain('<b:Code>AttachmentsNotAccepted</b:Code>');
      const call = buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD })
        .xml.replace(
          '</ns3:MessagePrimaryContent>',
          '</ns3:MessagePrimaryContent><ns3:AttachmentHeaderList><ns3:AttachmentHeader><ns3:contentId>x</ns3:contentId><ns3:MimeType>text/plain</ns3:MimeType></ns3:AttachmentHeader></ns3:AttachmentHeaderList>',
        )
        .replace(
          '<ns2:CallerInformationSystemSignature',
          '<ns3:AttachmentContentList><ns3:AttachmentContent><ns3:Id>x</ns3:Id><ns3:Content>eA==</ns3:Content></ns3:AttachmentContent></ns3:AttachmentContentList><ns2:CallerInformationSystemSignature',
        );
      expect(call).to.contain('AttachmentContentList');
      const called = await postSoap(
        gateway.endpoint,
        signCallRequest(call, sampleKey(CONSUMER)),
        SOAP11,
        'urn:Call',
      );
      expect(called.body).to.contain('<b:Code>AttachmentsNotAccepted</b:Code>');
    });

    it('counts the messages waiting for a system per message type (GetIncomingQueueStatistics)', async () => {
      await drain(provider, 'GetRequest');
      await drain(consumer, 'GetResponse');
      const statistics = async (client: QueueClient) => {
        const answer = await client.post(
          queueStatisticsXml(SOAP11, sampleKey(client.system), new Date(Date.now() - ++skew)),
          'urn:GetIncomingQueueStatistics',
        );
        expect(answer.status, answer.body).to.equal(200);
        expect(schemas.validate(answer.body), 'the answer is schema-valid').to.deep.equal([]);
        return readQueueStatistics(answer.body);
      };
      const questions = `{${QUESTION.namespace}}${QUESTION.localName}`;
      expect(await statistics(provider)).to.deep.equal([]);
      const first = await consumer.sendRequest();
      await consumer.sendRequest();
      expect(await statistics(provider)).to.deep.equal([{ queueName: questions, pending: 2 }]);
      expect(await statistics(consumer), 'requests wait for their recipient only').to.deep.equal([]);
      const taken = await provider.take('GetRequest');
      expect(taken?.messageId).to.equal(first.messageId);
      expect(await statistics(provider), 'handed out but not acknowledged: still waiting').to.deep.equal([
        { queueName: questions, pending: 2 },
      ]);
      await provider.ack(first.messageId);
      expect(await statistics(provider)).to.deep.equal([{ queueName: questions, pending: 1 }]);
      await provider.sendResponse(taken?.replyTo ?? '');
      expect(await statistics(consumer)).to.deep.equal([
        { queueName: `{urn://example.org/queue-test/1.0}Answer`, pending: 1 },
      ]);
      await drain(provider, 'GetRequest');
      await drain(consumer, 'GetResponse');
      expect(await statistics(provider)).to.deep.equal([]);
      expect(await statistics(consumer)).to.deep.equal([]);
    });

    it('tells operators and auditors where a queued message is (GET /api/v1/queue/messages/:id), no bodies', async () => {
      const actor = { name: 'test', role: 'operator' as const };
      const token = async (role: 'operator' | 'auditor' | 'coordinator') =>
        (await gateway.registry.createToken(actor, `queue ${role}`, role)).token;
      const [operator, auditor, coordinator] = [
        await token('operator'),
        await token('auditor'),
        await token('coordinator'),
      ];
      const trace = (id: string, bearer: string) =>
        fetch(`${gateway.url}/api/v1/queue/messages/${id}`, {
          headers: { authorization: `Bearer ${bearer}` },
        });
      await drain(provider, 'GetRequest');
      const sent = await consumer.sendRequest();
      const queued = (await (await trace(sent.messageId, operator)).json()) as {
        message: Record<string, unknown>;
        exchange: Record<string, unknown>[];
      };
      expect(queued.message).to.deep.include({
        messageId: sent.messageId,
        kind: 'request',
        state: 'queued',
        sender: CONSUMER,
        recipient: PROVIDER,
        messageType: `{${QUESTION.namespace}}${QUESTION.localName}`,
        deliveries: 0,
        attachments: false,
      });
      expect(JSON.stringify(queued)).to.not.contain('Question>');
      const taken = await provider.take('GetRequest');
      await provider.ack(sent.messageId);
      const answered = await provider.sendResponse(taken?.replyTo ?? '');
      const after = (await (await trace(answered.messageId, auditor)).json()) as typeof queued;
      expect(after.message).to.deep.include({
        messageId: answered.messageId,
        kind: 'response',
        state: 'queued',
      });
      expect(after.exchange.map((m) => [m.messageId, m.kind, m.state, m.deliveries])).to.deep.equal([
        [sent.messageId, 'request', 'answered', 1],
        [answered.messageId, 'response', 'queued', 0],
      ]);
      expect((await trace(sent.messageId, coordinator)).status).to.equal(403);
      expect((await trace('00000000-0000-1000-8000-000000000000', operator)).status).to.equal(404);
      await drain(consumer, 'GetResponse');
    });

    it('refuses a request whose EOL has passed', async () => {
      const sent = await consumer.sendRequest(undefined, { endOfLife: new Date(Date.now() - 1000) });
      expect(sent.body).to.contain('EndOfLifeReached');
    });
  });
}
