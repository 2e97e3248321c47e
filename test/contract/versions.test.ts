/**
 * Message exchange 1.1, 1.2 and 1.3 side by side: each path serves its own WSDL and schemas, reads only its own
 * namespaces, answers faults in its own faults namespace (valid against that version's official faults schema)
 * and validates requests against its own schemas. A queued message is handed out only in the version it was sent
 * in, and an answer must be sent in its request's version.
 */
import { expect } from 'chai';
import { DOMImplementation } from '@xmldom/xmldom';
import { readFileSync } from 'node:fs';
import { v1 as uuidv1 } from 'uuid';
import { adder, writeResponseData } from '../../src/smev/blocks.js';
import {
  getStatusXml,
  readHandedOut,
  sendRequestXml,
  takeXml,
  type ClientVersion,
} from '../../src/client/queued.js';
import { postSoap } from '../../src/client/send.js';
import {
  CONTRACT_VERSIONS,
  EXCHANGE_1_1,
  EXCHANGE_1_2,
  EXCHANGE_1_3,
  type ExchangeNamespaces,
} from '../../src/soap/namespaces.js';
import { SOAP11, SOAP12 } from '../../src/soap/version.js';
import { parseDom, type Element } from '../../src/xml/dom.js';
import { SchemaSet } from '../../src/xml/schemas.js';
import { messageSignatureProblems } from '../../src/messagelog/message-signatures.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { records as storedRecords } from '../messagelog/support.js';
import { rawHttp, readFault } from '../foundation/helpers.js';
import { addQueueRoute, CONSUMER, PROVIDER, QueueClient, QUESTION_PAYLOAD } from '../queue/support.js';
import { PING_PAYLOAD, sampleKey, signedCall, useGateway } from '../support/gateway.js';
import { OFFICIAL_XSD } from '../support/official.js';

const OFFICIAL = OFFICIAL_XSD;
const officialFaults = (contract: ExchangeNamespaces) =>
  `${OFFICIAL}/v${contract.version.replace('.', '_')}/smev-message-exchange-faults-${contract.version}.xsd`;
const officialTypes = (contract: ExchangeNamespaces) =>
  `${OFFICIAL}/v${contract.version.replace('.', '_')}/smev-message-exchange-types-${contract.version}.xsd`;
const speaking = (contract: ExchangeNamespaces): ClientVersion => ({ ...SOAP11, contract });

