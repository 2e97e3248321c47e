/** Test support for the queued exchange: a `queue` route, and the operations as a system calls them. */
import { expect } from 'chai';
import {
  ackXml,
  getStatusXml,
  readHandedOut,
  sendRequestXml,
  sendResponseXml,
  takeXml,
  type ClientVersion,
  type HandedOut,
  type ResponseContent,
  type SendRequestOptions,
} from '../../src/client/queued.js';
import { postSoap } from '../../src/client/send.js';
import type { MessageType } from '../../src/providers/contract.js';
import { SOAP11 } from '../../src/soap/version.js';
import { NS } from '../../src/soap/namespaces.js';
import { readSignature } from '../../src/signature/signature-element.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { verifyDetached } from '../../src/signature/xml-signature.js';
import { parseDom, type Element } from '../../src/xml/dom.js';
import { sampleKey, type TestGateway } from '../support/gateway.js';

export const QUESTION: MessageType = { namespace: 'urn://example.org/queue-test/1.0', localName: 'Question' };
export const QUESTION_PAYLOAD =
  '<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>how are you?</q:Text></q:Question>';
export const ANSWER_PAYLOAD =
  '<q:Answer xmlns:q="urn://example.org/queue-test/1.0"><q:Text>fine</q:Text></q:Answer>';
export const CONSUMER = 'DEMO_CONSUMER';
export const PROVIDER = 'SOCPROTECT_47';

/** A route DEMO_CONSUMER → SOCPROTECT_47 that the provider serves itself with GetRequest. */
export async function addQueueRoute(gateway: TestGateway, consumer = CONSUMER, recipient = PROVIDER) {
  await gateway.registry.addRoute(
    { name: 'test', role: 'operator' },
    { consumer, recipient, ...QUESTION, provider: 'queue' },
  );
  // Every instance reloads its registry snapshot within a second.
  await new Promise((resolve) => setTimeout(resolve, 700));
}

export function faultOf(body: string): string | undefined {
  return /<(?:\w+:)?(?:faultcode|Value)>([^<]+)</.exec(body)?.[1];
}

export class QueueClient {
  private readonly key;
  constructor(
    private readonly endpoint: string,
    readonly system: string,
    /** The SOAP and message-exchange versions the requests are written in (1.1 over SOAP 1.1 by default). */
    private readonly version: ClientVersion = SOAP11,
  ) {
    this.key = sampleKey(system);
  }

  post(xml: string, action: string) {
    return postSoap(this.endpoint, xml, this.version, action);
  }

  async sendRequest(payload = QUESTION_PAYLOAD, options: Omit<SendRequestOptions, 'payload'> = {}) {
    const { xml, messageId } = sendRequestXml(this.version, this.key, { payload, ...options });
    return { ...(await this.post(xml, 'urn:SendRequest')), messageId };
  }

  async take(operation: 'GetRequest' | 'GetResponse', type?: MessageType) {
    const response = await this.post(takeXml(this.version, this.key, operation, type), `urn:${operation}`);
    expect(response.status, response.body).to.equal(200);
    return readHandedOut(response.body);
  }

  async sendResponse(to: string, content: ResponseContent = { kind: 'answer', payload: ANSWER_PAYLOAD }) {
    const { xml, messageId } = sendResponseXml(this.version, this.key, to, content);
    return { ...(await this.post(xml, 'urn:SendResponse')), messageId };
  }

  ack(messageId: string) {
    return this.post(ackXml(this.version, this.key, messageId), 'urn:Ack');
  }

  async status(): Promise<HandedOut | undefined> {
    const response = await this.post(getStatusXml(this.version, this.key), 'urn:GetStatus');
    expect(response.status, response.body).to.equal(200);
    return readHandedOut(response.body);
  }

  /** Every status notice queued for this system, oldest first. */
  async statuses(): Promise<string[]> {
    const seen: string[] = [];
    for (let notice = await this.status(); notice; notice = await this.status()) {
      seen.push(`${notice.originalMessageId} ${notice.statusCategory}`);
    }
    return seen;
  }
}

/** The gateway's SMEVSignature over its block verifies with the gateway's certificate. */
export function expectGatewaySigned(gateway: TestGateway, xml: string): void {
  expectBlockSigned(gateway, xml, 'SIGNED_BY_SMEV', 'SMEVSignature');
}

/** The signature in `container` over the element with Id `id` verifies with its certificate, trusted now. */
export function expectBlockSigned(gateway: TestGateway, xml: string, id: string, container: string): void {
  const doc = parseDom(xml);
  const signature = doc.getElementsByTagNameNS(NS.types, container).item(0) as Element;
  const all = doc.getElementsByTagNameNS('*', '*');
  let block: Element | undefined;
  for (let i = 0; i < all.length; i++) {
    const element = all.item(i) as Element;
    if (element.getAttribute('Id') === id) block = element;
  }
  expect(block, `the block ${id}`).to.not.equal(undefined);
  const read = readSignature(doc, signature, block as Element);
  const trust = loadTrustStore(gateway.config);
  verifyDetached(read, trust.check(read.certificate, new Date()).publicKey, block as Element);
}
