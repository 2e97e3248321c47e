/**
 * MTOM/XOP requests as CXF and other clients generated from the official WSDL send them: `multipart/related;
 * type="application/xop+xml"`, the envelope in the root part, binary parts named by `xop:Include`. The gateway
 * reads them as the XOP-decoded infoset: a request with no binary part, an attachment carried as a binary part
 * (delivered to the recipient byte for byte), a signed text carried as a part (the signature holds over the decoded
 * text, and fails when the part changes), and the refusals: an Include naming no part, a broken multipart body,
 * multipart/related that is not XOP, a parameter or a part header given twice, a part in another transfer encoding. Answers in MTOM move only the files the gateway hands out, and only in
 * canonical base64: a payload's element shaped like an attachment reaches the recipient as its sender signed it.
 */
import { expect } from 'chai';
import { MIMEType } from 'node:util';
import { parseMultipart } from '@mjackson/multipart-parser';
import {
  CALLER_BLOCK_ID,
  readHandedOut,
  sendRequestXml,
  takeXml,
  type HandedOut,
} from '../../src/client/queued.js';
import { decodeXop } from '../../src/soap/mtom.js';
import { NS } from '../../src/soap/namespaces.js';
import { parseDom, serializeXml } from '../../src/xml/dom.js';
import { SOAP11 } from '../../src/soap/version.js';
import { readFault, rawHttp } from '../foundation/helpers.js';
import { sampleKey, type TestGateway, useGateway } from '../support/gateway.js';
import {
  BOUNDARY,
  MTOM_CONTENT_TYPE as CONTENT_TYPE,
  mtomBody,
  ROOT_TYPE,
  type Part,
  takeInMtom,
  XOP,
} from '../support/mtom.js';
import {
  addQueueRoute,
  CONSUMER,
  expectBlockSigned,
  expectGatewaySigned,
  PROVIDER,
  QueueClient,
} from '../queue/support.js';

function postMtom(gateway: TestGateway, body: Buffer, contentType = CONTENT_TYPE) {
  return rawHttp(gateway.endpoint, {
    chunks: [body],
    headers: {
      'content-type': contentType,
      soapaction: '"urn:SendRequest"',
      'content-length': String(body.length),
    },
  });
}

/** Move the text of the first element matching `pattern` into a binary part named `id`. */
function optimise(xml: string, pattern: RegExp, id: string): { xml: string; part: Part } {
  const match = pattern.exec(xml);
  if (!match?.[1]) throw new Error(`nothing matches ${pattern}`);
  const bytes = Buffer.from(match[1], 'base64');
  const include = `<xop:Include xmlns:xop="${XOP}" href="cid:${encodeURIComponent(id)}"/>`;
  return { xml: xml.replace(match[0], match[0].replace(match[1], include)), part: { id, bytes } };
}

