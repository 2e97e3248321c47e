/**
 * Interoperability with Debian's xmlsec1 (the reference XMLDSig implementation on libxml2 + OpenSSL): a request
 * signed by `xmlsec1 --sign` from a template is accepted by the gateway, and what the gateway and its client sign
 * verifies with `xmlsec1 --verify` against the sample CA — each ds:Signature picked by --node-xpath, since xmlsec1
 * otherwise verifies only the first one in the document. xmlsec1 must be installed (CI installs it): these tests
 * fail, never skip, without it.
 *
 * The commands, with T = urn://x-artefacts-smev-gov-ru/services/message-exchange/types/1.1:
 *   xmlsec1 --sign --privkey-pem certs-sample/DEMO_CONSUMER.key.pem,certs-sample/DEMO_CONSUMER.crt.pem \
 *           --id-attr:Id T:SenderProvidedRequestData --output out.xml tmpl.xml
 *   xmlsec1 --verify --trusted-pem certs-sample/ca.crt.pem --id-attr:Id T:SenderProvidedRequestData request.xml
 *   xmlsec1 --verify --trusted-pem certs-sample/ca.crt.pem --id-attr:Id T:SenderProvidedResponseData \
 *           --id-attr:Id T:Response --node-xpath "//*[local-name()='SMEVSignature']/*[local-name()='Signature']" answer.xml
 *   (and the same with SenderInformationSystemSignature for the provider's signature)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readCallAnswer } from '../../src/client/answer.js';
import { buildCallRequest } from '../../src/client/request.js';
import { createRootCa } from '../../src/sample-pki/issue.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { NS } from '../../src/soap/namespaces.js';
import { SOAP11, SOAP12 } from '../../src/soap/version.js';
import { readHandedOut, sendRequestXml, takeXml } from '../../src/client/queued.js';
import { postSoap } from '../../src/client/send.js';
import { PING_PAYLOAD, post, sampleKey, signedCall, useGateway } from '../support/gateway.js';
import { takeInMtom } from '../support/mtom.js';
import { addQueueRoute, CONSUMER, PROVIDER, QUESTION_PAYLOAD, QueueClient } from '../queue/support.js';

const XMLSEC1 = process.env.XMLSEC1 ?? 'xmlsec1';
const CA = 'certs-sample/ca.crt.pem';
const KEY = 'certs-sample/DEMO_CONSUMER.key.pem';
const CERT = 'certs-sample/DEMO_CONSUMER.crt.pem';
const idAttr = (localName: string) => ['--id-attr:Id', `${NS.types}:${localName}`];
const signatureIn = (container: string) => `//*[local-name()='${container}']/*[local-name()='Signature']`;

/** The ds:Signature template xmlsec1 fills in: exc-c14n, RSA-SHA256, one Reference to the block, SHA-256. */
const TEMPLATE =
  `<ds:Signature xmlns:ds="${NS.ds}"><ds:SignedInfo>` +
  '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>' +
  '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>' +
  '<ds:Reference URI="#SIGNED_BY_CONSUMER"><ds:Transforms>' +
  '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>' +
  '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>' +
  '</ds:SignedInfo><ds:SignatureValue/>' +
  '<ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo></ds:Signature>';

interface Run {
  readonly status: number | null;
  readonly output: string;
}

