/**
 * Attachments outside the signature, through a real gateway (SQLite). A SendRequest signs headers naming some
 * files (AttachmentHeaderList, inside the signed block); the contents beside the block (AttachmentContentList)
 * are then replaced by a generated list: files dropped, doubled, renamed, added, emptied, reordered. The property:
 *
 * - the request is accepted exactly when the contents name each signed header once and nothing else;
 * - an accepted request hands the provider exactly the contents that were sent, byte for byte;
 * - a refusal is AttachmentContentMiscoordination or, for a doubled Id (an xs:ID), InvalidContent, never an
 *   internal failure, and comes within the time limit; nothing is logged at error level.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { sendRequestXml, type Attachment } from '../../src/client/queued.js';
import { NS } from '../../src/soap/namespaces.js';
import { SOAP11 } from '../../src/soap/version.js';
import { sampleKey } from '../support/gateway.js';
import {
  addQueueRoute,
  CONSUMER,
  faultOf,
  PROVIDER,
  QUESTION_PAYLOAD,
  QueueClient,
} from '../queue/support.js';
import { CASE_LIMIT_MS, fuzzParameters, propertyTimeout, useFuzzedGateway } from './support.js';

const RUNS = 100;
const IDS = ['a', 'b', 'c', 'd'] as const;

const headers = fc.uniqueArray(fc.constantFrom(...IDS), { minLength: 1, maxLength: 3 });
const contents = fc.array(
  fc.record({ id: fc.constantFrom(...IDS, 'e'), content: fc.uint8Array({ maxLength: 64 }) }),
  { maxLength: 5 },
);

function contentList(files: readonly { id: string; content: Uint8Array }[]): string {
  if (files.length === 0) return '';
  const items = files.map(
    (file) =>
      `<ns3:AttachmentContent><ns3:Id>${file.id}</ns3:Id><ns3:Content>${Buffer.from(file.content).toString('base64')}</ns3:Content></ns3:AttachmentContent>`,
  );
  return `<ns3:AttachmentContentList xmlns:ns3="${NS.basic}">${items.join('')}</ns3:AttachmentContentList>`;
}

describe('fuzz: attachment contents outside the signature', function () {
  this.timeout(propertyTimeout(RUNS, 100));
  let consumer: QueueClient;
  let provider: QueueClient;

  const { gateway, errors, watch } = useFuzzedGateway();
  before(async () => {
    await addQueueRoute(gateway);
    consumer = new QueueClient(gateway.endpoint, CONSUMER);
    provider = new QueueClient(gateway.endpoint, PROVIDER);
  });

  it('accepts exactly the contents that match the signed headers, and delivers them unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(headers, contents, async (named, sent) => {
        errors.lines.length = 0;
        const signed = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
          payload: QUESTION_PAYLOAD,
          attachments: named.map((id): Attachment => ({
            contentId: id,
            mimeType: 'text/plain',
            content: Buffer.alloc(1),
          })),
        });
        // The list as the client wrote it (with its own namespace declaration), replaced by the generated one.
        const list = /<ns3:AttachmentContentList[\s>].*<\/ns3:AttachmentContentList>/s;
        expect(signed.xml).to.match(list);
        const xml = signed.xml.replace(list, contentList(sent));
        const started = performance.now();
        const answer = await consumer.post(xml, 'urn:SendRequest');
        expect(performance.now() - started, 'answered within the limit').to.be.below(CASE_LIMIT_MS);
        expect(errors.lines, 'nothing logged at error level').to.deep.equal([]);
        const ids = sent.map((file) => file.id);
        const matches =
          ids.length === new Set(ids).size && [...ids].sort().join() === [...named].sort().join();
        if (!matches) {
          expect(answer.status, answer.body).to.equal(500);
          expect(answer.body).to.match(/<f:(AttachmentContentMiscoordination|InvalidContent)[ />]/);
          return;
        }
        expect(answer.status, `${faultOf(answer.body) ?? ''} ${answer.body}`).to.equal(200);
        const taken = await provider.take('GetRequest');
        expect(taken?.messageId).to.equal(signed.messageId);
        expect(
          taken?.attachments.map((file) => [file.contentId, file.content.toString('hex')]),
        ).to.deep.equal(sent.map((file) => [file.id, Buffer.from(file.content).toString('hex')]));
        await provider.ack(signed.messageId);
      }),
      fuzzParameters(RUNS),
    );
    watch.check();
  });
});
