/**
 * The signature attack corpus through the real HTTP endpoint: every fixture in test/fixtures/attacks (made by
 * test/signature/attack-corpus.ts) is posted and must be refused with the fault and Code listed here — never a
 * 200, never a ping answer. Where an earlier layer (the XML guard, the schema) refuses first, the test says so and
 * also runs the signature verifier on the same message, so the signature layer is shown to hold on its own.
 * Then the certificate cases (expired, not yet valid, revoked, unknown CA, self-signed, unregistered), issued in
 * the test under the sample CA, and the positive controls.
 */
import { createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import winston from 'winston';
import { buildCallRequest, signCallRequest } from '../../src/client/request.js';
import type { SenderRequest } from '../../src/smev/request.js';
import { readSenderRequest } from '../../src/smev/request.js';
import { RSA_SHA256 } from '../../src/signature/algorithms.js';
import {
  addYears,
  createRootCa,
  issueCertificate,
  selfSigned,
  type IssuedPair,
} from '../../src/sample-pki/issue.js';
import { certificateDer, thumbprint } from '../../src/signature/pki/thumbprint.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import type { SystemDirectory } from '../../src/signature/systems.js';
import { XmlSignatureVerifier } from '../../src/signature/verifier.js';
import { isGatewayFault } from '../../src/core/faults.js';
import { faultCodeOf } from '../../src/soap/fault-code.js';
import { NS } from '../../src/soap/namespaces.js';
import { SOAP11 } from '../../src/soap/version.js';
import { parseDom, type Element } from '../../src/xml/dom.js';
import { PING_PAYLOAD, post, signedCall, useGateway } from '../support/gateway.js';
import { FIXTURE_DIR, moveNamespacesToEnvelope } from './attack-corpus.js';

/** Which layer refuses a fixture first. */
type Layer = 'signature' | 'schema' | 'guard' | 'reserved-id';

interface Expected {
  /** Element under SOAP `detail`. */
  readonly element: string;
  /** Its `Code`. */
  readonly code: string;
  readonly layer: Layer;
  /** When an earlier layer fires: the Code the signature verifier gives on its own. */
  readonly verifierCode?: string;
}

const sig = (code: string): Expected => ({ element: 'SignatureVerificationFault', code, layer: 'signature' });

/** One entry per fixture file; the test fails if a fixture has no entry or an entry has no fixture. */
const EXPECTED: Record<string, Expected> = {
  // Ids declared xs:ID only where the schema types the attribute; a foreign Header element is lax, so the verifier fires.
  '01-duplicate-id': sig('IncorrectSignatureTarget'),
  // The Header wrapper is lax, but libxml2 validates the known SenderProvidedRequestData inside it: duplicate xs:ID.
  '02a-wrapping-same-id': {
    element: 'InvalidContent',
    code: 'InvalidContent',
    layer: 'schema',
    verifierCode: 'IncorrectSignatureTarget',
  },
  '02b-wrapping-other-id': sig('IncorrectSignatureTarget'),
  '02c-second-block-in-header': sig('IncorrectSignatureTarget'),
  '03-reference-to-other-element': sig('IncorrectSignatureTarget'),
  '04-reference-empty-uri': sig('IncorrectSignatureTarget'),
  '05-reference-external-uri': sig('IncorrectSignatureTarget'),
  '06-reference-without-uri': sig('IncorrectSignatureTarget'),
  '07-two-references': sig('IncorrectSignatureTarget'),
  // xmldsig-core-schema's SignatureType is a sequence: a second SignedInfo is a schema error.
  '08-two-signedinfo': {
    element: 'InvalidContent',
    code: 'InvalidContent',
    layer: 'schema',
    verifierCode: 'PoorSOAPEnvelopeFormat',
  },
  '09-comment-in-digestvalue': sig('SignatureIsInvalid'),
  '10-comment-in-signed-text': sig('SignatureIsInvalid'),
  // The streaming XML guard refuses every processing instruction before a tree is built.
  '11-pi-in-signed-block': {
    element: 'InvalidContent',
    code: 'ForbiddenXmlConstruct',
    layer: 'guard',
    verifierCode: 'SignatureIsInvalid',
  },
  '12-signature-inside-signed-block': sig('NoSignatureFound'),
  '13-digest-sha1': sig('SignatureIsInvalid'),
  '14-signature-rsa-sha1': sig('SignatureIsInvalid'),
  '15-signature-hmac-sha1': sig('SignatureIsInvalid'),
  '16-signature-unknown-algorithm': sig('SignatureIsInvalid'),
  '17-certificate-swapped': sig('SignatureIsInvalid'),
  '18-self-signed-resigned': sig('CertificateIsNotTrusted'),
  '19-other-ca-resigned': sig('CertificateIsNotTrusted'),
  // Neither certificate names itself the other's issuer: two signing certificates, so which one signed is open.
  '20-two-certificates': sig('PoorSOAPEnvelopeFormat'),
  '21-keyinfo-removed': sig('CertificateIsNotFound'),
  '22-signed-text-altered': sig('SignatureIsInvalid'),
  // Positive: the signature verifies, so the static fixture gets as far as the replay check (its MessageID is old).
  '23-namespaces-moved-to-envelope': {
    element: 'StaleMessageId',
    code: 'StaleMessageId',
    layer: 'signature',
  },
  '24a-transform-xpath': sig('SignatureIsInvalid'),
  '24b-transform-xslt': sig('SignatureIsInvalid'),
  '25-extra-object': sig('PoorSOAPEnvelopeFormat'),
  // The signature is valid; the gateway refuses any Id it assigns itself, wherever the request carries it.
  '26-reserved-id-in-signed-block': {
    element: 'InvalidContent',
    code: 'ReservedId',
    layer: 'reserved-id',
    verifierCode: 'verified',
  },
  '27-reserved-id-in-header': {
    element: 'InvalidContent',
    code: 'ReservedId',
    layer: 'reserved-id',
    verifierCode: 'verified',
  },
  '28-second-signature-in-header': sig('PoorSOAPEnvelopeFormat'),
  // libxml2 refuses a namespace name that is no URI; the verifier alone refuses the moved element too.
  '29-namespace-moved-by-character-reference': {
    element: 'InvalidContent',
    code: 'InvalidContent',
    layer: 'schema',
    verifierCode: 'SignatureIsInvalid',
  },
};

interface FaultSeen {
  readonly element: string;
  readonly code: string;
  readonly description: string;
}

/** The SMEV fault in `detail`: its element name and Code. */
function readFault(body: string): FaultSeen {
  const doc = parseDom(body);
  const detail = doc.getElementsByTagName('detail').item(0);
  const first = detail && [...childrenOf(detail)][0];
  if (!first) throw new Error(`no SOAP fault detail in the answer: ${body.slice(0, 300)}`);
  const text = (name: string) => first.getElementsByTagNameNS(NS.basic, name).item(0)?.textContent ?? '';
  expect(first.namespaceURI).to.equal(NS.faults);
  const faultString = doc.getElementsByTagName('faultstring').item(0)?.textContent ?? '';
  return {
    element: first.localName ?? '',
    code: faultCodeOf(first, faultString),
    description: text('Description') || faultString,
  };
}

function* childrenOf(node: Element): Generator<Element> {
  for (let child = node.firstChild; child; child = child.nextSibling)
    if (child.nodeType === 1) yield child as Element;
}

function expectRefused(response: { status: number; body: string }, element: string, code: string): FaultSeen {
  expect(response.status, response.body.slice(0, 400)).to.equal(500);
  expect(response.body).not.to.contain('PingResponse');
  const fault = readFault(response.body);
  expect({ element: fault.element, code: fault.code }, fault.description).to.deep.equal({ element, code });
  return fault;
}

/** The registered sample systems, as the registry would answer, for the verifier run on its own. */
function sampleDirectory(): SystemDirectory {
  const byThumbprint = new Map<string, string>();
  for (const system of ['DEMO_CONSUMER', 'SOCPROTECT_47', 'SOCCARD_28', 'PORTAL_26']) {
    const der = certificateDer(readFileSync(`certs-sample/${system}.crt.pem`, 'utf8'));
    if (der) byThumbprint.set(thumbprint(der), system);
  }
  return {
    async systemForCertificate(print: string) {
      const mnemonic = byThumbprint.get(print);
      return mnemonic ? { mnemonic, humanReadableName: mnemonic, active: true } : undefined;
    },
  };
}

/** Parse without the guard (so a PI survives) and run the signature verifier alone; returns the fault Code. */
async function verifierCode(verifier: XmlSignatureVerifier, xml: string): Promise<string> {
  const doc = parseDom(xml);
  const call = doc.getElementsByTagNameNS(NS.sync, 'CallRequest').item(0);
  if (!call) throw new Error('no CallRequest');
  const request: SenderRequest = readSenderRequest(call);
  try {
    await verifier.verifyRequest(doc, xml, request, new Date());
  } catch (error) {
    if (isGatewayFault(error)) return error.reason ?? error.code;
    throw error;
  }
  return 'verified';
}

function signedBy(pair: IssuedPair): string {
  const request = buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD });
  return signCallRequest(request.xml, {
    privateKey: createPrivateKey(pair.keyPem),
    certificatePem: pair.certPem,
    signatureAlgorithm: RSA_SHA256,
  });
}