describe('contract: MTOM/XOP requests', () => {
  let provider: QueueClient;
  const gateway = useGateway();
  before(async () => {
    await addQueueRoute(gateway);
    provider = new QueueClient(gateway.endpoint, PROVIDER);
  });
  afterEach(async () => {
    for (let taken = await provider.take('GetRequest'); taken; taken = await provider.take('GetRequest'))
      await provider.ack(taken.messageId);
  });

  it('a SendRequest in MTOM with nothing binary is read like a plain one', async () => {
    const { xml } = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
      payload:
        '<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>how are you?</q:Text></q:Question>',
    });
    const answer = await postMtom(gateway, mtomBody(xml, []));
    expect(answer.status, answer.body).to.equal(200);
    expect(answer.headers['content-type']).to.match(/^text\/xml/);
    expect(answer.body).to.contain('MessageMetadata');
  });

  it('an attachment carried as a binary part reaches the recipient byte for byte', async () => {
    const file = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
    const { xml } = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
      payload: '<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>a file</q:Text></q:Question>',
      attachments: [{ contentId: 'scan1', mimeType: 'application/pdf', content: file }],
    });
    const optimised = optimise(xml, /<ns3:Content>([^<]+)<\/ns3:Content>/, 'scan1-part@example.org');
    expect(optimised.xml).to.not.contain(file.toString('base64'));
    const answer = await postMtom(gateway, mtomBody(optimised.xml, [optimised.part]));
    expect(answer.status, answer.body).to.equal(200);
    const taken = await provider.take('GetRequest');
    expect(taken?.attachments.map((a) => [a.contentId, a.mimeType])).to.deep.equal([
      ['scan1', 'application/pdf'],
    ]);
    expect(Buffer.compare(taken!.attachments[0]!.content, file)).to.equal(0);
  });

  it('a signed text carried as a part verifies over the decoded text, and not once the part changes', async () => {
    const { xml } = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
      payload:
        '<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>aGVsbG8gd29ybGQ=</q:Text></q:Question>',
    });
    const optimised = optimise(xml, /<q:Text>([^<]+)<\/q:Text>/, 'text@example.org');
    expect(optimised.part.bytes.toString()).to.equal('hello world');
    const accepted = await postMtom(gateway, mtomBody(optimised.xml, [optimised.part]));
    expect(accepted.status, accepted.body).to.equal(200);
    const again = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
      payload:
        '<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>aGVsbG8gd29ybGQ=</q:Text></q:Question>',
    });
    const changed = optimise(again.xml, /<q:Text>([^<]+)<\/q:Text>/, 'text@example.org');
    const refused = await postMtom(
      gateway,
      mtomBody(changed.xml, [{ id: changed.part.id, bytes: Buffer.from('hello World') }]),
    );
    const fault = readFault(refused.body);
    expect([fault.element, fault.code]).to.deep.equal(['SignatureVerificationFault', 'SignatureIsInvalid']);
  });

  it('a GetRequest in MTOM is answered in MTOM when the message carries files, plain when the queue is empty', async () => {
    const file = Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 13) % 256));
    const sent = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
      payload: '<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>files</q:Text></q:Question>',
      attachments: [{ contentId: 'doc1', mimeType: 'application/pdf', content: file }],
    });
    expect((await postMtom(gateway, mtomBody(sent.xml, []))).status).to.equal(200);
    const take = (at: Date) =>
      rawHttp(gateway.endpoint, {
        chunks: [mtomBody(takeXml(SOAP11, sampleKey(PROVIDER), 'GetRequest', undefined, at), [])],
        headers: { 'content-type': CONTENT_TYPE, soapaction: '"urn:GetRequest"' },
      });
    const answer = await take(new Date());
    expect(answer.status, answer.body).to.equal(200);
    const type = new MIMEType(String(answer.headers['content-type']));
    expect(type.essence).to.equal('multipart/related');
    expect(type.params.get('type')).to.equal('application/xop+xml');
    const parts = [...parseMultipart(answer.bytes!, { boundary: type.params.get('boundary')! })];
    expect(parts).to.have.length(2);
    const root = Buffer.from(parts[0]!.bytes).toString('utf8');
    expect(root).to.contain('xop:Include');
    expect(root).to.not.contain(file.toString('base64'));
    expect(Buffer.compare(Buffer.from(parts[1]!.bytes), file)).to.equal(0);
    // Decoded, it is the answer a plain request gets.
    const doc = parseDom(root);
    decodeXop(doc, new Map([[(parts[1]!.headers.get('content-id') ?? '').replace(/^<|>$/g, ''), file]]));
    expect(readHandedOut(serializeXml(doc))?.attachments[0]?.content.equals(file)).to.equal(true);
    expect(readHandedOut(serializeXml(doc))?.messageId).to.equal(sent.messageId);
    await provider.ack(sent.messageId);
    const empty = await take(new Date(Date.now() - 1000));
    expect(empty.status).to.equal(200);
    expect(empty.headers['content-type']).to.match(/^text\/xml/);
  });

  describe('an answer in MTOM moves only the attachments the gateway hands out', () => {
    let consumer: QueueClient;
    before(() => {
      consumer = new QueueClient(gateway.endpoint, CONSUMER);
    });
    const file = Buffer.from(Array.from({ length: 1500 }, (_, i) => (i * 11) % 256));
    const attachments = [{ contentId: 'doc1', mimeType: 'application/pdf', content: file }];
    /** Text no XOP part can stand for, and canonical base64 that one could but may not: it is the caller's. */
    const LOOK_ALIKES = ['Not base64 at all! QR==', 'aGVsbG8gd29ybGQ='];
    /** A payload holding an element shaped like an inline attachment's content, inside the caller's signed block. */
    const withLookAlike = (root: 'Question' | 'Answer', text: string) =>
      `<q:${root} xmlns:q="urn://example.org/queue-test/1.0"><q:Text>look-alike</q:Text>` +
      `<b:AttachmentContent xmlns:b="${NS.basic}"><b:Id>doc1</b:Id><b:Content>${text}</b:Content>` +
      `</b:AttachmentContent></q:${root}>`;
    const lookAlikeOf = (handed: HandedOut | undefined) =>
      handed?.payload?.getElementsByTagNameNS(NS.basic, 'Content').item(0)?.textContent;

    /** The file alone is a part; the look-alike stays in the root as sent; both signatures verify decoded. */
    const expectDeliveredAsSigned = (answer: Awaited<ReturnType<typeof takeInMtom>>, text: string) => {
      const handed = readHandedOut(answer.decoded);
      expect(lookAlikeOf(handed)).to.equal(text);
      expectBlockSigned(gateway, answer.decoded, CALLER_BLOCK_ID, 'SenderInformationSystemSignature');
      expectGatewaySigned(gateway, answer.decoded);
      expect(answer.multipart).to.equal(true);
      expect(answer.parts.map((part) => part.equals(file))).to.deep.equal([true]);
      expect(answer.root).to.contain(`<b:Content>${text}</b:Content>`);
      expect(handed?.attachments.map((a) => a.content.equals(file))).to.deep.equal([true]);
    };

    for (const text of LOOK_ALIKES) {
      it(`GetRequest: a payload Content "${text}" keeps its text and both signatures hold`, async () => {
        const sent = await consumer.sendRequest(withLookAlike('Question', text), { attachments });
        expect(sent.status, sent.body).to.equal(200);
        expectDeliveredAsSigned(await takeInMtom(gateway.endpoint, PROVIDER, 'GetRequest'), text);
        await provider.ack(sent.messageId);
      });

      it(`GetResponse: a payload Content "${text}" keeps its text and both signatures hold`, async () => {
        const asked = await consumer.sendRequest();
        expect(asked.status, asked.body).to.equal(200);
        const taken = await provider.take('GetRequest');
        await provider.ack(taken!.messageId);
        const answered = await provider.sendResponse(taken!.replyTo!, {
          kind: 'answer',
          payload: withLookAlike('Answer', text),
          attachments,
        });
        expect(answered.status, answered.body).to.equal(200);
        expectDeliveredAsSigned(await takeInMtom(gateway.endpoint, CONSUMER, 'GetResponse'), text);
        await consumer.ack(answered.messageId);
      });
    }

    it('an attachment whose base64 is not canonical (line breaks) stays inline, as sent', async () => {
      const wrapped = file.toString('base64').replace(/.{76}/g, '$&\n');
      const { xml, messageId } = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
        payload:
          '<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>wrapped</q:Text></q:Question>',
        attachments,
      });
      // The content list stands outside the caller's signature: a client may wrap its lines.
      const sent = await consumer.post(xml.replace(file.toString('base64'), wrapped), 'urn:SendRequest');
      expect(sent.status, sent.body).to.equal(200);
      const answer = await takeInMtom(gateway.endpoint, PROVIDER, 'GetRequest');
      expect(answer.multipart).to.equal(false);
      expect(answer.root).to.contain(wrapped);
      expect(readHandedOut(answer.decoded)?.attachments[0]?.content.equals(file)).to.equal(true);
      await provider.ack(messageId);
    });
  });

  it('an xop:Include naming no part is InvalidContent', async () => {
    const { xml } = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
      payload: '<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>aGk=</q:Text></q:Question>',
    });
    const optimised = optimise(xml, /<q:Text>([^<]+)<\/q:Text>/, 'missing@example.org');
    const refused = await postMtom(gateway, mtomBody(optimised.xml, []));
    expect(refused.status).to.equal(500);
    expect(readFault(refused.body).element).to.equal('InvalidContent');
  });

  it('two xop:Include elements naming one part are InvalidContent: one part cannot grow the message many times over', async () => {
    const { xml } = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
      payload: '<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>aGk=</q:Text></q:Question>',
    });
    const include = `<xop:Include xmlns:xop="${XOP}" href="cid:big@example.org"/>`;
    const copies = `<h:Copy xmlns:h="urn://example.test/hostile">${include}</h:Copy>`.repeat(2);
    const root = xml.replace(/<soap:Header\/>|<soap:Header>/, (header) =>
      header.endsWith('/>') ? `<soap:Header>${copies}</soap:Header>` : `${header}${copies}`,
    );
    expect(root).to.contain('h:Copy');
    const refused = await postMtom(
      gateway,
      mtomBody(root, [{ id: 'big@example.org', bytes: Buffer.alloc(1024) }]),
    );
    expect(refused.status).to.equal(500);
    const fault = readFault(refused.body);
    expect(fault.element).to.equal('InvalidContent');
    expect(fault.reason).to.match(/two xop:Include elements name one part/);
  });

  it('two parts under one Content-ID are refused, whichever of them a reader would take', async () => {
    const { xml } = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
      payload: '<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>aGk=</q:Text></q:Question>',
    });
    const optimised = optimise(xml, /<q:Text>([^<]+)<\/q:Text>/, 'twice@example.org');
    const other = { id: 'twice@example.org', bytes: Buffer.from('other') };
    const refused = await postMtom(gateway, mtomBody(optimised.xml, [optimised.part, other]));
    expect(refused.status).to.equal(500);
    const fault = readFault(refused.body);
    expect(fault.code).to.equal('MalformedXml');
    expect(fault.reason).to.match(/share Content-ID/);
  });

  it('an xop:Include as the root of the envelope part is InvalidContent, not an internal error', async () => {
    const root = `<xop:Include xmlns:xop="${XOP}" href="cid:p@example.org"/>`;
    const refused = await postMtom(
      gateway,
      mtomBody(root, [{ id: 'p@example.org', bytes: Buffer.from('x') }]),
    );
    expect(refused.status).to.equal(500);
    expect(readFault(refused.body).element).to.equal('InvalidContent');
  });

  it('a root part that is not application/xop+xml in UTF-8 is 415: it is read as UTF-8, whatever it declares', async () => {
    const { xml } = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
      payload: '<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>x</q:Text></q:Question>',
    });
    for (const rootType of [
      'application/xop+xml; charset=ISO-8859-1; type="text/xml"',
      'text/plain',
      'text/xml; charset=UTF-8',
    ]) {
      const refused = await postMtom(gateway, mtomBody(xml, [], rootType));
      expect(refused.status, rootType).to.equal(415);
      expect(readFault(refused.body).code, rootType).to.equal('UnsupportedMediaType');
    }
  });

  it('a start-info that names another multipart package is 415', async () => {
    const { xml } = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
      payload: '<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>x</q:Text></q:Question>',
    });
    const refused = await postMtom(
      gateway,
      mtomBody(xml, []),
      CONTENT_TYPE.replace(
        'start-info="text/xml"',
        'start-info="multipart/related; type=\\"application/xop+xml\\""',
      ),
    );
    expect(refused.status).to.equal(415);
    expect(readFault(refused.body).code).to.equal('UnsupportedMediaType');
  });

  it('a multipart body without its closing boundary is refused with a fault, not a crash', async () => {
    const { xml } = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
      payload: '<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>x</q:Text></q:Question>',
    });
    const body = mtomBody(xml, []);
    const cut = body.subarray(0, body.length - BOUNDARY.length - 8);
    const refused = await postMtom(gateway, cut);
    expect(refused.status).to.equal(500);
    expect(readFault(refused.body).code).to.equal('MalformedXml');
  });

  describe('ambiguity in the package is refused, as in a plain Content-Type', () => {
    const question = () =>
      sendRequestXml(SOAP11, sampleKey(CONSUMER), {
        payload: '<q:Question xmlns:q="urn://example.org/queue-test/1.0"><q:Text>x</q:Text></q:Question>',
      }).xml;

    for (const [name, extra] of [
      ['boundary', `; boundary="other"`],
      ['type', `; TYPE="text/xml"`],
      ['start', `; start="<other@example.org>"`],
      ['start-info', `; start-info="application/soap+xml"`],
    ] as const) {
      it(`a multipart/related Content-Type giving ${name} twice is 415`, async () => {
        const refused = await postMtom(gateway, mtomBody(question(), []), `${CONTENT_TYPE}${extra}`);
        expect(refused.status).to.equal(415);
        const fault = readFault(refused.body);
        expect(fault.code).to.equal('UnsupportedMediaType');
        expect(fault.reason).to.contain(`${name} parameter twice`);
      });
    }

    it('a root part whose Content-Type gives charset twice is 415', async () => {
      const rootType = 'application/xop+xml; charset=UTF-8; type="text/xml"; charset=ISO-8859-1';
      const refused = await postMtom(gateway, mtomBody(question(), [], rootType));
      expect(refused.status).to.equal(415);
      expect(readFault(refused.body).reason).to.contain('charset parameter twice');
    });

    // Extra header lines ride on the root part's Content-Type line.
    for (const [what, extra] of [
      ['Content-Type', 'Content-Type: text/plain'],
      ['Content-ID', 'Content-ID: <other@example.org>'],
      ['Content-Transfer-Encoding', 'content-transfer-encoding: binary'],
    ] as const) {
      it(`a part giving its ${what} header twice is refused`, async () => {
        const refused = await postMtom(gateway, mtomBody(question(), [], `${ROOT_TYPE}\r\n${extra}`));
        expect(refused.status).to.equal(500);
        const fault = readFault(refused.body);
        expect(fault.code).to.equal('MalformedXml');
        expect(fault.reason).to.match(/header twice/);
      });
    }

    it('a folded header line, or a line that is no header, in a part is refused', async () => {
      for (const extra of [' ; charset=ISO-8859-1', 'no header here']) {
        const refused = await postMtom(gateway, mtomBody(question(), [], `${ROOT_TYPE}\r\n${extra}`));
        expect(refused.status, extra).to.equal(500);
        expect(readFault(refused.body).code, extra).to.equal('MalformedXml');
      }
    });

    it('Content-IDs that differ only in case are one, and one with spaces or brackets inside is refused', async () => {
      const optimised = optimise(question(), /<q:Text>([^<]+)<\/q:Text>/, 'twice@example.org');
      const other = { id: 'TWICE@Example.org', bytes: Buffer.from('other') };
      const twice = await postMtom(gateway, mtomBody(optimised.xml, [optimised.part, other]));
      expect(readFault(twice.body).reason).to.match(/share Content-ID/);
      for (const id of [' p@example.org ', '<p@example.org']) {
        const spaced = optimise(question(), /<q:Text>([^<]+)<\/q:Text>/, 'p@example.org');
        const refused = await postMtom(gateway, mtomBody(spaced.xml, [{ ...spaced.part, id }]));
        expect(refused.status, id).to.equal(500);
        expect(readFault(refused.body).reason, id).to.contain('Content-ID is malformed');
      }
    });

    it('a boundary RFC 2046 does not allow (over 70 characters, or ending in a space) is 415', async () => {
      for (const boundary of ['b'.repeat(71), 'ends-in-space ']) {
        const body = Buffer.from(
          mtomBody(question(), []).toString('latin1').split(BOUNDARY).join(boundary),
          'latin1',
        );
        const refused = await postMtom(gateway, body, CONTENT_TYPE.replace(BOUNDARY, boundary));
        expect(refused.status, JSON.stringify(boundary)).to.equal(415);
        expect(readFault(refused.body).reason).to.contain('boundary');
      }
      const longest = 'b'.repeat(70);
      const body = Buffer.from(
        mtomBody(question(), []).toString('latin1').split(BOUNDARY).join(longest),
        'latin1',
      );
      expect((await postMtom(gateway, body, CONTENT_TYPE.replace(BOUNDARY, longest))).status).to.equal(200);
    });

    it('a part in another transfer encoding than binary is 415: the gateway reads its bytes as they are', async () => {
      const bytes = Buffer.from('aGk=');
      const optimised = optimise(question(), /<q:Text>([^<]+)<\/q:Text>/, 'p@example.org');
      const body = mtomBody(optimised.xml, [{ id: 'p@example.org', bytes }]);
      const encoded = Buffer.from(
        body.toString('latin1').replace(/binary(\r\nContent-ID: <p@)/, 'base64$1'),
        'latin1',
      );
      const refused = await postMtom(gateway, encoded);
      expect(refused.status).to.equal(415);
      expect(readFault(refused.body).reason).to.contain('Content-Transfer-Encoding base64');
    });
  });

  it('multipart/related that is not XOP is 415', async () => {
    const refused = await postMtom(
      gateway,
      mtomBody('<x/>', []),
      `multipart/related; type="text/xml"; boundary="${BOUNDARY}"`,
    );
    expect(refused.status).to.equal(415);
    expect(readFault(refused.body).code).to.equal('UnsupportedMediaType');
  });
});
