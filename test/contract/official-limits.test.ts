/**
 * The official limits and elements of message-exchange 1.1 through the real endpoint: each limit at its maximum
 * is accepted and one past it refused; TransactionCode is checked and echoed as OriginalTransactionCode; the
 * optional elements the official schema allows (an empty BusinessProcessMetadata, NodeID on
 * GetIncomingQueueStatistics, a RefAttachmentHeader uuid that is not a UUID) are accepted.
 */
import { expect } from 'chai';
import { v1 as uuidv1 } from 'uuid';
import {
  ackXml,
  CALLER_BLOCK_ID,
  queueStatisticsXml,
  readHandedOut,
  sendRequestXml,
  takeXml,
} from '../../src/client/queued.js';
import { signTree } from '../../src/signature/tree-signer.js';
import { NS } from '../../src/soap/namespaces.js';
import { SOAP11 } from '../../src/soap/version.js';
import { childElements, parseDom, type Element } from '../../src/xml/dom.js';
import { SchemaSet } from '../../src/xml/schemas.js';
import { readFault } from '../foundation/helpers.js';
import { sampleKey, useGateway } from '../support/gateway.js';
import { OFFICIAL_XSD } from '../support/official.js';
import { addQueueRoute, CONSUMER, PROVIDER, QUESTION_PAYLOAD, QueueClient } from '../queue/support.js';

/** A provider's SendResponse carrying an AsyncProcessingStatus (the client SDK writes none), signed. */
function asyncStatusResponseXml(to: string, originalMessageId: string, details: string): string {
  const doc = parseDom(
    `<soap:Envelope xmlns:soap="${SOAP11.envelopeNs}"><soap:Header/><soap:Body>` +
      `<ns2:SendResponseRequest xmlns:ns2="${NS.types}"><ns2:SenderProvidedResponseData Id="${CALLER_BLOCK_ID}">` +
      `<ns2:MessageID>${uuidv1()}</ns2:MessageID><ns2:To>${to}</ns2:To><ns2:AsyncProcessingStatus>` +
      `<ns2:OriginalMessageId>${originalMessageId}</ns2:OriginalMessageId>` +
      `<ns2:StatusCategory>underProcessing</ns2:StatusCategory><ns2:StatusDetails>${details}</ns2:StatusDetails>` +
      `</ns2:AsyncProcessingStatus></ns2:SenderProvidedResponseData><ns2:CallerInformationSystemSignature/>` +
      `</ns2:SendResponseRequest></soap:Body></soap:Envelope>`,
  );
  const at = (name: string) => doc.getElementsByTagNameNS(NS.types, name)[0] as Element;
  return signTree(
    doc,
    [{ target: at('SenderProvidedResponseData'), container: at('CallerInformationSystemSignature') }],
    sampleKey(PROVIDER),
  );
}

