/**
 * What the gateway promises every participant, tried over the real SOAP endpoint: its signature covers only the
 * blocks it wrote (a planted reserved Id is refused and never signed), a suspended system is refused on every
 * operation, a signed request is accepted once whichever operation carries it, MessageIDs belong to their sender,
 * and a request carries no second, unverified signature.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { issueCertificate } from '../../src/sample-pki/issue.js';
import { v1 as uuidv1 } from 'uuid';
import { buildCallRequest, signCallRequest } from '../../src/client/request.js';
import {
  ackXml,
  getStatusXml,
  queueStatisticsXml,
  sendRequestXml,
  sendResponseXml,
  takeXml,
} from '../../src/client/queued.js';
import { postSoap } from '../../src/client/send.js';
import { Contract } from '../../src/soap/contract.js';
import { NS } from '../../src/soap/namespaces.js';
import { SOAP11 } from '../../src/soap/version.js';
import { childElements, parseDom, serializeXml, type Element } from '../../src/xml/dom.js';
import { readFault } from '../foundation/helpers.js';
import { PING_PAYLOAD, post, sampleKey, signedCall, useGateway } from '../support/gateway.js';
import { addQueueRoute, CONSUMER, PROVIDER, QueueClient } from '../queue/support.js';

/** The SMEV fault in `detail`: its element name and the gateway's code; undefined for a non-fault answer. */
function faultOf(body: string): { element: string; code: string; signed: boolean } | undefined {
  if (!/<(?:\w+:)?Fault[\s>]/.test(body)) return undefined;
  const fault = readFault(body);
  return { element: fault.element, code: fault.code, signed: body.includes('SignatureValue') };
}

const pingWith = (inner: string) =>
  `<ping:PingRequest xmlns:ping="urn://smev-gateway/services/ping/1.0"><ping:Text>hello</ping:Text>${inner}</ping:PingRequest>`;

/** A Call signed by DEMO_CONSUMER after `plant` changed the unsigned request's tree. */
function plantedCall(plant: (doc: ReturnType<typeof parseDom>) => void, payload = PING_PAYLOAD): string {
  const doc = parseDom(buildCallRequest({ version: SOAP11, payload }).xml);
  plant(doc);
  return signCallRequest(serializeXml(doc), sampleKey('DEMO_CONSUMER'));
}

function fragment(doc: ReturnType<typeof parseDom>, xml: string): Element {
  return doc.importNode(parseDom(xml).documentElement as Element, true) as Element;
}

const header = (doc: ReturnType<typeof parseDom>) =>
  childElements(doc.documentElement as Element).find((e) => e.localName === 'Header') as Element;
const block = (doc: ReturnType<typeof parseDom>) =>
  doc.getElementsByTagNameNS(NS.types, 'SenderProvidedRequestData').item(0) as Element;

