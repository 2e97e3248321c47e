/**
 * The signature attack corpus: each attack is one SOAP message, made from a validly signed Call request (signed by
 * DEMO_CONSUMER with the committed sample keys) and then mutated. `buildCorpus()` makes them in memory; run this
 * module (`node dist/test/signature/attack-corpus.js`) to write them to `test/fixtures/attacks/NAME.xml`, each with a
 * leading comment that says what the attack is. `test/signature/attacks.test.ts` posts every fixture.
 *
 * Attacks that need a valid signature over something else (another element, the whole document, SHA-1, a foreign
 * key) are re-signed with xml-crypto's unrestricted SignedXml, so only the one property under test is wrong.
 * The fixtures carry a fixed MessageID from 2025: old, and that is fine, since the signature step runs before the
 * replay checks — a fixture that got past the signature step would be answered StaleMessageId, not 200.
 */
import { createPrivateKey, type KeyLike } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DOMParser, XMLSerializer, type Document, type Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { buildCallRequest } from '../../src/client/request.js';
import { ENVELOPED_SIGNATURE, EXC_C14N, RSA_SHA256, SHA256 } from '../../src/signature/algorithms.js';
import { addYears, createRootCa, issueCertificate, selfSigned } from '../../src/sample-pki/issue.js';
import { NS } from '../../src/soap/namespaces.js';
import { SOAP11 } from '../../src/soap/version.js';
import { PING_PAYLOAD } from '../support/gateway.js';

export const FIXTURE_DIR = 'test/fixtures/attacks';
/** A version-1 UUID of 1 January 2025: stale by now, so a fixture never depends on the replay window. */
export const FIXTURE_MESSAGE_ID = '8a1f3c00-c7b4-11ef-9234-0242ac120002';
export const BLOCK_ID = 'SIGNED_BY_CONSUMER';

export const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
export const HMAC_SHA1 = 'http://www.w3.org/2000/09/xmldsig#hmac-sha1';
export const XPATH_TRANSFORM = 'http://www.w3.org/TR/1999/REC-xpath-19991116';
export const XSLT_TRANSFORM = 'http://www.w3.org/TR/1999/REC-xslt-19991116';

export interface Attack {
  /** File name without `.xml`. */
  readonly name: string;
  /** One line: what the attacker did. */
  readonly description: string;
  /** The advisory or CVE this covers, if any. */
  readonly covers: string;
  readonly xml: string;
}

export interface Signer {
  readonly privateKey: KeyLike;
  readonly certificatePem: string;
}

export function sampleSigner(system: string): Signer {
  return {
    privateKey: createPrivateKey(readFileSync(`certs-sample/${system}.key.pem`, 'utf8')),
    certificatePem: readFileSync(`certs-sample/${system}.crt.pem`, 'utf8'),
  };
}

export function certificateBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

// ---------------------------------------------------------------------------------------------------------------
// Signing with any algorithm (unlike src/signature, which the table restricts)

export interface SignOptions {
  readonly signer?: Signer;
  readonly signatureAlgorithm?: string;
  readonly digestAlgorithm?: string;
  /** XPath of each referenced element; default the signed block. */
  readonly references?: readonly { xpath: string; transforms?: string[]; isEmptyUri?: boolean }[];
  /** Where to append ds:Signature; default the CallerInformationSystemSignature container. */
  readonly containerXpath?: string;
  /** The key to compute the signature value with, when it is not the signer's private key (HMAC). */
  readonly signingKey?: KeyLike;
  /** HMAC-SHA1 keyed with `signingKey`; KeyInfo still carries the signer's certificate. */
  readonly hmac?: boolean;
}

export function sign(xml: string, options: SignOptions = {}): string {
  const signer = options.signer ?? sampleSigner('DEMO_CONSUMER');
  const signed = new SignedXml({
    privateKey: options.signingKey ?? signer.privateKey,
    publicCert: signer.certificatePem,
    signatureAlgorithm: options.signatureAlgorithm ?? RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
  });
  if (options.hmac) {
    signed.enableHMAC();
    signed.getKeyInfoContent = SignedXml.getKeyInfoContent;
  }
  const references = options.references ?? [{ xpath: `//*[@Id='${BLOCK_ID}']` }];
  for (const reference of references) {
    signed.addReference({
      xpath: reference.xpath,
      transforms: reference.transforms ?? [EXC_C14N],
      digestAlgorithm: options.digestAlgorithm ?? SHA256,
      ...(reference.isEmptyUri ? { isEmptyUri: true } : {}),
    });
  }
  signed.computeSignature(xml, {
    prefix: 'ds',
    location: {
      reference: options.containerXpath ?? "//*[local-name(.)='CallerInformationSystemSignature']",
      action: 'append',
    },
  });
  return signed.getSignedXml();
}