describe('contract: official limits and elements (message-exchange 1.1)', () => {
  let consumer: QueueClient;
  let provider: QueueClient;
  const gateway = useGateway();
  before(async () => {
    await addQueueRoute(gateway);
    consumer = new QueueClient(gateway.endpoint, CONSUMER);
    provider = new QueueClient(gateway.endpoint, PROVIDER);
  });

  /** Take every waiting request, so each test starts from an empty queue. */
  async function drain(): Promise<void> {
    for (let taken = await provider.take('GetRequest'); taken; taken = await provider.take('GetRequest'))
      expect((await provider.ack(taken.messageId)).status).to.equal(200);
  }
  afterEach(drain);

  it('TransactionCode of 1500 characters is accepted, 1501 is InvalidContent', async () => {
    expect((await consumer.sendRequest(undefined, { transactionCode: 'T'.repeat(1500) })).status).to.equal(
      200,
    );
    const over = await consumer.sendRequest(undefined, { transactionCode: 'T'.repeat(1501) });
    expect(over.status).to.equal(500);
    expect(readFault(over.body).element).to.equal('InvalidContent');
  });

  for (const [what, code] of [
    ['empty', '   '],
    ['holding a tab', 'TX\t42'],
    ['holding a line break', 'TX\n42'],
  ] as const) {
    it(`a TransactionCode ${what} is TransactionCodeInvalid`, async () => {
      const refused = await consumer.sendRequest(undefined, { transactionCode: code });
      expect(refused.status).to.equal(500);
      const fault = readFault(refused.body);
      expect([fault.element, fault.code]).to.deep.equal(['TransactionCodeInvalid', 'TransactionCodeInvalid']);
    });
  }

  it('the request TransactionCode comes back as OriginalTransactionCode in GetResponse', async () => {
    const sent = await consumer.sendRequest(undefined, { transactionCode: '  TX-2026/42  ' });
    expect(sent.status).to.equal(200);
    const taken = await provider.take('GetRequest');
    expect(taken?.replyTo).to.be.a('string');
    expect((await provider.ack(taken!.messageId)).status).to.equal(200);
    expect((await provider.sendResponse(taken!.replyTo!)).status).to.equal(200);
    const answer = await consumer.post(
      takeXml(SOAP11, sampleKey(CONSUMER), 'GetResponse'),
      'urn:GetResponse',
    );
    expect(answer.status, answer.body).to.equal(200);
    const doc = parseDom(answer.body);
    const response = doc.getElementsByTagNameNS(NS.types, 'Response').item(0);
    const original = doc.getElementsByTagNameNS(NS.types, 'OriginalTransactionCode').item(0);
    expect(original?.textContent).to.equal('TX-2026/42');
    expect(original?.parentNode).to.equal(response);
    const messageId = doc.getElementsByTagNameNS(NS.types, 'OriginalMessageId').item(0)?.textContent;
    expect(messageId).to.equal(sent.messageId);
  });

  it('RejectionReasonDescription of 4000 characters is accepted, 4001 is InvalidContent', async () => {
    for (const [length, status] of [
      [4000, 200],
      [4001, 500],
    ] as const) {
      expect((await consumer.sendRequest()).status).to.equal(200);
      const taken = await provider.take('GetRequest');
      await provider.ack(taken!.messageId);
      const answered = await provider.sendResponse(taken!.replyTo!, {
        kind: 'rejected',
        code: 'NO_DATA',
        description: 'd'.repeat(length),
      });
      expect(answered.status, `${length}: ${answered.body.slice(0, 400)}`).to.equal(status);
      if (status !== 200) expect(readFault(answered.body).element).to.equal('InvalidContent');
    }
  });

  /** Every answer waiting for the consumer, taken and acknowledged; each hand-out valid under the official 1.1 schema. */
  async function takeAnswersValidated(types: SchemaSet): Promise<number> {
    let taken = 0;
    for (;;) {
      const answer = await consumer.post(
        takeXml(SOAP11, sampleKey(CONSUMER), 'GetResponse'),
        'urn:GetResponse',
      );
      expect(answer.status, answer.body).to.equal(200);
      const handedOut = readHandedOut(answer.body);
      if (!handedOut) return taken;
      const operation = parseDom(answer.body).getElementsByTagNameNS(NS.types, 'GetResponseResponse')[0]!;
      expect(types.validate(operation.toString()), answer.body.slice(0, 2000)).to.deep.equal([]);
      expect((await consumer.ack(handedOut.messageId)).status).to.equal(200);
      taken += 1;
    }
  }

  it('RequestStatus/StatusDescription of 4000 characters is accepted, 4001 and 5011 are InvalidContent; the answer handed out is valid under the official schema', async () => {
    const types = SchemaSet.compile(`${OFFICIAL_XSD}/v1_1/smev-message-exchange-types-1.1.xsd`);
    try {
      await takeAnswersValidated(types);
      for (const [length, status] of [
        [4000, 200],
        [4001, 500],
        [5011, 500],
      ] as const) {
        expect((await consumer.sendRequest()).status).to.equal(200);
        const taken = await provider.take('GetRequest');
        await provider.ack(taken!.messageId);
        const answered = await provider.sendResponse(taken!.replyTo!, {
          kind: 'status',
          code: 7,
          description: 's'.repeat(length),
        });
        expect(answered.status, `${length}: ${answered.body.slice(0, 400)}`).to.equal(status);
        if (status !== 200) expect(readFault(answered.body).element).to.equal('InvalidContent');
      }
      expect(await takeAnswersValidated(types)).to.equal(1);
    } finally {
      types.dispose();
    }
  });

  it('an AsyncProcessingStatus from the provider is a status, not the answer: the request stays open for its answer', async () => {
    await drain();
    const sent = await consumer.sendRequest();
    const taken = await provider.take('GetRequest');
    await provider.ack(taken!.messageId);
    const status = await provider.post(
      asyncStatusResponseXml(taken!.replyTo!, sent.messageId, 'in progress'),
      'urn:SendResponse',
    );
    expect(status.status, status.body).to.equal(200);
    const answered = await provider.sendResponse(taken!.replyTo!);
    expect(answered.status, answered.body).to.equal(200);
    const first = await consumer.take('GetResponse');
    expect(first?.statusCategory).to.equal('underProcessing');
    await consumer.ack(first!.messageId);
    const second = await consumer.take('GetResponse');
    expect(second?.payload).to.not.equal(undefined);
    await consumer.ack(second!.messageId);
  });

  it('AsyncProcessingStatus/StatusDetails of 500 characters is accepted, 501 and 600 are InvalidContent; the answer handed out is valid under the official schema', async () => {
    const types = SchemaSet.compile(`${OFFICIAL_XSD}/v1_1/smev-message-exchange-types-1.1.xsd`);
    try {
      await takeAnswersValidated(types);
      for (const [length, status] of [
        [500, 200],
        [501, 500],
        [600, 500],
      ] as const) {
        const sent = await consumer.sendRequest();
        expect(sent.status).to.equal(200);
        const taken = await provider.take('GetRequest');
        await provider.ack(taken!.messageId);
        const answered = await provider.post(
          asyncStatusResponseXml(taken!.replyTo!, sent.messageId, 'd'.repeat(length)),
          'urn:SendResponse',
        );
        expect(answered.status, `${length}: ${answered.body.slice(0, 400)}`).to.equal(status);
        if (status !== 200) expect(readFault(answered.body).element).to.equal('InvalidContent');
      }
      expect(await takeAnswersValidated(types)).to.equal(1);
    } finally {
      types.dispose();
    }
  });

  for (const mimeType of ['application/pdf; name=report.pdf', 'multipart/mixed', 'application/x_pdf']) {
    it(`an attachment MimeType outside the official pattern (${mimeType}) is InvalidContent`, async () => {
      const refused = await consumer.sendRequest(undefined, {
        attachments: [{ contentId: 'file1', mimeType, content: Buffer.from('%PDF-1.4 hello') }],
      });
      expect(refused.status, refused.body.slice(0, 400)).to.equal(500);
      expect(readFault(refused.body).element).to.equal('InvalidContent');
    });
  }

  it('an attachment MimeType the official pattern allows (application/, image/svg+xml) is accepted and handed out valid under the official schema', async () => {
    const types = SchemaSet.compile(`${OFFICIAL_XSD}/v1_1/smev-message-exchange-types-1.1.xsd`);
    try {
      for (const mimeType of ['application/', 'image/svg+xml']) {
        const sent = await consumer.sendRequest(undefined, {
          attachments: [{ contentId: 'file1', mimeType, content: Buffer.from('hello') }],
        });
        expect(sent.status, sent.body.slice(0, 400)).to.equal(200);
        const taken = await provider.post(
          takeXml(SOAP11, sampleKey(PROVIDER), 'GetRequest'),
          'urn:GetRequest',
        );
        expect(taken.status, taken.body).to.equal(200);
        expect(readHandedOut(taken.body)?.messageId).to.equal(sent.messageId);
        const operation = parseDom(taken.body).getElementsByTagNameNS(NS.types, 'GetRequestResponse')[0]!;
        expect(operation.getElementsByTagNameNS(NS.basic, 'MimeType')[0]?.textContent).to.equal(mimeType);
        expect(types.validate(operation.toString())).to.deep.equal([]);
        expect(
          (await provider.post(ackXml(SOAP11, sampleKey(PROVIDER), sent.messageId), 'urn:Ack')).status,
        ).to.equal(200);
      }
    } finally {
      types.dispose();
    }
  });

  it('a signed block without its Id (optional in the official schema) is schema-valid and refused as SignatureVerificationFault', async () => {
    const { xml } = sendRequestXml(SOAP11, sampleKey(CONSUMER), { payload: QUESTION_PAYLOAD });
    const withoutId = xml.replace(/(<ns2:SenderProvidedRequestData[^>]*?) Id="[^"]*"/, '$1');
    expect(withoutId).to.not.equal(xml);
    const refused = await consumer.post(withoutId, 'urn:SendRequest');
    expect(refused.status).to.equal(500);
    const fault = readFault(refused.body);
    expect(fault.element, refused.body.slice(0, 600)).to.equal('SignatureVerificationFault');
  });

  it('an empty BusinessProcessMetadata is accepted', async () => {
    const sent = await consumer.sendRequest(undefined, { businessProcessMetadata: true });
    expect(sent.status, sent.body).to.equal(200);
  });

  it('GetIncomingQueueStatistics with NodeID is answered', async () => {
    const answer = await provider.post(
      queueStatisticsXml(SOAP11, sampleKey(PROVIDER), new Date(), 'node-1'),
      'urn:GetIncomingQueueStatistics',
    );
    expect(answer.status, answer.body).to.equal(200);
    expect(answer.body).to.contain('GetIncomingQueueStatisticsResponse');
  });

  it('an unsigned GetIncomingQueueStatistics (schema-valid) is SignatureVerificationFault/NoSignatureFound: the queue is the signer’s', async () => {
    const signed = queueStatisticsXml(SOAP11, sampleKey(PROVIDER));
    const unsigned = signed.replace(
      /<ns2:CallerInformationSystemSignature[\s\S]*<\/ns2:CallerInformationSystemSignature>/,
      '',
    );
    expect(unsigned).to.not.contain('Signature');
    const refused = await provider.post(unsigned, 'urn:GetIncomingQueueStatistics');
    expect(refused.status).to.equal(500);
    const fault = readFault(refused.body);
    expect([fault.element, fault.code]).to.deep.equal(['SignatureVerificationFault', 'NoSignatureFound']);
  });

  it('a RefAttachmentHeader uuid may be any string, as the official schema has it', () => {
    const schemas = SchemaSet.compile('xsd/gateway.xsd');
    try {
      const list = (uuid: string) =>
        `<b:RefAttachmentHeaderList xmlns:b="${NS.basic}"><b:RefAttachmentHeader><b:uuid>${uuid}</b:uuid>` +
        `<b:Hash>abc</b:Hash><b:MimeType>application/pdf</b:MimeType></b:RefAttachmentHeader></b:RefAttachmentHeaderList>`;
      expect(schemas.validate(list('file-42.pdf'))).to.deep.equal([]);
      expect(schemas.validate(list('0b3e2a7e-5f1d-11ef-8000-000000000001'))).to.deep.equal([]);
    } finally {
      schemas.dispose();
    }
  });
});