describe('contract: message exchange 1.1, 1.2 and 1.3 side by side', function () {
  this.timeout(60_000);
  const faultSchemas = new Map<ExchangeNamespaces, SchemaSet>();
  const at = (contract: ExchangeNamespaces) => gateway.endpoint.replace(/\/ws$/, contract.path);
  const client = (contract: ExchangeNamespaces, system: string) =>
    new QueueClient(at(contract), system, speaking(contract));
  const get = (path: string, host?: string) =>
    rawHttp(gateway.url, { method: 'GET', path, ...(host ? { headers: { host } } : {}) });

  const gateway = useGateway();
  before(async () => {
    await addQueueRoute(gateway);
    for (const contract of CONTRACT_VERSIONS)
      faultSchemas.set(contract, SchemaSet.compile(officialFaults(contract)));
  });
  after(() => {
    faultSchemas.forEach((schema) => schema.dispose());
  });

  /** The fault's detail element, checked to be in this version's faults namespace and valid in its schema. */
  function faultIn(contract: ExchangeNamespaces, body: string) {
    const fault = readFault(body);
    expect(fault.detail.namespaceURI).to.equal(contract.faults);
    const detail = fault.detail.toString();
    expect(faultSchemas.get(contract)!.validate(detail), detail).to.deep.equal([]);
    return fault;
  }

  for (const contract of [EXCHANGE_1_2, EXCHANGE_1_3]) {
    it(`GET ${contract.path}?wsdl is the official ${contract.version} WSDL at this address, its schemas beside it`, async () => {
      const wsdl = await get(`${contract.path}?wsdl`, 'gw.example:8443');
      expect(wsdl.status).to.equal(200);
      const doc = parseDom(wsdl.body);
      const root = doc.documentElement as Element;
      expect(root.getAttribute('targetNamespace')).to.equal(contract.exchange);
      const addresses = Array.from(doc.getElementsByTagNameNS('*', 'address')).map((a) =>
        a.getAttribute('location'),
      );
      expect(addresses).to.deep.equal([`http://gw.example:8443${contract.path}`]);
      const imports = Array.from(doc.getElementsByTagNameNS('*', 'import'))
        .map((i) => i.getAttribute('schemaLocation'))
        .filter((location): location is string => location !== null);
      expect(imports).to.include(
        `http://gw.example:8443${contract.path}?xsd=smev-message-exchange-types-${contract.version}.xsd`,
      );
      const types = await get(`${contract.path}?xsd=smev-message-exchange-types-${contract.version}.xsd`);
      expect(types.status).to.equal(200);
      expect(types.body).to.include(`targetNamespace="${contract.types}"`);
    });

    it(`${contract.path} reads only ${contract.version}: a 1.1 request is UnknownMessageType in the ${contract.version} faults namespace`, async () => {
      const { xml } = sendRequestXml(SOAP11, sampleKey(CONSUMER), { payload: QUESTION_PAYLOAD });
      const refused = await postSoap(at(contract), xml, SOAP11, 'urn:SendRequest');
      expect(refused.status).to.equal(500);
      const fault = faultIn(contract, refused.body);
      expect([fault.element, fault.code]).to.deep.equal(['UnknownMessageType', 'UnknownOperation']);
    });

    it(`${contract.path} serves no Call (the sync extension is written over the 1.1 blocks)`, async () => {
      const refused = await postSoap(at(contract), signedCall().xml, SOAP11, 'urn:Call');
      expect(faultIn(contract, refused.body).code).to.equal('UnknownOperation');
    });
  }

  it("every version's schemas take exclusive c14n's ec:InclusiveNamespaces in CanonicalizationMethod (strict there), with a PrefixList only", () => {
    for (const contract of CONTRACT_VERSIONS) {
      const request = sendRequestXml(speaking(contract), sampleKey(CONSUMER), {
        payload: QUESTION_PAYLOAD,
        transactionCode: 'tc',
      }).xml;
      const withList = (attributes: string) =>
        request.replace(
          /<ds:CanonicalizationMethod (Algorithm="[^"]+")\/>/,
          `<ds:CanonicalizationMethod $1><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" ${attributes}/></ds:CanonicalizationMethod>`,
        );
      expect(withList('PrefixList="ds #default"')).to.contain('InclusiveNamespaces');
      const schemas = SchemaSet.compile(contract.schemaRoot);
      try {
        expect(schemas.validate(withList('PrefixList="ds #default"')), contract.version).to.deep.equal([]);
        expect(schemas.validate(withList('PrefixList="ds" Other="1"')), contract.version).to.have.length(1);
      } finally {
        schemas.dispose();
      }
    }
  });

  it('1.2 requires TransactionCode and ReferenceMessageID: without them a request is InvalidContent (1.2 faults)', async () => {
    // Written as 1.1 would allow, then moved into the 1.2 namespaces (unsigned: the schema speaks first).
    const { xml } = sendRequestXml(SOAP11, sampleKey(CONSUMER), { payload: QUESTION_PAYLOAD });
    const moved = xml
      .replaceAll(EXCHANGE_1_1.types, EXCHANGE_1_2.types)
      .replaceAll(EXCHANGE_1_1.basic, EXCHANGE_1_2.basic);
    const refused = await postSoap(at(EXCHANGE_1_2), moved, SOAP11, 'urn:SendRequest');
    const fault = faultIn(EXCHANGE_1_2, refused.body);
    expect(fault.element).to.equal('InvalidContent');
    expect(fault.reason).to.match(/ReferenceMessageID|TransactionCode/);
  });

  it('a message is handed out only in the version it was sent in; an answer in another version is refused', async () => {
    const consumer11 = client(EXCHANGE_1_1, CONSUMER);
    const provider11 = client(EXCHANGE_1_1, PROVIDER);
    const provider12 = client(EXCHANGE_1_2, PROVIDER);
    const sent = await consumer11.sendRequest();
    expect(sent.status, sent.body).to.equal(200);
    expect(await provider12.take('GetRequest'), 'not handed out in 1.2').to.equal(undefined);
    const taken = await provider11.take('GetRequest');
    expect(taken?.messageId).to.equal(sent.messageId);

    const wrong = await provider12.sendResponse(taken!.replyTo!);
    const fault = faultIn(EXCHANGE_1_2, wrong.body);
    expect([fault.element, fault.code]).to.deep.equal([
      'IncorrectResponseContentType',
      'ContractVersionMismatch',
    ]);
    expect(fault.reason).to.include('/ws');

    // The refusal spent nothing: the answer in the request's version goes through, and the consumer takes it.
    expect((await provider11.sendResponse(taken!.replyTo!)).status).to.equal(200);
    expect((await provider11.ack(taken!.messageId)).status).to.equal(200);
    expect(await client(EXCHANGE_1_2, CONSUMER).take('GetResponse')).to.equal(undefined);
    expect((await consumer11.take('GetResponse'))?.originalMessageId).to.equal(sent.messageId);
  });

  it("a hosted provider's FAILURE is written FAILURE in 1.1 and 1.3, NO_DATA in 1.2 (whose RejectCode lacks it)", () => {
    for (const [contract, written] of [
      [EXCHANGE_1_1, 'FAILURE'],
      [EXCHANGE_1_2, 'NO_DATA'],
      [EXCHANGE_1_3, 'FAILURE'],
    ] as const) {
      const doc = new DOMImplementation().createDocument(contract.types, 'ns2:Holder', null);
      const add = adder(doc);
      const outcome = { kind: 'rejected', code: 'FAILURE', description: 'the service failed' } as const;
      const data = writeResponseData(add, doc.documentElement as Element, uuidv1(), 'to', outcome, contract);
      const code = data.getElementsByTagNameNS(contract.types, 'RejectionReasonCode').item(0);
      expect(code?.textContent, contract.version).to.equal(written);
      const enumeration = readFileSync(officialTypes(contract), 'utf8');
      expect(enumeration, contract.version).to.contain(`<xs:enumeration value="${written}"/>`);
    }
  });

  it('1.3 answers speak 1.3: no DestinationName or SupplementaryData in MessageMetadata', async () => {
    const consumer13 = client(EXCHANGE_1_3, CONSUMER);
    const sent = await consumer13.sendRequest(QUESTION_PAYLOAD, { transactionCode: 'TX-13' });
    expect(sent.status, sent.body).to.equal(200);
    const metadata = parseDom(sent.body).getElementsByTagNameNS(EXCHANGE_1_3.types, 'MessageMetadata')[0];
    expect(metadata, sent.body).to.not.equal(undefined);
    expect(metadata!.getElementsByTagNameNS('*', 'DestinationName').length).to.equal(0);
    expect(metadata!.getElementsByTagNameNS('*', 'SupplementaryData').length).to.equal(0);
    const provider13 = client(EXCHANGE_1_3, PROVIDER);
    const taken = await provider13.take('GetRequest');
    expect(taken?.messageId).to.equal(sent.messageId);
    expect((await provider13.ack(taken!.messageId)).status).to.equal(200);
  });

  for (const contract of [EXCHANGE_1_2, EXCHANGE_1_3]) {
    it(`a hosted provider's answer to a ${contract.version} request is written in ${contract.version}, valid against its official schema`, async () => {
      const consumer = client(contract, CONSUMER);
      const sent = await consumer.sendRequest(PING_PAYLOAD, { transactionCode: 'TX-PING' });
      expect(sent.status, sent.body).to.equal(200);
      let body: string | undefined;
      for (let i = 0; i < 100 && !body; i++) {
        const response = await consumer.post(
          takeXml(speaking(contract), sampleKey(CONSUMER), 'GetResponse'),
          'urn:GetResponse',
        );
        expect(response.status, response.body).to.equal(200);
        if (response.body.includes('ResponseMessage')) body = response.body;
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(body, 'the worker answered').to.be.a('string');
      const operation = parseDom(body!).getElementsByTagNameNS(contract.types, 'GetResponseResponse')[0]!;
      const types = SchemaSet.compile(officialTypes(contract));
      try {
        expect(types.validate(operation.toString())).to.deep.equal([]);
      } finally {
        types.dispose();
      }
      const response = operation.getElementsByTagNameNS(contract.types, 'Response')[0]!;
      const text = (name: string) => response.getElementsByTagNameNS(contract.types, name)[0]?.textContent;
      expect([
        text('OriginalMessageId'),
        text('OriginalTransactionCode'),
        text('ReferenceMessageID'),
      ]).to.deep.equal([sent.messageId, 'TX-PING', sent.messageId]);
      const messageId = response.getElementsByTagNameNS(contract.types, 'MessageID')[0]?.textContent ?? '';
      expect((await consumer.ack(messageId)).status).to.equal(200);
    });
  }

  it('GetStatus at /ws/1.3 tells a delivered answer as messageIsDelivered, every notice valid in 1.3', async () => {
    const consumer13 = client(EXCHANGE_1_3, CONSUMER);
    const provider13 = client(EXCHANGE_1_3, PROVIDER);
    const sent = await consumer13.sendRequest(QUESTION_PAYLOAD, { transactionCode: 'TX-STATUS' });
    expect(sent.status, sent.body).to.equal(200);
    const taken = await provider13.take('GetRequest');
    expect(taken?.messageId).to.equal(sent.messageId);
    expect((await provider13.sendResponse(taken!.replyTo!)).status).to.equal(200);
    expect((await consumer13.take('GetResponse'))?.originalMessageId).to.equal(sent.messageId);
    const types = SchemaSet.compile(officialTypes(EXCHANGE_1_3));
    const told: string[] = [];
    try {
      for (;;) {
        const response = await consumer13.post(
          getStatusXml(speaking(EXCHANGE_1_3), sampleKey(CONSUMER)),
          'urn:GetStatus',
        );
        expect(response.status, response.body).to.equal(200);
        const operation = parseDom(response.body).getElementsByTagNameNS(
          EXCHANGE_1_3.types,
          'GetStatusResponse',
        )[0]!;
        expect(types.validate(operation.toString()), response.body).to.deep.equal([]);
        const notice = readHandedOut(response.body);
        if (!notice) break;
        told.push(`${notice.originalMessageId} ${notice.statusCategory}`);
      }
    } finally {
      types.dispose();
    }
    expect(told).to.include(`${sent.messageId} messageIsDelivered`);
    expect(told.join(' ')).to.not.include('responseIsDelivered');
  });

  it('SOAP 1.2 envelopes work at /ws/1.2 as at /ws (the official WSDL binds SOAP 1.1 only)', async () => {
    const consumer = new QueueClient(at(EXCHANGE_1_2), CONSUMER, { ...SOAP12, contract: EXCHANGE_1_2 });
    const sent = await consumer.sendRequest(QUESTION_PAYLOAD, { transactionCode: 'TX-SOAP12' });
    expect(sent.status, sent.body).to.equal(200);
    expect(sent.body).to.include(SOAP12.envelopeNs).and.include(EXCHANGE_1_2.types);
    const provider = client(EXCHANGE_1_2, PROVIDER);
    const taken = await provider.take('GetRequest');
    expect(taken?.messageId).to.equal(sent.messageId);
    expect((await provider.ack(taken!.messageId)).status).to.equal(200);
  });

  it('every exchange of every version is logged, and each logged signature verifies as an auditor checks it', async () => {
    const records = await storedRecords(gateway);
    const trust = loadTrustStore(gateway.config);
    const problems = records.flatMap((record) =>
      messageSignatureProblems(record, trust).map((p) => `${record.operation}: ${p}`),
    );
    expect(problems).to.deep.equal([]);
    expect(records.length).to.be.greaterThan(10);
  });
});
