/**
 * Interoperability with Python zeep (Debian's python3-zeep), a SOAP client written without this gateway in mind:
 * it loads the WSDL and every schema over HTTP in strict mode, builds an unsigned Call from objects on both ports
 * (refused with a fault zeep reads), and sends signed requests (Call; SendRequest with an attachment,
 * GetIncomingQueueStatistics and GetRequest) through its own transport, reading each answer with its own binding
 * against the WSDL. zeep must be installed (CI installs it): this test fails, never skips,
 * without it. The client is test/interop/zeep_client.py.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { OPERATIONS } from '../../src/soap/operations.js';
import { queueStatisticsXml, sendRequestXml, takeXml } from '../../src/client/queued.js';
import { SOAP11 } from '../../src/soap/version.js';
import { sampleKey, signedCall, useGateway } from '../support/gateway.js';
import { addQueueRoute, CONSUMER, PROVIDER, QUESTION, QUESTION_PAYLOAD } from '../queue/support.js';

const run = promisify(execFile);

/** zeep's answer objects, as the client prints them. */
type Answer = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of zeep's objects, read by path

interface ZeepSaw {
  ports: Record<string, string[]>;
  unsigned11: { fault?: string; detailCode?: string };
  unsigned12: { fault?: string; detailCode?: string };
  signed: { status: number; answer: Answer }[];
}

describe('interop: Python zeep as a SOAP client', function () {
  this.timeout(60_000);
  let dir: string;
  let saw: ZeepSaw;
  let callId: string;
  let queuedId: string;

  const gateway = useGateway();
  before(async () => {
    await addQueueRoute(gateway);
    dir = mkdtempSync(join(tmpdir(), 'smev-zeep-'));
    const file = (name: string, xml: string) => {
      writeFileSync(join(dir, name), xml);
      return join(dir, name);
    };
    const call = signedCall({
      payload:
        '<ping:PingRequest xmlns:ping="urn://smev-gateway/services/ping/1.0"><ping:Text>signed for zeep</ping:Text></ping:PingRequest>',
    });
    callId = call.messageId;
    const queued = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
      payload: QUESTION_PAYLOAD,
      attachments: [{ contentId: 'scan.pdf', mimeType: 'application/pdf', content: Buffer.alloc(3000, 7) }],
    });
    queuedId = queued.messageId;
    const provider = sampleKey(PROVIDER);
    const requests = [
      `Call=${file('call.xml', call.xml)}`,
      `SendRequest=${file('send.xml', queued.xml)}`,
      `GetIncomingQueueStatistics=${file('statistics.xml', queueStatisticsXml(SOAP11, provider))}`,
      `GetRequest=${file('take.xml', takeXml(SOAP11, provider, 'GetRequest'))}`,
    ];
    // Not spawnSync: the gateway answers zeep from this very process.
    const { stdout } = await run(
      '/usr/bin/python3',
      ['test/interop/zeep_client.py', gateway.endpoint, ...requests],
      {
        timeout: 50_000,
      },
    );
    saw = JSON.parse(stdout) as ZeepSaw;
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the WSDL and its schemas strictly and sees every operation on both ports', () => {
    const names = OPERATIONS.map((operation) => operation.name).sort();
    expect(saw.ports).to.deep.equal({
      SMEVMessageExchangeEndpoint: names,
      SMEVMessageExchangeSoap12Endpoint: names,
    });
  });

  it('reads the fault for an unsigned Call it built, in SOAP 1.1 and 1.2', () => {
    expect(saw.unsigned11).to.deep.equal({ fault: 'soap:Client', detailCode: 'NoSignatureFound' });
    expect(saw.unsigned12).to.deep.equal({ fault: 'soap:Sender', detailCode: 'NoSignatureFound' });
  });

  it('sends a signed Call and reads the signed answer with its own binding', () => {
    const [call] = saw.signed;
    expect(call?.status).to.equal(200);
    const response = call?.answer.Response;
    expect(response.OriginalMessageId).to.equal(callId);
    expect(response.SenderProvidedResponseData.MessagePrimaryContent._value_1).to.deep.include({
      element: '{urn://smev-gateway/services/ping/1.0}PingResponse',
    });
    expect(response.SenderProvidedResponseData.MessagePrimaryContent._value_1.text).to.match(
      /^signed for zeep/,
    );
    expect(response.MessageMetadata.Sender.Mnemonic).to.equal('SMEV_GATEWAY');
  });

  it('queues a request with an attachment and takes it back, each answer read against the WSDL', () => {
    const [, sent, statistics, taken] = saw.signed;
    expect(sent?.status).to.equal(200);
    expect(sent?.answer.MessageMetadata).to.deep.include({ MessageId: queuedId, Status: 'requestIsQueued' });
    expect(statistics?.answer).to.deep.equal([
      { queueName: `{${QUESTION.namespace}}${QUESTION.localName}`, pendingMessageNumber: 1 },
    ]);
    // zeep unwraps GetRequestResponse's one child, RequestMessage.
    const message = taken?.answer;
    expect(message?.Request.SenderProvidedRequestData.MessageID).to.equal(queuedId);
    expect(message?.Request.SenderProvidedRequestData.AttachmentHeaderList.AttachmentHeader).to.deep.equal([
      { contentId: 'scan.pdf', MimeType: 'application/pdf', SignaturePKCS7: null },
    ]);
    expect(message?.AttachmentContentList.AttachmentContent).to.deep.equal([
      { Id: 'scan.pdf', Content: { bytes: 3000 } },
    ]);
  });
});