describe('Hostile senders through the endpoint', function () {
  this.timeout(60_000);
  const gateway = useGateway();

  describe('a reserved Id anywhere in a request is refused and never signed', () => {
    const planted: Array<[string, (doc: ReturnType<typeof parseDom>) => void]> = [
      [
        'Id="SIGNED_BY_SMEV" on an element inside the signed block, beside the payload',
        (doc) =>
          block(doc).appendChild(
            fragment(doc, '<evil:Decoy xmlns:evil="urn:evil" Id="SIGNED_BY_SMEV">forged</evil:Decoy>'),
          ),
      ],
      [
        'Id="SIGNED_BY_PROVIDER" in the SOAP Header',
        (doc) =>
          header(doc).appendChild(
            fragment(doc, '<evil:Decoy xmlns:evil="urn:evil" Id="SIGNED_BY_PROVIDER">forged</evil:Decoy>'),
          ),
      ],
      [
        'ID= (upper case) with the reserved value',
        (doc) =>
          header(doc).appendChild(
            fragment(doc, '<evil:Decoy xmlns:evil="urn:evil" ID="SIGNED_BY_SMEV">forged</evil:Decoy>'),
          ),
      ],
      [
        'wsu:Id (a namespaced Id) with the reserved value',
        (doc) =>
          header(doc).appendChild(
            fragment(
              doc,
              '<evil:Decoy xmlns:evil="urn:evil" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" wsu:Id="SIGNED_BY_SMEV">forged</evil:Decoy>',
            ),
          ),
      ],
      [
        'the reserved value padded with spaces (an xs:ID collapses them)',
        (doc) =>
          header(doc).appendChild(
            fragment(doc, '<evil:Decoy xmlns:evil="urn:evil" Id=" SIGNED_BY_SMEV ">forged</evil:Decoy>'),
          ),
      ],
    ];
    for (const [name, plant] of planted) {
      it(name, async () => {
        const response = await post(gateway, plantedCall(plant));
        expect(response.status, response.body.slice(0, 400)).to.equal(500);
        expect(faultOf(response.body)).to.deep.equal({
          element: 'InvalidContent',
          code: 'ReservedId',
          signed: false,
        });
        expect(response.body).to.not.contain('forged');
      });
    }

    it('in the business payload of a SendRequest (the content that travels through the queue)', async () => {
      const { xml } = sendRequestXml(SOAP11, sampleKey('DEMO_CONSUMER'), {
        payload: pingWith('<evil:Decoy xmlns:evil="urn:evil" Id="SIGNED_BY_SMEV">forged</evil:Decoy>'),
      });
      const response = await postSoap(gateway.endpoint, xml, SOAP11, 'urn:SendRequest');
      expect(faultOf(response.body)).to.deep.equal({
        element: 'InvalidContent',
        code: 'ReservedId',
        signed: false,
      });
    });

    it('an Id the gateway does not reserve is no reason to refuse (positive control)', async () => {
      const response = await post(
        gateway,
        plantedCall((doc) =>
          header(doc).appendChild(
            fragment(doc, '<evil:Note xmlns:evil="urn:evil" Id="SIGNED_BY_SOMEONE">note</evil:Note>'),
          ),
        ),
      );
      expect(response.status, response.body.slice(0, 400)).to.equal(200);
    });
  });

  describe('one seen-set for every operation, MessageIDs scoped to their sender', () => {
    /** The SendRequest's signed block and its signature, re-wrapped as a Call. */
    function asCall(sendRequest: string): string {
      const doc = parseDom(sendRequest);
      const operation = doc.getElementsByTagNameNS(NS.types, 'SendRequestRequest').item(0) as Element;
      const call = doc.createElementNS(NS.sync, 'sync:CallRequest');
      for (const child of childElements(operation)) call.appendChild(child);
      operation.parentNode?.replaceChild(call, operation);
      return serializeXml(doc);
    }

    it('a SendRequest accepted once is refused when replayed as Call', async () => {
      const { xml } = sendRequestXml(SOAP11, sampleKey('DEMO_CONSUMER'), { payload: PING_PAYLOAD });
      const queued = await postSoap(gateway.endpoint, xml, SOAP11, 'urn:SendRequest');
      expect(queued.status, queued.body.slice(0, 400)).to.equal(200);
      const replayed = await post(gateway, asCall(xml));
      expect(faultOf(replayed.body)?.code, replayed.body.slice(0, 400)).to.equal('MessageIsAlreadySent');
      expect(replayed.body).to.not.contain('PingResponse');
    });

    it('a Call answered once is refused when its block is replayed as SendRequest', async () => {
      const { xml } = sendRequestXml(SOAP11, sampleKey('DEMO_CONSUMER'), { payload: PING_PAYLOAD });
      const answered = await post(gateway, asCall(xml));
      expect(answered.status, answered.body.slice(0, 400)).to.equal(200);
      const replayed = await postSoap(gateway.endpoint, xml, SOAP11, 'urn:SendRequest');
      expect(faultOf(replayed.body)?.code, replayed.body.slice(0, 400)).to.equal('MessageIsAlreadySent');
    });

    it("one system's MessageID does not use up another's", async () => {
      const messageId = uuidv1();
      const sign = (system: string) =>
        signCallRequest(
          buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD, messageId }).xml,
          sampleKey(system),
        );
      expect((await post(gateway, sign('PORTAL_26'))).status).to.equal(200);
      const own = await post(gateway, sign('DEMO_CONSUMER'));
      expect(own.status, own.body.slice(0, 400)).to.equal(200);
      // Each is still accepted only once by its own sender.
      expect(faultOf((await post(gateway, sign('DEMO_CONSUMER'))).body)?.code).to.equal(
        'MessageIsAlreadySent',
      );
    });
  });

  describe('signatures', () => {
    it('a second, unverified signature in a signature container elsewhere is refused', async () => {
      const signed = parseDom(
        signCallRequest(
          buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD }).xml,
          sampleKey('DEMO_CONSUMER'),
        ),
      );
      const copy = signed.getElementsByTagNameNS(NS.ds, 'Signature').item(0)?.cloneNode(true) as Element;
      const container = signed.createElementNS(NS.types, 'ns2:SMEVSignature');
      container.appendChild(copy);
      header(signed).appendChild(container);
      const response = await post(gateway, serializeXml(signed));
      expect(faultOf(response.body)).to.deep.include({
        element: 'SignatureVerificationFault',
        code: 'PoorSOAPEnvelopeFormat',
      });
    });

    it('Id="sigID" on both ds:Signature elements, as real SMEV messages carry it, is no duplicate-Id refusal', async () => {
      // A personal signature inside the signed block (not verified by the gateway, handed on as SMEV 3 does) and
      // the system signature beside it, both with Id="sigID", which no Reference uses.
      const personal =
        `<ns2:PersonalSignature xmlns:ns2="${NS.types}"><ds:Signature xmlns:ds="${NS.ds}" Id="sigID"><ds:SignedInfo>` +
        '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>' +
        '<ds:SignatureMethod Algorithm="urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256"/>' +
        '<ds:Reference URI="#PERSONAL"><ds:DigestMethod Algorithm="urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256"/>' +
        '<ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue>' +
        '</ds:Signature></ns2:PersonalSignature>';
      const doc = parseDom(buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD }).xml);
      const content = doc.getElementsByTagNameNS(NS.basic, 'MessagePrimaryContent').item(0) as Element;
      content.parentNode?.insertBefore(fragment(doc, personal), content.nextSibling);
      const signed = parseDom(signCallRequest(serializeXml(doc), sampleKey('DEMO_CONSUMER')));
      const system = signed
        .getElementsByTagNameNS(NS.types, 'CallerInformationSystemSignature')
        .item(0) as Element;
      (childElements(system)[0] as Element).setAttribute('Id', 'sigID');
      const response = await post(gateway, serializeXml(signed));
      expect(response.status, response.body.slice(0, 600)).to.equal(200);
      expect(response.body).to.contain('PingResponse');
    });

    it('an Id that the Reference uses stays unique: a second SIGNED_BY_CONSUMER is refused', async () => {
      const signed = parseDom(
        signCallRequest(
          buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD }).xml,
          sampleKey('DEMO_CONSUMER'),
        ),
      );
      header(signed).appendChild(
        fragment(signed, '<evil:Decoy xmlns:evil="urn:evil" Id="SIGNED_BY_CONSUMER">x</evil:Decoy>'),
      );
      const response = await post(gateway, serializeXml(signed));
      expect(faultOf(response.body)).to.deep.include({
        element: 'SignatureVerificationFault',
        code: 'IncorrectSignatureTarget',
      });
    });
  });
});