describe('xmlsec1 interoperability', () => {
  let dir: string;
  let counter = 0;

  const file = (name: string, text: string): string => {
    const path = join(dir, `${++counter}-${name}`);
    writeFileSync(path, text);
    return path;
  };

  const xmlsec1 = (args: readonly string[]): Run => {
    const run = spawnSync(XMLSEC1, args, { encoding: 'utf8' });
    if (run.error) throw run.error;
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  };

  /** `xmlsec1 --verify` of the signature chosen by `xpath` (or the first one), trusting `ca`. */
  const verify = (xml: string, ids: readonly string[], xpath?: string, ca = CA): Run =>
    xmlsec1([
      '--verify',
      '--trusted-pem',
      ca,
      ...ids.flatMap(idAttr),
      ...(xpath ? ['--node-xpath', xpath] : []),
      file('verify.xml', xml),
    ]);

  const expectVerified = (run: Run) => {
    expect(run.status, run.output).to.equal(0);
    expect(run.output).to.match(/^OK$/m);
    expect(run.output).to.contain('SignedInfo References (ok/all): 1/1');
  };
  /** A digest or signature mismatch prints FAIL; a key that cannot be trusted prints ERROR. */
  const expectFailed = (run: Run, verdict: 'FAIL' | 'ERROR' = 'FAIL') => {
    expect(run.status, run.output).to.not.equal(0);
    expect(run.output).to.match(new RegExp(`^${verdict}$`, 'm'));
    expect(run.output).not.to.match(/^OK$/m);
  };

  const answerOf = async (xml: string, version = SOAP11) => {
    const response = await post(gateway, xml, version);
    expect(response.status, response.body.slice(0, 400)).to.equal(200);
    expect(response.body).to.contain('PingResponse');
    return response.body;
  };
  const ANSWER_IDS = ['SenderProvidedResponseData', 'Response'];

  before(async function () {
    const probe = spawnSync(XMLSEC1, ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      throw new Error(
        `xmlsec1 is required for these tests and was not found (${probe.error?.message ?? probe.stderr}); ` +
          'install it: apt-get install -y xmlsec1',
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'smev-gateway-xmlsec1-'));
  });
  const gateway = useGateway();
  before(() => addQueueRoute(gateway));
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A Call request with `template` in its signature container, signed by `xmlsec1 --sign` with `keyArgs`. */
  const signedByXmlsec1 = (
    template: string,
    keyArgs: readonly string[],
    reshape = (unsigned: string) => unsigned,
  ): string => {
    const unsigned = reshape(buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD }).xml);
    const filled = unsigned.replace(
      '<ns2:CallerInformationSystemSignature/>',
      `<ns2:CallerInformationSystemSignature>${template}</ns2:CallerInformationSystemSignature>`,
    );
    expect(filled).to.contain(template);
    const out = file('xmlsec1-signed.xml', '');
    const run = xmlsec1([
      '--sign',
      ...keyArgs,
      ...idAttr('SenderProvidedRequestData'),
      '--output',
      out,
      file('template.xml', filled),
    ]);
    expect(run.status, run.output).to.equal(0);
    const signed = readFileSync(out, 'utf8');
    expect(signed).not.to.contain('<ds:DigestValue/>');
    return signed;
  };

  const expectPingAnswer = async (signed: string) => {
    const body = await answerOf(signed);
    const answer = readCallAnswer(body, loadTrustStore(gateway.config));
    expect(answer.kind).to.equal('answer');
    if (answer.kind === 'answer') expect(answer.payload).to.contain('<Text>hello</Text>');
  };

  it('the gateway accepts a request signed by xmlsec1 --sign from a template', async () => {
    const signed = signedByXmlsec1(TEMPLATE, ['--privkey-pem', `${KEY},${CERT}`]);
    expect(signed).not.to.contain('<ds:X509Certificate/>');
    await expectPingAnswer(signed);
  });

  it('the gateway accepts a request signed by xmlsec1 from a PKCS#12 that holds the CA too (X509Data carries the chain)', async () => {
    const p12 = join(dir, 'chain.p12');
    const openssl = spawnSync(
      'openssl',
      ['pkcs12', '-export', '-inkey', KEY, '-in', CERT, '-certfile', CA, '-passout', 'pass:x', '-out', p12],
      { encoding: 'utf8' },
    );
    expect(openssl.status, openssl.stderr).to.equal(0);
    const signed = signedByXmlsec1(TEMPLATE.replace('<ds:X509Certificate/>', ''), [
      '--pkcs12',
      p12,
      '--pwd',
      'x',
    ]);
    expect(signed.match(/<ds:X509Certificate>/g)).to.have.length(2);
    expectVerified(verify(signed, ['SenderProvidedRequestData']));
    await expectPingAnswer(signed);
  });

  describe('exclusive c14n with InclusiveNamespaces (Exclusive XML Canonicalization 1.0, section 3)', () => {
    // CallRequest declares a default namespace and a prefix that nothing in the signed block uses; listed, their
    // declarations are signed (sync is in scope too, and not visibly used either).
    const EXTRA = 'xmlns:extra="urn://smev-gateway/test/extra"';
    const DEFAULT = 'xmlns="urn://smev-gateway/test/default"';
    const inclusive = (prefixes: string) =>
      `<ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="${prefixes}"/>`;
    const EXC = 'Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>';
    const templates: Record<string, string> = {
      'the Reference transform': TEMPLATE.replace(
        `<ds:Transform ${EXC}`,
        `<ds:Transform ${EXC.slice(0, -2)}>${inclusive('sync extra #default')}</ds:Transform>`,
      ),
      CanonicalizationMethod: TEMPLATE.replace(
        `<ds:CanonicalizationMethod ${EXC}`,
        `<ds:CanonicalizationMethod ${EXC.slice(0, -2)}>${inclusive('soap sync extra #default')}</ds:CanonicalizationMethod>`,
      ),
    };
    const signedWith = (template: string) =>
      signedByXmlsec1(template, ['--privkey-pem', `${KEY},${CERT}`], (unsigned) =>
        unsigned.replace('<sync:CallRequest ', `<sync:CallRequest ${DEFAULT} ${EXTRA} `),
      );

    for (const [where, template] of Object.entries(templates)) {
      it(`a request signed by xmlsec1 with a PrefixList on ${where} is accepted; a listed declaration changed is refused`, async () => {
        expect(template).to.contain('InclusiveNamespaces');
        const signed = signedWith(template);
        expect(signed).to.contain(EXTRA);
        await expectPingAnswer(signed);
        for (const tampered of [
          signed.replace(EXTRA, 'xmlns:extra="urn://smev-gateway/test/other"'),
          signed.replace(DEFAULT, 'xmlns="urn://smev-gateway/test/other"'),
        ]) {
          expect(tampered).not.to.equal(signed);
          expectFailed(verify(tampered, ['SenderProvidedRequestData']));
          const refused = await post(gateway, tampered);
          expect(refused.status).to.equal(500);
          expect(refused.body).to.contain('SignatureIsInvalid');
        }
      });
    }

    it('without the PrefixList the same change is not signed (the control: the list is what binds it)', async () => {
      const signed = signedWith(TEMPLATE);
      await expectPingAnswer(signed.replace(EXTRA, 'xmlns:extra="urn://smev-gateway/test/other"'));
    });
  });

  for (const version of [SOAP11, SOAP12]) {
    it(`both signatures of the gateway's SOAP ${version.name} answer verify with xmlsec1, each picked by --node-xpath`, async () => {
      const body = await answerOf(signedCall({ version }).xml, version);
      expectVerified(verify(body, ANSWER_IDS, signatureIn('SenderInformationSystemSignature')));
      expectVerified(verify(body, ANSWER_IDS, signatureIn('SMEVSignature')));
    });
  }

  it('a fault the gateway signs (sender known) verifies with xmlsec1', async () => {
    const first = signedCall();
    await answerOf(first.xml);
    const again = await post(gateway, first.xml);
    expect(again.status).to.equal(500);
    expect(again.body).to.contain('MessageIsAlreadySent');
    expect(again.body).to.contain('SMEVSignature');
    const run = xmlsec1([
      '--verify',
      '--trusted-pem',
      CA,
      // The signed fault's SOAP Body carries wsu:Id; xmlsec1 matches the attribute by its local name.
      '--id-attr:Id',
      `${NS.soap11}:Body`,
      '--node-xpath',
      signatureIn('SMEVSignature'),
      file('fault.xml', again.body),
    ]);
    expectVerified(run);
  });

  it('a queued request handed out with an attachment: the gateway and the consumer signatures verify with xmlsec1', async () => {
    const request = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
      payload: QUESTION_PAYLOAD,
      attachments: [{ contentId: 'scan.pdf', mimeType: 'application/pdf', content: Buffer.alloc(2000, 1) }],
    });
    // The consumer's SendRequest itself, as xmlsec1 sees it.
    expectVerified(verify(request.xml, ['SenderProvidedRequestData']));
    expect((await postSoap(gateway.endpoint, request.xml, SOAP11, 'urn:SendRequest')).status).to.equal(200);
    const taken = await postSoap(
      gateway.endpoint,
      takeXml(SOAP11, sampleKey(PROVIDER), 'GetRequest'),
      SOAP11,
      'urn:GetRequest',
    );
    expect(taken.body).to.contain('AttachmentContentList');
    const ids = ['SenderProvidedRequestData', 'Request'];
    expectVerified(verify(taken.body, ids, signatureIn('SMEVSignature')));
    expectVerified(verify(taken.body, ids, signatureIn('SenderInformationSystemSignature')));
  });

  it('handed out in MTOM, a payload Content shaped like an attachment keeps its text: both signatures verify with xmlsec1', async () => {
    const consumer = new QueueClient(gateway.endpoint, CONSUMER);
    const provider = new QueueClient(gateway.endpoint, PROVIDER);
    const attachments = [
      { contentId: 'scan.pdf', mimeType: 'application/pdf', content: Buffer.alloc(900, 7) },
    ];
    const payload = (root: string) =>
      `<q:${root} xmlns:q="urn://example.org/queue-test/1.0"><q:Text>x</q:Text>` +
      `<b:AttachmentContent xmlns:b="${NS.basic}"><b:Id>scan.pdf</b:Id>` +
      `<b:Content>Not base64 at all! QR==</b:Content></b:AttachmentContent></q:${root}>`;
    const expectBothVerified = (xml: string, ids: readonly string[]) => {
      expect(xml).to.contain('Not base64 at all! QR==');
      expectVerified(verify(xml, ids, signatureIn('SMEVSignature')));
      expectVerified(verify(xml, ids, signatureIn('SenderInformationSystemSignature')));
    };

    const asked = await consumer.sendRequest(payload('Question'), { attachments });
    expect(asked.status, asked.body).to.equal(200);
    const request = await takeInMtom(gateway.endpoint, PROVIDER, 'GetRequest');
    expect(readHandedOut(request.decoded)?.messageId).to.equal(asked.messageId);
    expectBothVerified(request.decoded, ['SenderProvidedRequestData', 'Request']);
    await provider.ack(asked.messageId);

    const answered = await provider.sendResponse(readHandedOut(request.decoded)!.replyTo!, {
      kind: 'answer',
      payload: payload('Answer'),
      attachments,
    });
    expect(answered.status, answered.body).to.equal(200);
    const response = await takeInMtom(gateway.endpoint, CONSUMER, 'GetResponse');
    expect(readHandedOut(response.decoded)?.messageId).to.equal(answered.messageId);
    expectBothVerified(response.decoded, ['SenderProvidedResponseData', 'Response']);
    await consumer.ack(answered.messageId);
  });

  it("a request built by the gateway's client (signedCall) verifies with xmlsec1", () => {
    for (const version of [SOAP11, SOAP12]) {
      expectVerified(verify(signedCall({ version }).xml, ['SenderProvidedRequestData']));
    }
  });

  it('a request printed by the CLI (smev-gateway request) verifies with xmlsec1', () => {
    const cli = spawnSync(
      process.execPath,
      ['dist/src/cli/main.js', 'request', '-s', 'DEMO_CONSUMER', 'examples/ping.xml'],
      {
        encoding: 'utf8',
      },
    );
    expect(cli.status, cli.stderr).to.equal(0);
    expect(cli.stdout).to.contain('SenderProvidedRequestData');
    expectVerified(verify(cli.stdout, ['SenderProvidedRequestData']));
  });

  describe('tampering is detected by xmlsec1 (so the checks above can fail)', () => {
    let body: string;
    before(async () => {
      body = await answerOf(signedCall().xml);
    });

    it('metadata changed outside the provider block: the SMEV signature fails, the provider signature still holds', () => {
      const tampered = body.replace(
        '<ns2:Recipient><ns2:Mnemonic>DEMO_CONSUMER</ns2:Mnemonic>',
        '<ns2:Recipient><ns2:Mnemonic>SOCCARD_28</ns2:Mnemonic>',
      );
      expect(tampered).not.to.equal(body);
      expectVerified(verify(tampered, ANSWER_IDS, signatureIn('SenderInformationSystemSignature')));
      expectFailed(verify(tampered, ANSWER_IDS, signatureIn('SMEVSignature')));
    });

    it('the provider payload changed: both signatures fail', () => {
      const tampered = body.replace('<Text>hello</Text>', '<Text>pwned</Text>');
      expect(tampered).not.to.equal(body);
      expectFailed(verify(tampered, ANSWER_IDS, signatureIn('SenderInformationSystemSignature')));
      expectFailed(verify(tampered, ANSWER_IDS, signatureIn('SMEVSignature')));
    });

    it('a client request with its payload changed fails', () => {
      const tampered = signedCall().xml.replace(
        '<ping:Text>hello</ping:Text>',
        '<ping:Text>pwned</ping:Text>',
      );
      expectFailed(verify(tampered, ['SenderProvidedRequestData']));
    });

    it('an untouched answer fails against a CA that did not issue its certificates', () => {
      const other = createRootCa({ commonName: 'another CA', years: 1 });
      const run = verify(body, ANSWER_IDS, signatureIn('SMEVSignature'), file('other-ca.pem', other.certPem));
      expectFailed(run, 'ERROR');
      expect(run.output).to.contain('unable to get local issuer certificate');
    });
  });
});
