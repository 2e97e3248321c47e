/**
 * Clients generated from each OFFICIAL SMEV 3 WSDL (../shared/smev3-xsd/v1_1, v1_2, v1_3), not the gateway's, work
 * by changing the address (`/ws`, `/ws/1.2`, `/ws/1.3`): Python zeep (strict) runs the queued operations plain and
 * in MTOM (CXF-style multipart/related with a binary attachment), reading each answer with the official binding,
 * and every answer and fault validates against the official schemas of its version (libxml2 through lxml); an
 * unsigned GetIncomingQueueStatistics built by zeep from objects gets an official SignatureVerificationFault (1.1,
 * 1.2; 1.3 has no such operation). node-soap loaded with the official WSDL sends SendRequest and reads the answer.
 * zeep must be installed (CI installs it).
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
import type { ClientVersion } from '../../src/client/queued.js';
import {
  CONTRACT_VERSIONS,
  EXCHANGE_1_1,
  EXCHANGE_1_3,
  type ExchangeNamespaces,
} from '../../src/soap/namespaces.js';
import { SOAP11 } from '../../src/soap/version.js';
import { sampleKey, useGateway } from '../support/gateway.js';
import { addQueueRoute, ANSWER_PAYLOAD, CONSUMER, PROVIDER, QUESTION_PAYLOAD } from '../queue/support.js';
import { OFFICIAL_XSD } from '../support/official.js';

const run = promisify(execFile);
const officialWsdl = (contract: ExchangeNamespaces) =>
  `${OFFICIAL_XSD}/v${contract.version.replace('.', '_')}/smev-message-exchange-service-${contract.version}.wsdl`;

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
  readonly unsigned: {
    element?: string;
    valid?: boolean;
    inner?: string;
    answered?: boolean;
    skipped?: boolean;
  };
}

for (const contract of CONTRACT_VERSIONS) describeVersion(contract);

function describeVersion(contract: ExchangeNamespaces): void {
  const OFFICIAL_WSDL = officialWsdl(contract);
  // Requests written in this version; 1.2 and later require a TransactionCode in every request.
  const version: ClientVersion = { ...SOAP11, contract };
  const code = contract === EXCHANGE_1_1 ? {} : { transactionCode: 'TX-0' };

  describe(`interop: clients generated from the official SMEV 3 ${contract.version} WSDL`, function () {
    this.timeout(120_000);
    let endpoint: string;
    let dir: string;
    const gateway = useGateway();
    before(async () => {
      await addQueueRoute(gateway);
      endpoint = gateway.endpoint.replace(/\/ws$/, contract.path);
      dir = mkdtempSync(join(tmpdir(), 'smev-official-'));
    });
    after(() => {
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
        ['test/interop/zeep_official.py', OFFICIAL_WSDL, endpoint, ...requests],
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
      const plainSend = sendRequestXml(version, consumer, {
        payload: QUESTION_PAYLOAD,
        attachments: [file1],
        ...code,
      });
      const mtomSend = sendRequestXml(version, consumer, {
        payload: QUESTION_PAYLOAD,
        attachments: [file1],
        transactionCode: 'TX-1',
      });
      const first = await zeep(
        `plain:SendRequest=${file(plainSend.xml)}`,
        `mtom:SendRequest=${file(mtomSend.xml)}`,
        `plain:GetRequest=${file(takeXml(version, provider, 'GetRequest'))}`,
        `mtom:GetRequest=${file(takeXml(version, provider, 'GetRequest', undefined, new Date(Date.now() - 1000)))}`,
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
      const response = sendResponseXml(version, provider, answered.replyTo, {
        kind: 'answer',
        payload: ANSWER_PAYLOAD,
      });
      const second = await zeep(
        `plain:Ack=${file(ackXml(version, provider, takenIds[0]!.id))}`,
        `mtom:Ack=${file(ackXml(version, provider, takenIds[1]!.id))}`,
        `mtom:SendResponse=${file(response.xml)}`,
        `plain:GetResponse=${file(takeXml(version, consumer, 'GetResponse'))}`,
        `plain:GetStatus=${file(getStatusXml(version, consumer))}`,
        `plain:Ack=${file(ackXml(version, provider, uuidv1()))}`,
      );
      const [ack1, ack2, sent, taken, status, again] = second.signed;
      for (const seen of [ack1, ack2, sent, taken, status]) {
        expect(seen?.status, JSON.stringify(seen)).to.equal(200);
        expectValid(seen!);
      }
      const answer = taken?.answer?.Response;
      expect(answer?.OriginalMessageId).to.equal(mtomSend.messageId);
      expect(answer?.OriginalTransactionCode).to.equal('TX-1');
      expect(answer?.ReferenceMessageID, 'the request starts its chain').to.equal(mtomSend.messageId);
      // An Ack for a message the gateway never handed out: an official fault, valid against the official schema.
      expect(again?.kind).to.equal('fault');
      expect(again?.fault?.element).to.equal('TargetMessageIsNotFound');
      expectValid(again!);
      // Unsigned, as the official schema allows: refused with the official inner code (1.3 has no such operation).
      expect(second.unsigned).to.deep.equal(
        contract === EXCHANGE_1_3
          ? { skipped: true }
          : { element: 'SignatureVerificationFault', valid: true, inner: 'NoSignatureFound' },
      );
    });

    it('node-soap with the official WSDL sends SendRequest and reads the answer', async () => {
      const client = await soap.createClientAsync(OFFICIAL_WSDL, { endpoint });
      const { xml, messageId } = sendRequestXml(version, sampleKey(CONSUMER), {
        payload: QUESTION_PAYLOAD,
        ...code,
      });
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
}
