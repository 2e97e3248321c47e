/**
 * Interoperability with the JDK's own XMLDSig (javax.xml.crypto.dsig, JSR 105: Apache Santuario inside the JDK),
 * what a Java information system signs and verifies with: a Call and a queued SendRequest signed by the JDK are
 * accepted by the gateway, and every signature the gateway writes (both of a Call answer, a signed fault's, a
 * GetRequest answer's with the JDK's own signature relayed in it) and its client writes verifies in the JDK with
 * secure validation on; a changed byte of signed content fails there, and a JDK-signed request changed
 * after signing is refused by the gateway. The peer is one Java file, test/interop/java/JdkXmlDsig.java, compiled
 * here with javac into a scratch folder; it uses the RSA `xmldsig` profile (exclusive c14n only: the JDK knows no
 * SMEV transform), which is the profile of the gateway's own signatures. Java (Debian's openjdk-17-jdk-headless;
 * CI installs it) must be present: these tests fail, never skip, without it, as the xmlsec1 and zeep ones do.
 *
 * The commands, with D a scratch folder:
 *   javac -d D test/interop/java/JdkXmlDsig.java
 *   java -cp D JdkXmlDsig sign unsigned.xml SIGNED_BY_CONSUMER CallerInformationSystemSignature \
 *        certs-sample/DEMO_CONSUMER.key.pem certs-sample/DEMO_CONSUMER.crt.pem signed.xml
 *   java -cp D JdkXmlDsig verify answer.xml        (every ds:Signature, each with the certificate in its KeyInfo)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readCallAnswer } from '../../src/client/answer.js';
import { buildCallRequest, CONSUMER_BLOCK_ID } from '../../src/client/request.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { SOAP11, SOAP12, type SoapVersion } from '../../src/soap/version.js';
import { readHandedOut, sendRequestXml, takeXml } from '../../src/client/queued.js';
import { postSoap } from '../../src/client/send.js';
import { CALLER_BLOCK_ID } from '../../src/smev/blocks.js';
import { NS } from '../../src/soap/namespaces.js';
import { parseDom, serializeXml } from '../../src/xml/dom.js';
import { readFault } from '../foundation/helpers.js';
import { PING_PAYLOAD, post, sampleKey, signedCall, useGateway } from '../support/gateway.js';
import { addQueueRoute, CONSUMER, PROVIDER, QUESTION_PAYLOAD } from '../queue/support.js';

const JAVA = process.env.JAVA ?? 'java';
const JAVAC = process.env.JAVAC ?? 'javac';
const SOURCE = 'test/interop/java/JdkXmlDsig.java';
const KEY = 'certs-sample/DEMO_CONSUMER.key.pem';
const CERT = 'certs-sample/DEMO_CONSUMER.crt.pem';

interface Run {
  readonly status: number | null;
  readonly output: string;
}

describe('interop: the JDK XMLDSig (javax.xml.crypto.dsig)', function () {
  this.timeout(120_000);
  let dir: string | undefined;
  let counter = 0;

  const scratch = (): string => {
    if (!dir) throw new Error('the scratch folder is not made');
    return dir;
  };
  const file = (name: string, text: string): string => {
    const path = join(scratch(), `${++counter}-${name}`);
    writeFileSync(path, text);
    return path;
  };
  const run = (command: string, args: readonly string[]): Run => {
    const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
    if (result.error) throw result.error;
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };
  /** `java [options] -cp <scratch> JdkXmlDsig ...args`; options are JVM options such as -D properties. */
  const jdk = (args: readonly string[], options: readonly string[] = []): Run =>
    run(JAVA, [...options, '-cp', scratch(), 'JdkXmlDsig', ...args]);

  /** `JdkXmlDsig verify`: every ds:Signature of the message, each with the certificate in its KeyInfo. */
  const verify = (xml: string): Run => jdk(['verify', file('verify.xml', xml)]);
  /** `JdkXmlDsig sign`: the caller's block (a Call's by default) of an unsigned request, signed by the JDK. */
  const signInJdk = (unsigned: string, options: readonly string[] = [], id = CONSUMER_BLOCK_ID): string => {
    const out = join(scratch(), `${++counter}-signed.xml`);
    const signed = jdk(
      ['sign', file('unsigned.xml', unsigned), id, 'CallerInformationSystemSignature', KEY, CERT, out],
      options,
    );
    expect(signed.status, signed.output).to.equal(0);
    return readFileSync(out, 'utf8');
  };

  /** Every signature verified: one OK line per container named, and nothing else failed. */
  const expectVerified = (result: Run, containers: readonly string[]) => {
    expect(result.status, result.output).to.equal(0);
    expect(result.output).to.match(new RegExp(`^VERIFIED ${containers.length}$`, 'm'));
    for (const container of containers) {
      expect(result.output).to.match(new RegExp(`^OK \\d+ ${container} `, 'm'));
    }
    expect(result.output).not.to.match(/^FAIL/m);
  };
  const expectFailed = (result: Run, failing: readonly string[], holding: readonly string[] = []) => {
    expect(result.status, result.output).to.equal(1);
    expect(result.output).to.match(/^FAILED /m);
    expect(result.output).not.to.match(/^VERIFIED/m);
    for (const container of failing) {
      expect(result.output).to.match(new RegExp(`^FAIL \\d+ ${container}: `, 'm'));
    }
    for (const container of holding) {
      expect(result.output).to.match(new RegExp(`^OK \\d+ ${container} `, 'm'));
    }
  };

  const unsignedCall = (version: SoapVersion = SOAP11, payload = PING_PAYLOAD) =>
    buildCallRequest({ version, payload }).xml;
  const answerOf = async (xml: string, version: SoapVersion = SOAP11) => {
    const response = await post(gateway, xml, version);
    expect(response.status, response.body.slice(0, 600)).to.equal(200);
    expect(response.body).to.contain('PingResponse');
    return response.body;
  };
  const ANSWER = ['SenderInformationSystemSignature', 'SMEVSignature'];

  before(function () {
    for (const tool of [JAVAC, JAVA]) {
      const probe = spawnSync(tool, ['-version'], { encoding: 'utf8' });
      if (probe.error || probe.status !== 0) {
        throw new Error(
          `${tool} is required for these tests and was not found (${probe.error?.message ?? probe.stderr}); ` +
            'install a JDK: apt-get install -y openjdk-17-jdk-headless',
        );
      }
    }
    dir = mkdtempSync(join(tmpdir(), 'smev-gateway-jdk-'));
    const compiled = run(JAVAC, ['-Xlint:all', '-Werror', '-d', dir, SOURCE]);
    expect(compiled.status, compiled.output).to.equal(0);
  });
  const gateway = useGateway();
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const version of [SOAP11, SOAP12]) {
    it(`the gateway accepts a SOAP ${version.name} Call signed by the JDK and answers PingResponse`, async () => {
      const signed = signInJdk(unsignedCall(version));
      expect(signed).to.contain('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">');
      // The JDK's own check of what it made, before the gateway's.
      expectVerified(verify(signed), ['CallerInformationSystemSignature']);
      const body = await answerOf(signed, version);
      const answer = readCallAnswer(body, loadTrustStore(gateway.config));
      expect(answer.kind).to.equal('answer');
      if (answer.kind === 'answer') expect(answer.payload).to.contain('<Text>hello</Text>');
    });
  }

  for (const version of [SOAP11, SOAP12]) {
    it(`both signatures of the gateway's SOAP ${version.name} answer verify in the JDK`, async () => {
      const body = await answerOf(signedCall({ version }).xml, version);
      expectVerified(verify(body), ANSWER);
    });
  }

  it("the gateway accepts the JDK's default form: ds elements in the default namespace, no prefix", async () => {
    const signed = signInJdk(unsignedCall(), ['-Ddsig.prefix=']);
    expect(signed).to.contain('<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">');
    expect(signed).not.to.contain('<ds:');
    const body = await answerOf(signed);
    expectVerified(verify(body), ANSWER);
  });

  it('text exclusive c14n must escape or keep (CR, tab, markup characters, CDATA, non-BMP) signs and verifies both ways', async () => {
    // The ping service echoes the text, so the gateway signs it again in its answer.
    const text = 'cr&#13;crlf&#13;&#10;tab\t&amp;&lt;&gt;]]&gt;"\' <![CDATA[<x> & y]]> кириллица 😀';
    const payload = `<ping:PingRequest xmlns:ping="urn://smev-gateway/services/ping/1.0"><ping:Text>${text}</ping:Text></ping:PingRequest>`;
    const signed = signInJdk(unsignedCall(SOAP11, payload));
    const body = await answerOf(signed);
    expect(body).to.contain('кириллица 😀');
    expectVerified(verify(body), ANSWER);
    // And the gateway's client signing the same text, checked by the JDK.
    expectVerified(verify(signedCall({ payload }).xml), ['CallerInformationSystemSignature']);
  });

  it('the answer to a JDK-signed Call verifies in the JDK', async () => {
    const body = await answerOf(signInJdk(unsignedCall()));
    expectVerified(verify(body), ANSWER);
  });

  it("a request signed by the gateway's client (signedCall) verifies in the JDK", () => {
    for (const version of [SOAP11, SOAP12]) {
      expectVerified(verify(signedCall({ version }).xml), ['CallerInformationSystemSignature']);
    }
  });

  it('a fault the gateway signs (sender known; wsu:Id on the SOAP Body) verifies in the JDK', async () => {
    const first = signedCall();
    await answerOf(first.xml);
    const again = await post(gateway, first.xml);
    expect(again.status).to.equal(500);
    expect(again.body).to.contain('MessageIsAlreadySent');
    expectVerified(verify(again.body), ['SMEVSignature']);
  });

  it("a SendRequest with an attachment signed by the JDK is queued, and the GetRequest answer relaying the JDK's signature verifies in the JDK", async () => {
    await addQueueRoute(gateway);
    // The client's SendRequest with its signature taken out: the JDK signs the very same block instead.
    const request = sendRequestXml(SOAP11, sampleKey(CONSUMER), {
      payload: QUESTION_PAYLOAD,
      attachments: [{ contentId: 'scan.pdf', mimeType: 'application/pdf', content: Buffer.alloc(2000, 1) }],
    });
    const doc = parseDom(request.xml);
    const container = doc.getElementsByTagNameNS(NS.types, 'CallerInformationSystemSignature').item(0);
    while (container?.firstChild) container.removeChild(container.firstChild);
    const signed = signInJdk(serializeXml(doc), [], CALLER_BLOCK_ID);
    expect(signed).not.to.equal(request.xml);
    const sent = await postSoap(gateway.endpoint, signed, SOAP11, 'urn:SendRequest');
    expect(sent.status, sent.body.slice(0, 600)).to.equal(200);
    expectVerified(verify(sent.body), ['SMEVSignature']);
    const taken = await postSoap(
      gateway.endpoint,
      takeXml(SOAP11, sampleKey(PROVIDER), 'GetRequest'),
      SOAP11,
      'urn:GetRequest',
    );
    expect(taken.status, taken.body.slice(0, 600)).to.equal(200);
    expect(readHandedOut(taken.body)?.messageId).to.equal(request.messageId);
    // The consumer's (JDK's) signature as the gateway hands it out, and the gateway's own over the message.
    expectVerified(verify(taken.body), ['SenderInformationSystemSignature', 'SMEVSignature']);
  });

  describe('tampering is detected by the JDK (so the checks above can fail)', () => {
    let body: string;
    before(async () => {
      body = await answerOf(signedCall().xml);
    });

    it('one byte of the provider payload changed: both signatures of the answer fail', () => {
      const tampered = body.replace('<Text>hello</Text>', '<Text>hellp</Text>');
      expect(tampered).not.to.equal(body);
      expect(tampered.length).to.equal(body.length);
      expectFailed(verify(tampered), ANSWER);
    });

    it('one byte of the metadata changed: the SMEV signature fails, the provider signature still holds', () => {
      const tampered = body.replace(
        '<ns2:Recipient><ns2:Mnemonic>DEMO_CONSUMER</ns2:Mnemonic>',
        '<ns2:Recipient><ns2:Mnemonic>DEMO_CONSUMEQ</ns2:Mnemonic>',
      );
      expect(tampered).not.to.equal(body);
      expectFailed(verify(tampered), ['SMEVSignature'], ['SenderInformationSystemSignature']);
    });
  });

  it('a JDK-signed request whose signed content is changed after signing is refused by the gateway', async () => {
    const signed = signInJdk(unsignedCall());
    const tampered = signed.replace('<ping:Text>hello</ping:Text>', '<ping:Text>hellp</ping:Text>');
    expect(tampered).not.to.equal(signed);
    // The JDK sees the break too.
    expectFailed(verify(tampered), ['CallerInformationSystemSignature']);
    const refused = await post(gateway, tampered);
    expect(refused.status).to.equal(500);
    const fault = readFault(refused.body);
    expect([fault.element, fault.code]).to.deep.equal(['SignatureVerificationFault', 'SignatureIsInvalid']);
    expect(fault.reason).to.contain('does not match its digest');
  });
});