/** The unsigned Call request every attack starts from (the fixed MessageID, the sample ping payload). */
export function unsignedCall(messageId = FIXTURE_MESSAGE_ID, payload = PING_PAYLOAD): string {
  return buildCallRequest({ version: SOAP11, payload, messageId }).xml;
}

/** The valid message every attack mutates: what `signedCall()` makes, with a fixed MessageID. */
export function validCall(messageId = FIXTURE_MESSAGE_ID): string {
  return sign(unsignedCall(messageId));
}

// ---------------------------------------------------------------------------------------------------------------
// DOM helpers

export function parse(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml');
}

export function serialize(doc: Document): string {
  return new XMLSerializer().serializeToString(doc);
}

export function mutate(xml: string, change: (doc: Document) => void): string {
  const doc = parse(xml);
  change(doc);
  return serialize(doc);
}

export function one(doc: Document, ns: string, localName: string, index = 0): Element {
  const found = doc.getElementsByTagNameNS(ns, localName).item(index);
  if (!found) throw new Error(`no ${localName}[${index}] in the message`);
  return found;
}

function header(doc: Document): Element {
  return one(doc, NS.soap11, 'Header');
}

/** Parse a fragment in the context of the given namespace declarations and import its root into `doc`. */
function fragment(doc: Document, xml: string): Element {
  const root = parse(xml).documentElement;
  if (!root) throw new Error('empty fragment');
  return doc.importNode(root, true) as Element;
}

const digestValue = (xml: string): string => one(parse(xml), NS.ds, 'DigestValue').textContent ?? '';

// ---------------------------------------------------------------------------------------------------------------
// Mutations that must keep a valid signature (exported for the positive tests, which apply them to fresh messages)