describe('contract: attachment size limit (limits.maxAttachmentBytes = 1000)', () => {
  let consumer: QueueClient;
  const gateway = useGateway({ overrides: { 'limits.maxAttachmentBytes': 1000 } });
  before(async () => {
    await addQueueRoute(gateway);
    consumer = new QueueClient(gateway.endpoint, CONSUMER);
  });

  const files = (...sizes: number[]) =>
    sizes.map((size, i) => ({
      contentId: `f${i}`,
      mimeType: 'application/pdf',
      content: Buffer.alloc(size, i),
    }));

  it('attachments of 1000 bytes in all are accepted; 1001 are AttachmentSizeLimitExceeded with both sizes', async () => {
    expect((await consumer.sendRequest(undefined, { attachments: files(600, 400) })).status).to.equal(200);
    const over = await consumer.sendRequest(undefined, { attachments: files(600, 401) });
    expect(over.status).to.equal(500);
    const fault = readFault(over.body);
    expect(fault.element).to.equal('AttachmentSizeLimitExceeded');
    const fields = Object.fromEntries(
      childElements(fault.detail).map((e) => [e.localName ?? '', e.textContent ?? '']),
    );
    expect(fields).to.include({ PermittedTotalAttachmentSize: '1000', RealTotalAttachmentSize: '1001' });
  });
});
