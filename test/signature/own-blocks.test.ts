/**
 * The signer signs the very element a writer hands it, and refuses to sign when the Id its Reference would name
 * occurs more than once in the document: a verifier resolving `#Id` could otherwise check another element.
 */
import { expect } from 'chai';
import { writeTakeAnswer } from '../../src/smev/queued-answers.js';
import { readSignature } from '../../src/signature/signature-element.js';
import { GatewaySigner } from '../../src/signature/signer.js';
import { certificatePublicKey } from '../../src/signature/keys.js';
import { pemBody } from '../../src/signature/pki/thumbprint.js';
import { verifyDetached } from '../../src/signature/xml-signature.js';
import { NS } from '../../src/soap/namespaces.js';
import { SOAP11 } from '../../src/soap/version.js';
import { childElements, parseDom, type Element } from '../../src/xml/dom.js';
import { sampleKey } from '../support/gateway.js';

const queued = (inner: string) =>
  `<ns2:Request xmlns:ns2="${NS.types}" Id="SIGNED_BY_SMEV"><ns2:SenderProvidedRequestData Id="SIGNED_BY_CALLER">` +
  `<ns2:MessageID>a1b2c3d0-0000-1000-8000-000000000000</ns2:MessageID>${inner}</ns2:SenderProvidedRequestData>` +
  '<ns2:ReplyTo>r</ns2:ReplyTo></ns2:Request>';

describe('the signer signs the elements it is handed', () => {
  const signer = new GatewaySigner(sampleKey('SOCPROTECT_47'));

  it('a handed-out message: the gateway block is the queued element itself, and its signature verifies', async () => {
    const { doc, slots } = writeTakeAnswer(SOAP11, 'GetRequest', {
      body: queued(''),
      attachments: undefined,
    });
    expect(slots).to.have.length(1);
    expect(slots[0]?.target.localName).to.equal('Request');
    const signed = parseDom(await signer.signAnswer(doc, slots));
    const holder = signed.getElementsByTagNameNS(NS.types, 'RequestMessage').item(0) as Element;
    const [block, container] = childElements(holder) as [Element, Element];
    const signature = readSignature(signed, container, block);
    verifyDetached(
      signature,
      certificatePublicKey(pemBody(sampleKey('SOCPROTECT_47').certificatePem)),
      block,
    );
  });

  const refusal = async (signing: Promise<string>) => {
    try {
      await signing;
    } catch (error) {
      return (error as Error).message;
    }
    return 'signed';
  };

  it('signs when the Id occurs once, and an attribute of another name with that value is no Id', async () => {
    const other = queued(
      `<x:Decoy xmlns:x="urn:x" Name="SIGNED_BY_SMEV" x:Id="SIGNED_BY_SMEV">kept</x:Decoy>`,
    );
    const { doc, slots } = writeTakeAnswer(SOAP11, 'GetRequest', { body: other, attachments: undefined });
    expect(await refusal(signer.signAnswer(doc, slots))).to.equal('signed');
  });

  it('refuses to sign when its Id occurs twice in the document (content carrying the gateway Id)', async () => {
    const planted = queued(`<ns2:Decoy xmlns:ns2="${NS.types}" Id="SIGNED_BY_SMEV">forged</ns2:Decoy>`);
    const { doc, slots } = writeTakeAnswer(SOAP11, 'GetRequest', { body: planted, attachments: undefined });
    expect(await refusal(signer.signAnswer(doc, slots))).to.match(/SIGNED_BY_SMEV occurs 2 times/);
  });

  it('the same for ID, id and wsu:Id attributes with that value', async () => {
    const wsu = `xmlns:wsu="${NS.wsu}" wsu:Id`;
    for (const name of ['ID', 'id', wsu]) {
      const planted = queued(`<x:Decoy xmlns:x="urn:x" ${name}="SIGNED_BY_SMEV">forged</x:Decoy>`);
      const { doc, slots } = writeTakeAnswer(SOAP11, 'GetRequest', { body: planted, attachments: undefined });
      expect(await refusal(signer.signAnswer(doc, slots)), name).to.match(/occurs 2 times/);
    }
  });
});
