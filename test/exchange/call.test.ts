import { expect } from 'chai';
import { readCallAnswer } from '../../src/client/answer.js';
import { PING_NS } from '../../src/providers/ping/codec.js';
import { parseDom } from '../../src/xml/dom.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { SOAP11, SOAP12 } from '../../src/soap/version.js';
import { buildCallRequest, signCallRequest } from '../../src/client/request.js';
import { PING_PAYLOAD, post, sampleKey, signedCall, useGateway } from '../support/gateway.js';

describe('Call end to end (SQLite)', () => {
  const gateway = useGateway();

  for (const version of [SOAP11, SOAP12]) {
    it(`answers a signed ping in SOAP ${version.name} with a signed answer of the same version`, async () => {
      const { xml, messageId } = signedCall({ version });
      const response = await post(gateway, xml, version);
      expect(response.status).to.equal(200);
      expect(response.body).to.contain(version.envelopeNs);
      const answer = readCallAnswer(response.body, loadTrustStore(gateway.config));
      expect(answer.kind).to.equal('answer');
      if (answer.kind !== 'answer') return;
      expect(answer.payload).to.contain('<Text>hello</Text>');
      expect(response.body).to.contain(`<ns2:OriginalMessageId>${messageId}</ns2:OriginalMessageId>`);
    });
  }

  it('echoes text as it was sent: a carriage return stays one, and text that looks like a reference stays text', async () => {
    const payload = PING_PAYLOAD.replace('>hello<', '>a&#13;b&#13;&#10;c &amp;lt; &amp;#65; &amp;amp;<');
    const response = await post(gateway, signedCall({ payload }).xml);
    expect(response.status, response.body).to.equal(200);
    const answer = readCallAnswer(response.body, loadTrustStore(gateway.config));
    if (answer.kind !== 'answer') throw new Error(`no answer: ${response.body}`);
    const text = parseDom(answer.payload ?? '').getElementsByTagNameNS(PING_NS, 'Text')[0]?.textContent;
    expect(text).to.equal('a\rb\r\nc &lt; &#65; &amp;');
  });

  it('refuses the same MessageID twice', async () => {
    const first = signedCall();
    expect((await post(gateway, first.xml)).status).to.equal(200);
    const again = await post(gateway, first.xml);
    expect(again.status).to.equal(500);
    expect(again.body).to.contain('MessageIsAlreadySent');
  });
});

describe('Call with the SMEV signing profile', () => {
  const gateway = useGateway();

  it('accepts a request signed with exclusive c14n followed by the SMEV transform, as SMEV 3 clients sign', async () => {
    const request = buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD });
    const signed = signCallRequest(request.xml, sampleKey('DEMO_CONSUMER'), 'smev');
    expect(signed).to.contain('urn://smev-gov-ru/xmldsig/transform');
    const response = await post(gateway, signed);
    expect(response.status).to.equal(200);
    expect(response.body).to.contain('<Text>hello</Text>');
  });

  it('refuses such a request once its signed content is changed', async () => {
    const request = buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD });
    const signed = signCallRequest(request.xml, sampleKey('DEMO_CONSUMER'), 'smev').replace(
      '>hello<',
      '>hallo<',
    );
    const response = await post(gateway, signed);
    expect(response.body).to.contain('SignatureIsInvalid');
  });
});