describe('A suspended system is refused on every operation', function () {
  this.timeout(60_000);
  const system = 'SOCCARD_28';
  const gateway = useGateway();

  const key = () => sampleKey(system);
  const operations: Array<[string, () => string]> = [
    ['Call', () => signCallRequest(buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD }).xml, key())],
    ['SendRequest', () => sendRequestXml(SOAP11, key(), { payload: PING_PAYLOAD }).xml],
    ['GetRequest', () => takeXml(SOAP11, key(), 'GetRequest')],
    ['GetResponse', () => takeXml(SOAP11, key(), 'GetResponse')],
    [
      'SendResponse',
      () => sendResponseXml(SOAP11, key(), uuidv1(), { kind: 'answer', payload: PING_PAYLOAD }).xml,
    ],
    ['Ack', () => ackXml(SOAP11, key(), uuidv1())],
    ['GetStatus', () => getStatusXml(SOAP11, key())],
    ['GetIncomingQueueStatistics', () => queueStatisticsXml(SOAP11, key())],
  ];

  const send = (operation: string, xml: string) =>
    postSoap(gateway.endpoint, xml, SOAP11, `urn:${operation}`);

  it('while active, each operation gets past the sender check (control)', async () => {
    for (const [operation, xml] of operations) {
      const response = await send(operation, xml());
      expect(
        faultOf(response.body)?.code ?? 'none',
        `${operation}: ${response.body.slice(0, 300)}`,
      ).to.not.equal('AccessDenied');
    }
  });

  it('once suspended, every operation is refused with AccessDenied, at once after the registry change', async () => {
    await gateway.registry.setSystemStatus({ name: 'test', role: 'operator' }, system, 'suspended', 'audit');
    // Every instance reloads its registry snapshot within a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // In the AccessDenied element where the WSDL declares it for the operation, else in InvalidContent.
    const wsdl = Contract.load('wsdl/smev-gateway.wsdl', 'xsd');
    const elements = new Set<string>();
    for (const [operation, xml] of operations) {
      const response = await send(operation, xml());
      const element = wsdl.declaresFault(operation, 'AccessDenied') ? 'AccessDenied' : 'InvalidContent';
      elements.add(element);
      expect(faultOf(response.body), `${operation}: ${response.body.slice(0, 300)}`).to.deep.include({
        element,
        code: 'AccessDenied',
      });
    }
    expect([...elements].sort()).to.deep.equal(['AccessDenied', 'InvalidContent']);
  });
});