describe('Signature attack corpus (HTTP)', () => {
  let verifier: XmlSignatureVerifier;
  const logLines: string[] = [];
  const fixtures = readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => f.slice(0, -4))
    .sort();

  const gateway = useGateway({ overrides: { logLevel: 'warn' } });
  before(() => {
    verifier = new XmlSignatureVerifier(loadTrustStore(gateway.config), sampleDirectory());
    // Capture the gateway's log (silent in tests) in memory instead of on the console.
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    gateway.log.clear();
    gateway.log.add(new winston.transports.Stream({ stream: sink }));
    gateway.log.silent = false;
  });

  it('has an expectation for every fixture and a fixture for every expectation', () => {
    expect(fixtures).to.deep.equal(Object.keys(EXPECTED).sort());
  });

  it('positive control: the untouched signed request, made fresh, is answered 200 with the ping answer', async () => {
    const response = await post(gateway, signedCall().xml);
    expect(response.status, response.body.slice(0, 400)).to.equal(200);
    expect(response.body).to.contain('PingResponse');
  });

  it('positive (23): namespace declarations moved up to the Envelope still verify (exc-c14n is namespace-stable)', async () => {
    const response = await post(gateway, moveNamespacesToEnvelope(signedCall().xml));
    expect(response.status, response.body.slice(0, 400)).to.equal(200);
    expect(response.body).to.contain('PingResponse');
  });

  for (const name of Object.keys(EXPECTED).sort()) {
    const expected = EXPECTED[name] as Expected;
    const comment = () =>
      /<!--\s*(ATTACK[^]*?)-->/.exec(readFileSync(`${FIXTURE_DIR}/${name}.xml`, 'utf8'))?.[1];
    const title =
      expected.layer === 'signature'
        ? `${name}: ${expected.element}/${expected.code}`
        : `${name}: ${expected.element}/${expected.code} (${expected.layer} first; verifier alone: ${expected.verifierCode})`;
    it(title, async () => {
      const xml = readFileSync(`${FIXTURE_DIR}/${name}.xml`, 'utf8');
      expect(comment(), 'the fixture names its attack in a leading comment').to.match(
        new RegExp(`^ATTACK ${name}: `),
      );
      const before = logLines.length;
      const fault = expectRefused(await post(gateway, xml), expected.element, expected.code);
      // The refusal is logged with the qualified code, and the reason in its message.
      const logged = logLines
        .slice(before)
        .map((line) => JSON.parse(line) as { message?: string; fault?: string; reason?: string });
      const refusal = logged.find((line) => line.message === 'exchange refused');
      expect(refusal, 'a log line for the refusal').to.not.equal(undefined);
      expect(refusal?.fault).to.match(new RegExp(`^Client\\.(\\w+\\.)?${expected.code}$`));
      expect(refusal?.reason).to.equal(fault.description);
      if (expected.verifierCode) {
        expect(await verifierCode(verifier, xml), 'the signature verifier alone').to.equal(
          expected.verifierCode,
        );
      }
    });
  }

  describe('InclusiveNamespaces: only in exclusive c14n, and holding only a PrefixList', () => {
    const EC = 'xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#"';
    const SIGNATURE_METHOD = /<ds:SignatureMethod Algorithm="([^"]+)"\/>/;
    const C14N = /<ds:CanonicalizationMethod Algorithm="([^"]+)"\/>/;
    const TRANSFORM = /<ds:Transform Algorithm="([^"]+)"\/>/;
    /** `xml` with `content` put inside the empty element `pattern` matches. */
    const inside = (xml: string, pattern: RegExp, content: string) =>
      xml.replace(
        pattern,
        (whole: string) => `${whole.slice(0, -2)}>${content}</${/<([\w:]+)/.exec(whole)?.[1]}>`,
      );
    const cases: Array<[string, (xml: string) => string, string]> = [
      [
        'in SignatureMethod',
        (xml) => inside(xml, SIGNATURE_METHOD, `<ec:InclusiveNamespaces ${EC} PrefixList="ds"/>`),
        'takes no parameter',
      ],
      [
        'two of them in the transform',
        (xml) =>
          inside(
            xml,
            TRANSFORM,
            `<ec:InclusiveNamespaces ${EC} PrefixList="a"/><ec:InclusiveNamespaces ${EC}/>`,
          ),
        'takes only one ec:InclusiveNamespaces',
      ],
      [
        'another element in CanonicalizationMethod',
        (xml) => inside(xml, C14N, `<ec:Other ${EC}/>`),
        'takes only one ec:InclusiveNamespaces; ec:Other is not accepted',
      ],
      [
        'another attribute',
        (xml) => inside(xml, TRANSFORM, `<ec:InclusiveNamespaces ${EC} PrefixList="a" Extra="b"/>`),
        'holds a PrefixList attribute and nothing else',
      ],
      [
        'content',
        (xml) =>
          inside(xml, C14N, `<ec:InclusiveNamespaces ${EC} PrefixList="a">ns2</ec:InclusiveNamespaces>`),
        'holds a PrefixList attribute and nothing else',
      ],
      [
        'a token that is no prefix',
        (xml) => inside(xml, TRANSFORM, `<ec:InclusiveNamespaces ${EC} PrefixList="a b:c"/>`),
        'the PrefixList names "b:c", which is no prefix',
      ],
    ];
    for (const [what, mutate, message] of cases) {
      it(`${what}: SignatureIsInvalid before any cryptography`, async () => {
        const xml = mutate(signedCall().xml);
        expect(xml).to.contain('ec:');
        const doc = parseDom(xml);
        const call = doc.getElementsByTagNameNS(NS.sync, 'CallRequest').item(0) as Element;
        const error = await verifier.verifyRequest(doc, xml, readSenderRequest(call), new Date()).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isGatewayFault(error) && error.reason).to.equal('SignatureIsInvalid');
        expect((error as Error).message).to.contain(message);
      });
    }
  });

  describe('certificates', () => {
    const ca: IssuedPair = {
      certPem: readFileSync('certs-sample/ca.crt.pem', 'utf8'),
      keyPem: readFileSync('certs-sample/ca.key.pem', 'utf8'),
    };
    const day = 86_400_000;
    const now = Date.now();
    const subject = {
      commonName: 'DEMO_CONSUMER',
      mnemonic: 'DEMO_CONSUMER',
      organization: 'Demo Consumer Agency (sample)',
    };

    it('expired certificate under the sample CA: CertificateIsExpired', async () => {
      const pair = issueCertificate(ca, {
        ...subject,
        notBefore: new Date(now - 400 * day),
        notAfter: new Date(now - day),
      });
      expectRefused(
        await post(gateway, signedBy(pair)),
        'SignatureVerificationFault',
        'CertificateIsExpired',
      );
    });

    it('certificate not yet valid: CertificateIsNotYetValid', async () => {
      const pair = issueCertificate(ca, {
        ...subject,
        notBefore: new Date(now + 30 * day),
        notAfter: new Date(now + 400 * day),
      });
      expectRefused(
        await post(gateway, signedBy(pair)),
        'SignatureVerificationFault',
        'CertificateIsNotYetValid',
      );
    });

    it('revoked certificate (REVOKED_SYSTEM, on the sample CRL): CertificateIsRevoked', async () => {
      expectRefused(
        await post(gateway, signedCall({ system: 'REVOKED_SYSTEM' }).xml),
        'SignatureVerificationFault',
        'CertificateIsRevoked',
      );
    });

    it('certificate from an unknown CA: CertificateIsNotTrusted', async () => {
      const other = createRootCa({ commonName: 'another CA', now: new Date(now - day), years: 5 });
      const pair = issueCertificate(other, {
        ...subject,
        notBefore: new Date(now - day),
        notAfter: addYears(new Date(now), 1),
      });
      const fault = expectRefused(
        await post(gateway, signedBy(pair)),
        'SignatureVerificationFault',
        'CertificateIsNotTrusted',
      );
      expect(fault.description).to.contain('not issued by a CA in the trust store');
    });

    it('self-signed certificate: CertificateIsNotTrusted', async () => {
      const pair = selfSigned({
        ...subject,
        notBefore: new Date(now - day),
        notAfter: addYears(new Date(now), 1),
      });
      const fault = expectRefused(
        await post(gateway, signedBy(pair)),
        'SignatureVerificationFault',
        'CertificateIsNotTrusted',
      );
      expect(fault.description).to.contain('self-signed');
    });

    it('the registered certificate encoded another way (junk after the DER, PEM inside the base64): CertificateIsMalformed', async () => {
      const reencodings: Array<[string, (der: Buffer, base64: string) => Buffer]> = [
        ['junk after the DER', (der) => Buffer.concat([der, Buffer.from('junk')])],
        [
          'PEM armour inside the base64',
          (_der, base64) =>
            Buffer.from(`-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`),
        ],
      ];
      for (const [what, reencode] of reencodings) {
        const xml = signedCall().xml;
        const base64 = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(xml)?.[1] ?? '';
        const other = reencode(Buffer.from(base64, 'base64'), base64).toString('base64');
        const fault = expectRefused(
          await post(gateway, xml.replace(base64, other)),
          'SignatureVerificationFault',
          'CertificateIsMalformed',
        );
        expect(fault.description, what).to.contain('exactly one DER-encoded certificate');
      }
    });

    describe('the signing certificate with its chain in X509Data (XMLDSig 4.4.4)', () => {
      const base64Of = (pem: string) => pem.replace(/-----[^-]+-----|\s+/g, '');
      const X509 = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/;
      /** `xml` with X509Data holding `before`, its own certificate, then `after`. */
      const withCertificates = (xml: string, before: readonly string[], after: readonly string[] = []) =>
        xml.replace(X509, (own) =>
          [...before.map((pem) => `<ds:X509Certificate>${base64Of(pem)}</ds:X509Certificate>`), own]
            .concat(after.map((pem) => `<ds:X509Certificate>${base64Of(pem)}</ds:X509Certificate>`))
            .join(''),
        );
      const registered = readFileSync('certs-sample/DEMO_CONSUMER.crt.pem', 'utf8');
      const unregistered = () =>
        issueCertificate(ca, {
          ...subject,
          notBefore: new Date(now - day),
          notAfter: addYears(new Date(now), 1),
        });

      it('the registered certificate and the CA certificate, in either order: accepted', async () => {
        for (const xml of [
          withCertificates(signedCall().xml, [], [ca.certPem]),
          withCertificates(signedCall().xml, [ca.certPem]),
          // The same certificate twice is still one.
          withCertificates(signedCall().xml, [ca.certPem, registered], [ca.certPem]),
        ]) {
          const response = await post(gateway, xml);
          expect(response.status, response.body.slice(0, 400)).to.equal(200);
          expect(response.body).to.contain('PingResponse');
          expect(await verifierCode(verifier, xml)).to.equal('verified');
        }
      });

      it('a chain whose leaf is an unregistered certificate, signed by it: SenderIsNotRegistered', async () => {
        const xml = withCertificates(signedBy(unregistered()), [ca.certPem]);
        expectRefused(await post(gateway, xml), 'SenderIsNotRegistered', 'SenderIsNotRegistered');
      });

      it("the registered certificate with the CA's, signed with the CA's key: SignatureIsInvalid (the leaf's key alone is used)", async () => {
        const xml = withCertificates(
          signCallRequest(buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD }).xml, {
            privateKey: createPrivateKey(ca.keyPem),
            certificatePem: registered,
            signatureAlgorithm: RSA_SHA256,
          }),
          [],
          [ca.certPem],
        );
        expectRefused(await post(gateway, xml), 'SignatureVerificationFault', 'SignatureIsInvalid');
      });

      it('two leaves (the registered certificate beside another certificate of the CA), signed by either: PoorSOAPEnvelopeFormat', async () => {
        const other = unregistered();
        for (const xml of [
          withCertificates(signedCall().xml, [other.certPem], [ca.certPem]),
          withCertificates(signedBy(other), [registered]),
        ]) {
          const fault = expectRefused(
            await post(gateway, xml),
            'SignatureVerificationFault',
            'PoorSOAPEnvelopeFormat',
          );
          expect(fault.description).to.contain('2 of them issue none of the others');
        }
      });

      it('more than 10 certificates: PoorSOAPEnvelopeFormat; 10 are accepted', async () => {
        const nine = Array<string>(9).fill(ca.certPem);
        const accepted = await post(gateway, withCertificates(signedCall().xml, nine));
        expect(accepted.status, accepted.body.slice(0, 400)).to.equal(200);
        const fault = expectRefused(
          await post(gateway, withCertificates(signedCall().xml, [...nine, ca.certPem])),
          'SignatureVerificationFault',
          'PoorSOAPEnvelopeFormat',
        );
        expect(fault.description).to.contain('at most 10');
      });

      it('two X509Data: PoorSOAPEnvelopeFormat', async () => {
        const xml = signedCall().xml.replace(
          '</ds:X509Data>',
          `</ds:X509Data><ds:X509Data><ds:X509Certificate>${base64Of(ca.certPem)}</ds:X509Certificate></ds:X509Data>`,
        );
        expectRefused(await post(gateway, xml), 'SignatureVerificationFault', 'PoorSOAPEnvelopeFormat');
      });
    });

    it('valid certificate under the sample CA registered to no system: SenderIsNotRegistered', async () => {
      const pair = issueCertificate(ca, {
        ...subject,
        notBefore: new Date(now - day),
        notAfter: addYears(new Date(now), 1),
      });
      expectRefused(await post(gateway, signedBy(pair)), 'SenderIsNotRegistered', 'SenderIsNotRegistered');
    });
  });
});