/** Move the payload's namespace declaration from PingRequest up to the Envelope: exc-c14n output is unchanged. */
export function moveNamespacesToEnvelope(xml: string): string {
  return mutate(xml, (doc) => {
    const envelope = doc.documentElement as Element;
    const ping = doc
      .getElementsByTagNameNS('urn://smev-gateway/services/ping/1.0', 'PingRequest')
      .item(0) as Element;
    const call = one(doc, NS.sync, 'CallRequest');
    ping.removeAttribute('xmlns:ping');
    call.removeAttribute('xmlns:ns2');
    call.removeAttribute('xmlns:ns3');
    envelope.setAttribute('xmlns:ping', 'urn://smev-gateway/services/ping/1.0');
    envelope.setAttribute('xmlns:ns2', NS.types);
    envelope.setAttribute('xmlns:ns3', NS.basic);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The corpus

export function buildCorpus(): Attack[] {
  const valid = validCall();
  const demo = sampleSigner('DEMO_CONSUMER');
  const attacks: Attack[] = [];
  const add = (name: string, covers: string, description: string, xml: string) =>
    attacks.push({ name, covers, description, xml });
  const forgedPayload = PING_PAYLOAD.replace('>hello<', '>pwned<');
  const forgedUnsigned = unsignedCall(FIXTURE_MESSAGE_ID, forgedPayload);
  /** The signed block of the valid message with the payload text changed to "pwned". */
  const forgeBlock = (block: Element) => {
    const text = block.getElementsByTagNameNS('urn://smev-gateway/services/ping/1.0', 'Text').item(0);
    if (!text?.firstChild) throw new Error('no ping Text');
    text.replaceChild((block.ownerDocument as Document).createTextNode('pwned'), text.firstChild);
  };

  add(
    '01-duplicate-id',
    'XML signature wrapping (XSW); ID ambiguity',
    'a second element, in the SOAP Header, carries Id="SIGNED_BY_CONSUMER" (an element of a foreign namespace, so the lax Header wildcard does not type the attribute as xs:ID)',
    mutate(valid, (doc) => {
      header(doc).appendChild(
        fragment(
          doc,
          `<evil:Decoy xmlns:evil="urn:evil" Id="${BLOCK_ID}"><evil:Text>pwned</evil:Text></evil:Decoy>`,
        ),
      );
    }),
  );

  add(
    '02a-wrapping-same-id',
    'XSW (classic wrapping)',
    'the signed SenderProvidedRequestData is moved into a wrapper in the SOAP Header; a forged block with the same Id takes its place in the Body',
    mutate(valid, (doc) => {
      const original = one(doc, NS.types, 'SenderProvidedRequestData');
      const forged = original.cloneNode(true) as Element;
      forgeBlock(forged);
      original.parentNode?.replaceChild(forged, original);
      const wrapper = fragment(doc, `<evil:Wrapper xmlns:evil="urn:evil"/>`);
      wrapper.appendChild(original);
      header(doc).appendChild(wrapper);
    }),
  );

  add(
    '02b-wrapping-other-id',
    'XSW (classic wrapping)',
    'the signed block is moved into a Header wrapper and keeps its Id; the forged block in the Body has Id="FORGED", so the Reference still resolves to the original',
    mutate(valid, (doc) => {
      const original = one(doc, NS.types, 'SenderProvidedRequestData');
      const forged = original.cloneNode(true) as Element;
      forgeBlock(forged);
      forged.setAttribute('Id', 'FORGED');
      original.parentNode?.replaceChild(forged, original);
      const wrapper = fragment(doc, `<evil:Wrapper xmlns:evil="urn:evil"/>`);
      wrapper.appendChild(original);
      header(doc).appendChild(wrapper);
    }),
  );

  add(
    '02c-second-block-in-header',
    'XSW (second signed-block candidate)',
    'the signed block stays in place; a forged SenderProvidedRequestData copy with Id="FORGED" is added to the SOAP Header',
    mutate(valid, (doc) => {
      const forged = one(doc, NS.types, 'SenderProvidedRequestData').cloneNode(true) as Element;
      forgeBlock(forged);
      forged.setAttribute('Id', 'FORGED');
      header(doc).appendChild(forged);
    }),
  );

  add(
    '03-reference-to-other-element',
    'XSW (signature over a decoy)',
    'DEMO_CONSUMER validly signed a decoy element (Id="DECOY", a copy of the payload in the Header); the Body block is forged and unsigned; the Reference is #DECOY',
    sign(
      mutate(forgedUnsigned, (doc) => {
        header(doc).appendChild(
          fragment(
            doc,
            `<evil:Decoy xmlns:evil="urn:evil" Id="DECOY"><evil:Text>hello</evil:Text></evil:Decoy>`,
          ),
        );
      }),
      { references: [{ xpath: "//*[@Id='DECOY']" }] },
    ),
  );

  add(
    '04-reference-empty-uri',
    'XSW (whole-document reference)',
    'validly re-signed with Reference URI="" (the whole document, enveloped-signature + exc-c14n) instead of #SIGNED_BY_CONSUMER',
    sign(unsignedCall(), {
      references: [{ xpath: '/*', transforms: [ENVELOPED_SIGNATURE, EXC_C14N], isEmptyUri: true }],
    }),
  );

  add(
    '05-reference-external-uri',
    'external reference (SSRF / content substitution)',
    'Reference URI="http://evil.example/x"',
    valid.replace(`URI="#${BLOCK_ID}"`, 'URI="http://evil.example/x"'),
  );

  add(
    '06-reference-without-uri',
    'implicit reference',
    'the Reference has no URI attribute',
    valid.replace(` URI="#${BLOCK_ID}"`, ''),
  );

  add(
    '07-two-references',
    'XSW (extra reference)',
    'validly signed with two References: the signed block and a decoy element in the Header',
    sign(
      mutate(unsignedCall(), (doc) => {
        header(doc).appendChild(
          fragment(
            doc,
            `<evil:Decoy xmlns:evil="urn:evil" Id="DECOY"><evil:Text>hello</evil:Text></evil:Decoy>`,
          ),
        );
      }),
      { references: [{ xpath: `//*[@Id='${BLOCK_ID}']` }, { xpath: "//*[@Id='DECOY']" }] },
    ),
  );

  // CVE-2025-29774: the forged SignedInfo carries the digest of the forged block (taken from a signature over it);
  // the original SignedInfo still matches the SignatureValue.
  const forgedSigned = sign(forgedUnsigned);
  add(
    '08-two-signedinfo',
    'CVE-2025-29774 (xml-crypto < 6.0.1, GHSA-9p8x-f768-wp2g)',
    'payload forged to "pwned"; a second SignedInfo whose Reference digest matches the forged block is added after the original one',
    mutate(valid, (doc) => {
      forgeBlock(one(doc, NS.types, 'SenderProvidedRequestData'));
      const original = one(doc, NS.ds, 'SignedInfo');
      const forged = doc.importNode(one(parse(forgedSigned), NS.ds, 'SignedInfo'), true);
      original.parentNode?.insertBefore(forged, original.nextSibling);
    }),
  );

  // CVE-2025-29775: the canonical SignedInfo drops the comment, so the SignatureValue still matches; a library that
  // read DigestValue's first child would read the comment, which holds the forged block's digest.
  add(
    '09-comment-in-digestvalue',
    'CVE-2025-29775 (xml-crypto < 6.0.1, GHSA-x3m8-899r-f7c3)',
    'payload forged to "pwned"; DigestValue becomes <!--digest of the forged block-->original digest',
    mutate(valid, (doc) => {
      forgeBlock(one(doc, NS.types, 'SenderProvidedRequestData'));
      const value = one(doc, NS.ds, 'DigestValue');
      value.insertBefore(doc.createComment(digestValue(forgedSigned)), value.firstChild);
    }),
  );

  add(
    '10-comment-in-signed-text',
    'comment-splitting text (SAML comment truncation, CVE-2017-11428 family)',
    'a comment splits the signed Text: hel<!--x-->lo (exc-c14n drops it, so the digest still matches)',
    valid.replace('<ping:Text>hello</ping:Text>', '<ping:Text>hel<!--x-->lo</ping:Text>'),
  );

  add(
    '11-pi-in-signed-block',
    'processing instruction in signed content',
    'a processing instruction <?evil x?> is inserted in the signed MessagePrimaryContent',
    valid.replace('<ping:Text>hello</ping:Text>', '<?evil x?><ping:Text>hello</ping:Text>'),
  );

  add(
    '12-signature-inside-signed-block',
    'XSW (enveloped signature instead of the detached one)',
    'validly signed with enveloped-signature + exc-c14n, the ds:Signature placed in PersonalSignature inside SenderProvidedRequestData; CallerInformationSystemSignature removed',
    sign(
      mutate(unsignedCall(), (doc) => {
        const container = one(doc, NS.types, 'CallerInformationSystemSignature');
        container.parentNode?.removeChild(container);
        const content = one(doc, NS.basic, 'MessagePrimaryContent');
        const personal = doc.createElementNS(NS.types, 'ns2:PersonalSignature');
        content.parentNode?.insertBefore(personal, content.nextSibling);
      }),
      {
        containerXpath: "//*[local-name(.)='PersonalSignature']",
        references: [{ xpath: `//*[@Id='${BLOCK_ID}']`, transforms: [ENVELOPED_SIGNATURE, EXC_C14N] }],
      },
    ),
  );

  add(
    '13-digest-sha1',
    'weak digest (SHA-1)',
    'validly re-signed by DEMO_CONSUMER with DigestMethod sha1',
    sign(unsignedCall(), { digestAlgorithm: SHA1 }),
  );
  add(
    '14-signature-rsa-sha1',
    'weak signature (RSA-SHA1)',
    'validly re-signed by DEMO_CONSUMER with SignatureMethod rsa-sha1',
    sign(unsignedCall(), { signatureAlgorithm: RSA_SHA1 }),
  );
  add(
    '15-signature-hmac-sha1',
    'key confusion, HMAC with the public certificate as key (CVE-2024-32962-adjacent)',
    'SignatureMethod hmac-sha1 keyed with the DEMO_CONSUMER certificate PEM (public), KeyInfo carrying that certificate',
    sign(unsignedCall(), {
      signatureAlgorithm: HMAC_SHA1,
      hmac: true,
      signingKey: Buffer.from(demo.certificatePem),
    }),
  );
  add(
    '16-signature-unknown-algorithm',
    'algorithm substitution',
    'SignatureMethod Algorithm="urn:evil:algorithm:none"',
    valid.replace(`Algorithm="${RSA_SHA256}"`, 'Algorithm="urn:evil:algorithm:none"'),
  );

  add(
    '17-certificate-swapped',
    'CVE-2024-32962 (key from KeyInfo); identity substitution',
    "the KeyInfo certificate replaced by SOCCARD_28's (registered, trusted) without re-signing",
    valid.replace(
      certificateBase64(demo.certificatePem),
      certificateBase64(sampleSigner('SOCCARD_28').certificatePem),
    ),
  );

  const now = new Date();
  const validity = { notBefore: new Date(now.getTime() - 86_400_000), notAfter: addYears(now, 30) };
  const attacker = selfSigned({
    commonName: 'DEMO_CONSUMER',
    mnemonic: 'DEMO_CONSUMER',
    organization: 'Demo Consumer Agency (sample)',
    ...validity,
  });
  add(
    '18-self-signed-resigned',
    'CVE-2024-32962 (xml-crypto < 6.0.0, GHSA-2xp3-57p7-qf4v): KeyInfo trusted',
    "payload forged and re-signed with the attacker's self-signed key and certificate (subject copies DEMO_CONSUMER)",
    sign(forgedUnsigned, {
      signer: { privateKey: createPrivateKey(attacker.keyPem), certificatePem: attacker.certPem },
    }),
  );

  const otherCa = createRootCa({
    commonName: 'smev-gateway sample CA',
    organization: 'smev-gateway sample certification centre',
    now: validity.notBefore,
    years: 30,
  });
  const otherLeaf = issueCertificate(otherCa, {
    commonName: 'DEMO_CONSUMER',
    mnemonic: 'DEMO_CONSUMER',
    organization: 'Demo Consumer Agency (sample)',
    ...validity,
  });
  add(
    '19-other-ca-resigned',
    'CVE-2024-32962 (chain not checked); CA name spoofing',
    "payload forged and re-signed by a certificate from another CA whose name copies the sample CA's",
    sign(forgedUnsigned, {
      signer: { privateKey: createPrivateKey(otherLeaf.keyPem), certificatePem: otherLeaf.certPem },
    }),
  );

  add(
    '20-two-certificates',
    'key ambiguity (which certificate is checked, which verifies)',
    "payload forged and signed by the attacker; KeyInfo/X509Data holds DEMO_CONSUMER's certificate first, then the attacker's",
    mutate(
      sign(forgedUnsigned, {
        signer: { privateKey: createPrivateKey(attacker.keyPem), certificatePem: attacker.certPem },
      }),
      (doc) => {
        const certificate = one(doc, NS.ds, 'X509Certificate');
        const registered = doc.createElementNS(NS.ds, 'ds:X509Certificate');
        registered.appendChild(doc.createTextNode(certificateBase64(demo.certificatePem)));
        certificate.parentNode?.insertBefore(registered, certificate);
      },
    ),
  );

  add(
    '21-keyinfo-removed',
    'key from elsewhere (verifier picks a default key)',
    'ds:KeyInfo removed from the otherwise valid signature',
    mutate(valid, (doc) => {
      const keyInfo = one(doc, NS.ds, 'KeyInfo');
      keyInfo.parentNode?.removeChild(keyInfo);
    }),
  );

  add(
    '22-signed-text-altered',
    'tampering after signing',
    'the signed Text changed from "hello" to "pwned" after signing',
    valid.replace('<ping:Text>hello</ping:Text>', '<ping:Text>pwned</ping:Text>'),
  );

  add(
    '23-namespaces-moved-to-envelope',
    'POSITIVE control: exc-c14n is namespace-stable',
    "the ping, types and basic namespace declarations moved from the block's ancestors up to the Envelope: the canonical form is unchanged, so the signature must still verify",
    moveNamespacesToEnvelope(valid),
  );

  const withTransform = (algorithm: string, body: string) =>
    valid.replace(
      `<ds:Transform Algorithm="${EXC_C14N}"/>`,
      `<ds:Transform Algorithm="${algorithm}">${body}</ds:Transform><ds:Transform Algorithm="${EXC_C14N}"/>`,
    );
  add(
    '24a-transform-xpath',
    'XPath transform (content filtering, DoS)',
    'an XPath transform (REC-xpath-19991116) that filters the signed block down to its MessageID is added before exc-c14n',
    withTransform(XPATH_TRANSFORM, `<ds:XPath>ancestor-or-self::*[local-name()='MessageID']</ds:XPath>`),
  );
  add(
    '24b-transform-xslt',
    'XSLT transform (code execution, CVE-2007-4652 family)',
    'an XSLT transform (REC-xslt-19991116) carrying a stylesheet is added before exc-c14n',
    withTransform(
      XSLT_TRANSFORM,
      `<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0"><xsl:template match="/"><xsl:value-of select="unparsed-text('/etc/passwd')"/></xsl:template></xsl:stylesheet>`,
    ),
  );

  add(
    '25-extra-object',
    'XSW (ds:Object as a hiding place)',
    'a ds:Object holding a forged SenderProvidedRequestData-like payload is appended to the otherwise valid ds:Signature',
    mutate(valid, (doc) => {
      one(doc, NS.ds, 'Signature').appendChild(
        fragment(
          doc,
          `<ds:Object xmlns:ds="${NS.ds}"><evil:Text xmlns:evil="urn:evil">pwned</evil:Text></ds:Object>`,
        ),
      );
    }),
  );

  add(
    '26-reserved-id-in-signed-block',
    'gateway-assigned Id planted for the gateway to sign (signature over the wrong element)',
    'a decoy element with Id="SIGNED_BY_SMEV", the Id of the block the gateway signs in its answers, inside the validly signed SenderProvidedRequestData',
    sign(
      mutate(unsignedCall(), (doc) => {
        one(doc, NS.types, 'SenderProvidedRequestData').appendChild(
          fragment(
            doc,
            `<evil:Decoy xmlns:evil="urn:evil" Id="SIGNED_BY_SMEV"><evil:Text>pwned</evil:Text></evil:Decoy>`,
          ),
        );
      }),
    ),
  );

  add(
    '27-reserved-id-in-header',
    'gateway-assigned Id planted outside the signed block',
    'a Header element with id="SIGNED_BY_PROVIDER" (lower-case attribute name) beside a valid signature',
    mutate(valid, (doc) => {
      header(doc).appendChild(
        fragment(
          doc,
          `<evil:Decoy xmlns:evil="urn:evil" id="SIGNED_BY_PROVIDER"><evil:Text>pwned</evil:Text></evil:Decoy>`,
        ),
      );
    }),
  );

  add(
    '28-second-signature-in-header',
    'a second, unverified signature in a signature container',
    "a copy of the valid ds:Signature in an SMEVSignature container placed in the SOAP Header, where a later reader could take it for the gateway's",
    mutate(valid, (doc) => {
      const container = doc.createElementNS(NS.types, 'ns2:SMEVSignature');
      container.appendChild(one(doc, NS.ds, 'Signature').cloneNode(true));
      header(doc).appendChild(container);
    }),
  );

  // Exclusive c14n that writes namespace URIs unescaped gives the moved element the canonical form of the signed
  // one: the rest of the signed start tag is spelt inside the new namespace URI through character references.
  const withForeignAttribute = PING_PAYLOAD.replace(
    'xmlns:ping="urn://smev-gateway/services/ping/1.0"',
    'xmlns:ping="urn://smev-gateway/services/ping/1.0" xmlns:q="urn:q" q:z="1"',
  );
  const signedWithAttribute = sign(unsignedCall(FIXTURE_MESSAGE_ID, withForeignAttribute));
  add(
    '29-namespace-moved-by-character-reference',
    'canonicalisation ambiguity (namespace URI not escaped in exclusive c14n)',
    'the payload element is moved into a namespace whose URI, written with &quot; character references, spells the rest of the signed start tag (xmlns:q and q:z), which a canonicaliser that leaves namespace URIs unescaped renders exactly as the signed one',
    signedWithAttribute.replace(
      'xmlns:ping="urn://smev-gateway/services/ping/1.0" xmlns:q="urn:q" q:z="1"',
      'xmlns:ping="urn://smev-gateway/services/ping/1.0&quot; xmlns:q=&quot;urn:q&quot; q:z=&quot;1"',
    ),
  );

  return attacks;
}

/** The fixture text: the XML declaration, a comment naming the attack, then the message. */
export function fixtureText(attack: Attack): string {
  const body = attack.xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  const comment = `ATTACK ${attack.name}: ${attack.description}. Covers: ${attack.covers}.`.replace(
    /--/g,
    '- -',
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!-- ${comment} -->\n${body}\n`;
}

export function writeCorpus(dir = FIXTURE_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  return buildCorpus().map((attack) => {
    const file = join(dir, `${attack.name}.xml`);
    writeFileSync(file, fixtureText(attack));
    return file;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const file of writeCorpus()) console.log(file);
}