describe('An unauthenticated caller learns nothing about registration', function () {
  this.timeout(60_000);
  const gateway = useGateway();

  it('a registered and an unregistered certificate, neither with a valid signature, get the same fault', async () => {
    const now = Date.now();
    const unregistered = issueCertificate(
      {
        certPem: readFileSync('certs-sample/ca.crt.pem', 'utf8'),
        keyPem: readFileSync('certs-sample/ca.key.pem', 'utf8'),
      },
      {
        commonName: 'NOBODY',
        mnemonic: 'NOBODY',
        notBefore: new Date(now - 86_400_000),
        notAfter: new Date(now + 86_400_000),
      },
    );
    const certificateOf = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    const registeredCert = certificateOf(readFileSync('certs-sample/DEMO_CONSUMER.crt.pem', 'utf8'));
    // The registered certificate with a signature value its holder never made.
    const forged = signedCall().xml.replace(
      /<ds:SignatureValue>[^<]+/,
      `<ds:SignatureValue>${Buffer.alloc(256, 7).toString('base64')}`,
    );
    // An unregistered certificate of the same CA put in place of the signer's.
    const swapped = signedCall().xml.replace(registeredCert, certificateOf(unregistered.certPem));
    expect(swapped).to.not.contain(registeredCert);
    const a = await post(gateway, forged);
    const b = await post(gateway, swapped);
    const fault = (body: string) => ({
      ...faultOf(body),
      description: parseDom(body).getElementsByTagNameNS(NS.faults, 'Description').item(0)?.textContent,
    });
    expect(fault(a.body)).to.deep.equal(fault(b.body));
    expect(fault(a.body)).to.include({ element: 'SignatureVerificationFault', code: 'SignatureIsInvalid' });
    expect(a.status).to.equal(b.status);
  });
});

describe('Client readers take the gateway elements by their place', function () {
  this.timeout(60_000);
  let consumer: QueueClient;
  let provider: QueueClient;
  const gateway = useGateway();
  before(async () => {
    await addQueueRoute(gateway);
    consumer = new QueueClient(gateway.endpoint, CONSUMER);
    provider = new QueueClient(gateway.endpoint, PROVIDER);
  });

  it('a ReplyTo planted in the payload is not read as the return address', async () => {
    const payload =
      `<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>hi</q:Text>` +
      `<t:ReplyTo xmlns:t="${NS.types}">planted-return-address</t:ReplyTo></q:Question>`;
    const sent = await consumer.sendRequest(payload);
    expect(sent.status, sent.body.slice(0, 400)).to.equal(200);
    const taken = await provider.take('GetRequest');
    expect(taken?.messageId).to.equal(sent.messageId);
    expect(taken?.replyTo).to.be.a('string').and.not.equal('planted-return-address');
    // The real return address works; the planted one names no request.
    const answered = await provider.sendResponse(taken?.replyTo ?? '');
    expect(answered.status, answered.body.slice(0, 400)).to.equal(200);
  });

  it('a RequestRejected planted in an answer payload is not read as a rejection', async () => {
    const sent = await consumer.sendRequest();
    expect(sent.status).to.equal(200);
    let taken = await provider.take('GetRequest');
    while (taken && taken.messageId !== sent.messageId) taken = await provider.take('GetRequest');
    const answer =
      `<q:Answer xmlns:q="urn://example.org/queue-test/1.0"><q:Text>fine</q:Text>` +
      `<t:RequestRejected xmlns:t="${NS.types}"><t:RejectionReasonCode>ACCESS_DENIED</t:RejectionReasonCode><t:RejectionReasonDescription>planted</t:RejectionReasonDescription></t:RequestRejected></q:Answer>`;
    const answered = await provider.sendResponse(taken?.replyTo ?? '', { kind: 'answer', payload: answer });
    expect(answered.status, answered.body.slice(0, 400)).to.equal(200);
    let response = await consumer.take('GetResponse');
    while (response && response.originalMessageId !== sent.messageId)
      response = await consumer.take('GetResponse');
    expect(response?.payload?.localName).to.equal('Answer');
    expect(response?.rejected).to.equal(undefined);
  });
});
