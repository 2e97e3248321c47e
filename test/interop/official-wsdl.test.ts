/**
 * Clients generated from the OFFICIAL SMEV 3 1.1 WSDL (../shared/smev3-xsd/v1_1), not the gateway's, work by
 * changing the address: Python zeep (strict) runs the queued operations plain and in MTOM (CXF-style
 * multipart/related with a binary attachment), reading each answer with the official binding, and every answer
 * and fault validates against the official schemas (libxml2 through lxml); an unsigned
 * GetIncomingQueueStatistics built by zeep from objects gets an official SignatureVerificationFault. node-soap
 * loaded with the official WSDL sends SendRequest and reads the answer. zeep must be installed (CI installs it).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import soap from 'soap';
import { v1 as uuidv1 } from 'uuid';
import { ackXml, sendRequestXml, sendResponseXml, takeXml, getStatusXml } from '../../src/client/queued.js';
import { SOAP11 } from '../../src/soap/version.js';
import { sampleKey, startTestGateway, type TestGateway } from '../support/gateway.js';
import { addQueueRoute, ANSWER_PAYLOAD, CONSUMER, PROVIDER, QUESTION_PAYLOAD } from '../queue/support.js';

const run = promisify(execFile);
const OFFICIAL_WSDL = '/work/shared/smev3-xsd/v1_1/smev-message-exchange-service-1.1.wsdl';

interface Seen {
  readonly mode: string;
  readonly operation: string;
  readonly parts: number;
  readonly answerParts: number;
  readonly status: number;
  readonly kind: string;
  readonly valid: boolean;
  readonly errors: string[];
  readonly answer?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- zeep's objects as JSON, read by path
  readonly fault?: { element: string | null };
}
interface ZeepRun {
  readonly operations: string[];
  readonly signed: Seen[];
  readonly unsigned: { element?: string; valid?: boolean; inner?: string; answered?: boolean };
}

describe('interop: clients generated from the official SMEV 3 1.1 WSDL', function () {
  this.timeout(120_000);
  let gateway: TestGateway;
  let dir: string;
  before(async () => {
    gateway = await startTestGateway();
    await addQueueRoute(gateway);
    dir = mkdtempSync(join(tmpdir(), 'smev-official-'));
  });
  after(async () => {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let count = 0;
  const file = (xml: string) => {
    const name = join(dir, `${count++}.xml`);
    writeFileSync(name, xml);
    return name;
  };
  async function zeep(...requests: string[]): Promise<ZeepRun> {
    // Not spawnSync: the gateway answers zeep from this very process.
    const { stdout } = await run(
      '/usr/bin/python3',
      ['test/interop/zeep_official.py', OFFICIAL_WSDL, gateway.endpoint, ...requests],
      { timeout: 100_000 },
    );
    return JSON.parse(stdout) as ZeepRun;
  }
  const expectValid = (seen: Seen) => {
    expect(seen.valid, `${seen.mode} ${seen.operation}: ${seen.errors.join('; ')}`).to.equal(true);
  };

  it('zeep runs the queued operations plain and in MTOM; every answer validates against the official schemas', async () => {
    const consumer = sampleKey(CONSUMER);
    const provider = sampleKey(PROVIDER);
    const file1 = { contentId: 'scan1', mimeType: 'application/pdf', content: Buffer.alloc(5000, 9) };
    const plainSend = sendRequestXml(SOAP11, consumer, { payload: QUESTION_PAYLOAD, attachments: [file1] });
    const mtomSend = sendRequestXml(SOAP11, consumer, {
      payload: QUESTION_PAYLOAD,
      attachments: [file1],
      transactionCode: 'TX-1',
    });
    const first = await zeep(
      `plain:SendRequest=${file(plainSend.xml)}`,
      `mtom:SendRequest=${file(mtomSend.xml)}`,
      `plain:GetRequest=${file(takeXml(SOAP11, provider, 'GetRequest'))}`,
      `mtom:GetRequest=${file(takeXml(SOAP11, provider, 'GetRequest', undefined, new Date(Date.now() - 1000)))}`,
    );
    expect(first.operations).to.include.members(['SendRequest', 'GetRequest', 'Ack', 'GetStatus']);
    for (const seen of first.signed) {
      expect(seen.status, JSON.stringify(seen)).to.equal(200);
      expectValid(seen);
    }
    expect(first.signed.map((s) => s.parts)).to.deep.equal([0, 1, 0, 0]);
    // The MTOM GetRequest is answered in MTOM, its file a binary part; zeep reads it with the official binding.
    expect(first.signed.map((s) => s.answerParts)).to.deep.equal([0, 0, 0, 1]);
    expect(first.signed[3]?.answer?.AttachmentContentList?.AttachmentContent?.[0]?.Content).to.deep.equal({
      bytes: 5000,
    });
    const takenIds = first.signed.slice(2).map((s) => {
      const request = s.answer?.Request;
      expect(request?.SenderProvidedRequestData?.MessageID, JSON.stringify(s.answer)).to.be.a('string');
      return {
        id: request.SenderProvidedRequestData.MessageID as string,
        replyTo: request.ReplyTo as string,
      };
    });
    expect(takenIds.map((t) => t.id)).to.have.members([plainSend.messageId, mtomSend.messageId]);

    const answered = takenIds.find((t) => t.id === mtomSend.messageId)!;
    const response = sendResponseXml(SOAP11, provider, answered.replyTo, {
      kind: 'answer',
      payload: ANSWER_PAYLOAD,
    });
    const second = await zeep(
      `plain:Ack=${file(ackXml(SOAP11, provider, takenIds[0]!.id))}`,
      `mtom:Ack=${file(ackXml(SOAP11, provider, takenIds[1]!.id))}`,
      `mtom:SendResponse=${file(response.xml)}`,
      `plain:GetResponse=${file(takeXml(SOAP11, consumer, 'GetResponse'))}`,
      `plain:GetStatus=${file(getStatusXml(SOAP11, consumer))}`,
      `plain:Ack=${file(ackXml(SOAP11, provider, uuidv1()))}`,
    );
    const [ack1, ack2, sent, taken, status, again] = second.signed;
    for (const seen of [ack1, ack2, sent, taken, status]) {
      expect(seen?.status, JSON.stringify(seen)).to.equal(200);
      expectValid(seen!);
    }
    const answer = taken?.answer?.Response;
    expect(answer?.OriginalMessageId).to.equal(mtomSend.messageId);
    expect(answer?.OriginalTransactionCode).to.equal('TX-1');
    // An Ack for a message the gateway never handed out: an official fault, valid against the official schema.
    expect(again?.kind).to.equal('fault');
    expect(again?.fault?.element).to.equal('TargetMessageIsNotFound');
    expectValid(again!);
    // Unsigned, as the official schema allows: refused with the official inner code.
    expect(second.unsigned).to.deep.equal({
      element: 'SignatureVerificationFault',
      valid: true,
      inner: 'NoSignatureFound',
    });
  });

  it('node-soap with the official WSDL sends SendRequest and reads the answer', async () => {
    const client = await soap.createClientAsync(OFFICIAL_WSDL, { endpoint: gateway.endpoint });
    const { xml, messageId } = sendRequestXml(SOAP11, sampleKey(CONSUMER), { payload: QUESTION_PAYLOAD });
    // The signature is detached over SenderProvidedRequestData (exclusive c14n), so the operation element keeps
    // it valid inside node-soap's own envelope.
    const start = xml.indexOf('<ns2:SendRequestRequest');
    const end = xml.indexOf('</ns2:SendRequestRequest>') + '</ns2:SendRequestRequest>'.length;
    const [result] = (await client.SendRequestAsync({ _xml: xml.slice(start, end) })) as [
      { MessageMetadata: { MessageId: string; MessageType: string; Status: string } },
    ];
    expect(result.MessageMetadata.MessageId).to.equal(messageId);
    expect(result.MessageMetadata.MessageType).to.equal('REQUEST');
    expect(result.MessageMetadata.Status).to.equal('requestIsQueued');
  });
});
