/**
 * The SMEV transform's output escaping end to end: the gateway's client signs in the reference form (Woodstox,
 * as the SMEV guidelines' transform writes it), and the gateway verifies both that form and the older Java
 * writer's, which clients of both kinds send. A signed text holding `>` is where the two differ.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { buildCallRequest, signCallRequest } from '../../src/client/request.js';
import { SIGNATURE_ALGORITHMS, tableEntry } from '../../src/signature/algorithms.js';
import { smevTransformNode, type SmevEscaping } from '../../src/signature/smev-transform.js';
import { canonical } from '../../src/signature/transforms.js';
import { NS } from '../../src/soap/namespaces.js';
import { SOAP11 } from '../../src/soap/version.js';
import { childElements, parseDom, serializeXml, type Element } from '../../src/xml/dom.js';
import { post, sampleKey, useGateway } from '../support/gateway.js';

const payload = (text: string) =>
  `<ping:PingRequest xmlns:ping="urn://smev-gateway/services/ping/1.0"><ping:Text>${text}</ping:Text></ping:PingRequest>`;

const key = () => sampleKey('DEMO_CONSUMER');

/** A Call signed with the SMEV profile, its digest then made over the transform written in `escaping`. */
function signedIn(escaping: SmevEscaping, text: string, messageId?: string): string {
  const request = buildCallRequest({
    version: SOAP11,
    payload: payload(text),
    ...(messageId ? { messageId } : {}),
  });
  const xml = signCallRequest(request.xml, key(), 'smev');
  if (escaping === 'reference') return xml;
  const doc = parseDom(xml);
  const block = doc.getElementsByTagNameNS(NS.types, 'SenderProvidedRequestData').item(0) as Element;
  const signature = doc.getElementsByTagNameNS(NS.ds, 'Signature').item(0) as Element;
  const [signedInfo, signatureValue] = childElements(signature) as [Element, Element];
  const digestValue = signedInfo.getElementsByTagNameNS(NS.ds, 'DigestValue').item(0) as Element;
  digestValue.textContent = createHash('sha256')
    .update(smevTransformNode(block, escaping), 'utf8')
    .digest('base64');
  const algorithm = tableEntry(SIGNATURE_ALGORITHMS, key().signatureAlgorithm);
  signatureValue.textContent = algorithm!
    .sign(key().privateKey, Buffer.from(canonical(signedInfo), 'utf8'))
    .toString('base64');
  return serializeXml(doc);
}

function digestOf(xml: string): string {
  return /<ds:DigestValue>([^<]+)</.exec(xml)?.[1] ?? '';
}

describe('SMEV transform escaping through the endpoint', function () {
  this.timeout(60_000);
  const gateway = useGateway();

  it('the client signs in the reference form: > in the middle of a text is written as it is', () => {
    const xml = signedIn('reference', 'a &gt; b');
    const block = parseDom(xml)
      .getElementsByTagNameNS(NS.types, 'SenderProvidedRequestData')
      .item(0) as Element;
    const reference = smevTransformNode(block, 'reference');
    expect(reference).to.contain('>a > b<');
    expect(smevTransformNode(block, 'legacy')).to.contain('>a &gt; b<');
    expect(digestOf(xml)).to.equal(createHash('sha256').update(reference, 'utf8').digest('base64'));
  });

  for (const escaping of ['reference', 'legacy'] as const) {
    it(`a request signed in the ${escaping} form is answered`, async () => {
      const response = await post(gateway, signedIn(escaping, 'a &gt; b &amp; c'));
      expect(response.status, response.body.slice(0, 400)).to.equal(200);
      expect(response.body).to.contain('PingResponse');
    });

    it(`a request signed in the ${escaping} form and then altered is refused`, async () => {
      const response = await post(gateway, signedIn(escaping, 'a &gt; b').replace('a &gt; b', 'a &gt; c'));
      expect(response.status).to.equal(500);
      expect(response.body).to.contain('SignatureIsInvalid');
    });
  }

  it('where the forms agree (no > nor CR in the text), one digest serves both', () => {
    const id = 'a1b2c3d0-0000-1000-8000-000000000000';
    expect(digestOf(signedIn('legacy', 'plain', id))).to.equal(digestOf(signedIn('reference', 'plain', id)));
    expect(digestOf(signedIn('legacy', 'a &gt; b', id))).to.not.equal(
      digestOf(signedIn('reference', 'a &gt; b', id)),
    );
  });
});
