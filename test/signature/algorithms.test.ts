/**
 * The algorithm table and signing keys: which names are accepted, which are written, that the key's family picks
 * the algorithm, and that keys are read whatever form OpenSSL's GOST engine gave them.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import { buildCallRequest, signCallRequest } from '../../src/client/request.js';
import {
  DIGEST_ALGORITHMS,
  GOST2001,
  GOST2001_CP,
  GOST94_CP,
  GOST2012_256,
  GOST2012_256_MORE,
  GOST2012_512,
  GOST2012_512_MORE,
  GOST94,
  RSA_SHA256,
  SHA256,
  SIGNATURE_ALGORITHMS,
  STREEBOG256,
  STREEBOG256_MORE,
  STREEBOG512,
  STREEBOG512_MORE,
  signatureAlgorithmFor,
  tableEntry,
} from '../../src/signature/algorithms.js';
import { bigIntToBytesBE, bigIntToBytesLE } from '../../src/signature/gost/encoding.js';
import { encodeGostPrivateKey, parseGostPrivateKey } from '../../src/signature/gost/pkcs8.js';
import { certificatePublicKey, keyFamily, readPrivateKey } from '../../src/signature/keys.js';
import { createGostRootCa, issueGostCertificate, newGostKey } from '../../src/sample-pki/gost-issue.js';
import { addYears } from '../../src/sample-pki/issue.js';
import { pemBody } from '../../src/signature/pki/thumbprint.js';
import { readSignature } from '../../src/signature/signature-element.js';
import { loadSigningKey } from '../../src/signature/signing-key.js';
import { verifyDetached } from '../../src/signature/xml-signature.js';
import { GatewayFault } from '../../src/core/faults.js';
import { NS } from '../../src/soap/namespaces.js';
import { SOAP11 } from '../../src/soap/version.js';
import { childElements, firstChildElement, parseDom, type Element } from '../../src/xml/dom.js';
import { PING_PAYLOAD } from '../support/gateway.js';

function verifyRequest(xml: string, certificatePem: string): void {
  const doc = parseDom(xml);
  const call = childElements(childElements(doc.documentElement as Element)[1]!)[0]!;
  const block = firstChildElement(call, NS.types, 'SenderProvidedRequestData')!;
  const signature = readSignature(
    doc,
    firstChildElement(call, NS.types, 'CallerInformationSystemSignature'),
    block,
  );
  verifyDetached(signature, certificatePublicKey(pemBody(certificatePem)), block);
}

const request = () => buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD }).xml;

describe('the algorithm table', function () {
  this.timeout(60_000);

  it('accepts RSA-SHA256 and GOST R 34.10-2012 (URN and xmldsig-more names) and legacy 2001', () => {
    expect(Object.keys(SIGNATURE_ALGORITHMS).sort()).to.deep.equal(
      [
        RSA_SHA256,
        GOST2012_256,
        GOST2012_512,
        GOST2012_256_MORE,
        GOST2012_512_MORE,
        GOST2001,
        GOST2001_CP,
      ].sort(),
    );
    expect(Object.keys(DIGEST_ALGORITHMS).sort()).to.deep.equal(
      [SHA256, STREEBOG256, STREEBOG512, STREEBOG256_MORE, STREEBOG512_MORE, GOST94, GOST94_CP].sort(),
    );
    // CryptoPro's names for the 2001 pair, as real SMEV 3 messages carry them.
    expect(GOST2001_CP).to.equal('urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102001-gostr3411');
    expect(GOST94_CP).to.equal('urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr3411');
    expect(tableEntry(SIGNATURE_ALGORITHMS, GOST2001_CP)?.digests).to.include.members([GOST94_CP, GOST94]);
    expect(GOST2012_256).to.equal(
      'urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256',
    );
    expect(STREEBOG512).to.equal('urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-512');
    expect(GOST2001).to.equal('http://www.w3.org/2001/04/xmldsig-more#gostr34102001-gostr3411');
    expect(GOST94).to.equal('http://www.w3.org/2001/04/xmldsig-more#gostr3411');
  });

  it('writes the URN names SMEV uses, and never signs with 2001 keys', () => {
    expect(signatureAlgorithmFor('rsa')).to.equal(RSA_SHA256);
    expect(signatureAlgorithmFor('gost2012-256')).to.equal(GOST2012_256);
    expect(signatureAlgorithmFor('gost2012-512')).to.equal(GOST2012_512);
    expect(() => signatureAlgorithmFor('gost2001')).to.throw(/only verified/);
    expect(tableEntry(SIGNATURE_ALGORITHMS, GOST2012_512)?.digests[0]).to.equal(STREEBOG512);
  });

  it('never takes an inherited property for an algorithm', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(tableEntry(SIGNATURE_ALGORITHMS, name)).to.equal(undefined);
      expect(tableEntry(DIGEST_ALGORITHMS, name)).to.equal(undefined);
    }
    const key = loadSigningKey(
      readFileSync('certs-sample/gost/DEMO_GOST_CONSUMER.key.pem', 'utf8'),
      readFileSync('certs-sample/gost/DEMO_GOST_CONSUMER.crt.pem', 'utf8'),
    );
    const xml = signCallRequest(request(), key).replace(GOST2012_256, 'constructor');
    expect(() => verifyRequest(xml, key.certificatePem))
      .to.throw(GatewayFault)
      .with.property('reason', 'SignatureIsInvalid');
  });

  it('checks the signature value before the digest: a forger with a known certificate costs one key operation', () => {
    const consumer = loadSigningKey(
      readFileSync('certs-sample/DEMO_CONSUMER.key.pem', 'utf8'),
      readFileSync('certs-sample/DEMO_CONSUMER.crt.pem', 'utf8'),
    );
    const forger = loadSigningKey(
      readFileSync('certs-sample/gateway.key.pem', 'utf8'),
      readFileSync('certs-sample/gateway.crt.pem', 'utf8'),
    );
    // Signed with the forger's key, presented with the consumer's certificate, over content altered afterwards.
    const forged = signCallRequest(request(), forger).replace('>hello<', '>hallo<');
    expect(() => verifyRequest(forged, consumer.certificatePem)).to.throw(/signature value does not verify/);
    // With the right key, altered content is still refused, for its digest.
    const altered = signCallRequest(request(), consumer).replace('>hello<', '>hallo<');
    expect(() => verifyRequest(altered, consumer.certificatePem)).to.throw(/does not match its digest/);
  });

  it('signs and verifies XMLDSig with a GOST R 34.10-2012 512-bit key (TC26 512 A and C)', () => {
    const now = new Date();
    const ca = createGostRootCa({ commonName: 'ca512', years: 1, now: addYears(now, -1) });
    for (const paramSet of ['1.2.643.7.1.2.1.2.1', '1.2.643.7.1.2.1.2.3']) {
      const pair = issueGostCertificate(ca, {
        commonName: 'S512',
        family: 'gost2012-512',
        paramSet,
        notBefore: addYears(now, -1),
        notAfter: addYears(now, 1),
      });
      const key = loadSigningKey(pair.keyPem, pair.certPem);
      expect(key.signatureAlgorithm).to.equal(GOST2012_512);
      const xml = signCallRequest(request(), key, 'smev');
      expect(xml).to.contain(STREEBOG512);
      verifyRequest(xml, pair.certPem);
      expect(() => verifyRequest(xml.replace('>hello<', '>hullo<'), pair.certPem)).to.throw(/digest/);
    }
  });
});

describe('signing keys', function () {
  this.timeout(60_000);
  const now = new Date();
  const gost = {
    keyPem: readFileSync('certs-sample/gost/DEMO_GOST_CONSUMER.key.pem', 'utf8'),
    certPem: readFileSync('certs-sample/gost/DEMO_GOST_CONSUMER.crt.pem', 'utf8'),
  };
  const rsa = {
    keyPem: readFileSync('certs-sample/DEMO_CONSUMER.key.pem', 'utf8'),
    certPem: readFileSync('certs-sample/DEMO_CONSUMER.crt.pem', 'utf8'),
  };

  it("take the algorithm from the certificate's key", () => {
    expect(loadSigningKey(gost.keyPem, gost.certPem).signatureAlgorithm).to.equal(GOST2012_256);
    expect(loadSigningKey(rsa.keyPem, rsa.certPem).signatureAlgorithm).to.equal(RSA_SHA256);
  });

  it('refuse a key that does not belong to its certificate, or is of another family', () => {
    expect(() => loadSigningKey(rsa.keyPem, gost.certPem)).to.throw(
      /private key is rsa, its certificate gost2012-256/,
    );
    expect(() => loadSigningKey(gost.keyPem, rsa.certPem)).to.throw(/private key is gost2012-256/);
    const ca = createGostRootCa({ commonName: 'c', years: 1, now: addYears(now, -1) });
    const stranger = issueGostCertificate(ca, {
      commonName: 'S',
      notBefore: addYears(now, -1),
      notAfter: now,
    });
    expect(() => loadSigningKey(stranger.keyPem, gost.certPem)).to.throw(/does not match its certificate/);
    expect(() => loadSigningKey(gost.keyPem, 'no certificate')).to.throw(/not PEM/);
  });

  it('read GOST PKCS#8 in each form the engine knows (bare, OCTET STRING, INTEGER) and refuse masked keys', () => {
    const key = newGostKey();
    const der = encodeGostPrivateKey(key);
    const root = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')));
    const fields = root.value as forge.asn1.Asn1[];
    const withOctets = (octets: string) => {
      fields[2] = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OCTETSTRING, false, octets);
      return Buffer.from(forge.asn1.toDer(root).getBytes(), 'binary');
    };
    const le = Buffer.from(bigIntToBytesLE(key.d, 32)).toString('binary');
    const be = Buffer.from(bigIntToBytesBE(key.d, 32)).toString('binary');
    const inner = (type: number, value: string) =>
      forge.asn1.toDer(forge.asn1.create(forge.asn1.Class.UNIVERSAL, type, false, value)).getBytes();
    for (const octets of [
      le,
      inner(forge.asn1.Type.OCTETSTRING, le),
      inner(forge.asn1.Type.INTEGER, (be.charCodeAt(0) & 0x80 ? '\x00' : '') + be),
    ]) {
      expect(parseGostPrivateKey(withOctets(octets))?.d).to.equal(key.d);
    }
    expect(() => parseGostPrivateKey(withOctets(le + le))).to.throw(/masked/);
    const pem = forge.pem.encode({ type: 'PRIVATE KEY', body: Buffer.from(der).toString('binary') });
    expect(keyFamily(readPrivateKey(pem))).to.equal('gost2012-256');
    expect(keyFamily(readPrivateKey(rsa.keyPem))).to.equal('rsa');
    expect(() => readPrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')).to.throw();
  });
});
