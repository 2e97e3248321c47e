/**
 * The GOST PKI against OpenSSL with its GOST engine, both ways: OpenSSL accepts the certificates, CRLs and PKCS#8
 * keys we make (the committed sample included), and we accept OpenSSL's; GOST XMLDSig signature values are the
 * bytes OpenSSL signs and verifies over the canonical SignedInfo (s ‖ r, big-endian); legacy GOST R 34.10-2001
 * chains and signatures from OpenSSL verify.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLSerializer } from '@xmldom/xmldom';
import { buildCallRequest, signCallRequest } from '../../../src/client/request.js';
import { GOST2001, GOST2001_CP, GOST2012_256, GOST94, GOST94_CP } from '../../../src/signature/algorithms.js';
import { gostPrivateKeyFromPem } from '../../../src/signature/gost/pkcs8.js';
import { publicKeyFromPrivate } from '../../../src/signature/gost/sign.js';
import { keyFamily, readPrivateKey } from '../../../src/signature/keys.js';
import { createGostCrl, createGostRootCa, issueGostCertificate } from '../../../src/sample-pki/gost-issue.js';
import { addYears, type IssuedPair } from '../../../src/sample-pki/issue.js';
import { TrustStore, TrustStoreError } from '../../../src/signature/pki/trust-store.js';
import { readSignature } from '../../../src/signature/signature-element.js';
import { loadSigningKey, type SigningKey } from '../../../src/signature/signing-key.js';
import { canonical } from '../../../src/signature/transforms.js';
import { verifyDetached } from '../../../src/signature/xml-signature.js';
import { GatewayFault } from '../../../src/core/faults.js';
import { NS } from '../../../src/soap/namespaces.js';
import { SOAP11 } from '../../../src/soap/version.js';
import { childElements, firstChildElement, parseDom, type Element } from '../../../src/xml/dom.js';
import { PING_PAYLOAD } from '../../support/gateway.js';
import { openssl, readKeyText, useGostTempDir } from './openssl.js';

const E = ['-engine', 'gost'];
const SAMPLE = 'certs-sample/gost';

/** A signed Call request and the pieces a verifier reads. */
function signedRequest(key: SigningKey) {
  const xml = signCallRequest(buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD }).xml, key);
  const doc = parseDom(xml);
  const call = childElements(childElements(doc.documentElement as Element)[1]!)[0]!;
  const block = firstChildElement(call, NS.types, 'SenderProvidedRequestData')!;
  const container = firstChildElement(call, NS.types, 'CallerInformationSystemSignature');
  return { xml, doc, block, signature: readSignature(doc, container, block) };
}

/**
 * Verifies the request's signature with its certificate's key, as the trust store gives it: read from the tree as
 * it is now (a test may have rewritten the SignatureValue), then checked, as the gateway reads and checks it.
 */
function verifyWith(trust: TrustStore, request: ReturnType<typeof signedRequest>): void {
  const container = request.signature.signature.parentNode as Element;
  const signature = readSignature(request.doc, container, request.block);
  const certificate = trust.check(signature.certificate, new Date());
  verifyDetached(signature, certificate.publicKey, request.block);
}

function faultReason(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatewayFault) return error.reason;
    throw error;
  }
  return undefined;
}

describe('GOST PKI interoperability with OpenSSL (GOST engine)', function () {
  this.timeout(120_000);
  const tmp = useGostTempDir();
  const file = (name: string, text?: string | Uint8Array): string => {
    const path = join(tmp.dir, name);
    if (text !== undefined) writeFileSync(path, text);
    return path;
  };
  const verify = (ca: string, crl: string | undefined, ...certs: string[]): string => {
    const args = ['verify', ...E, '-CAfile', ca, ...(crl ? ['-CRLfile', crl, '-crl_check'] : []), ...certs];
    try {
      return execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] }).toString();
    } catch (error) {
      const e = error as { stdout?: Buffer; stderr?: Buffer };
      return `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`;
    }
  };

  describe('what we make, OpenSSL accepts', () => {
    const now = new Date();
    const start = new Date(now.getTime() - 60_000);
    let ca: IssuedPair;
    let leaf: IssuedPair;
    let revoked: IssuedPair;

    before(() => {
      ca = createGostRootCa({
        commonName: 'interop GOST CA',
        organization: 'Проверка',
        now: start,
        years: 2,
      });
      const options = { notBefore: start, notAfter: addYears(now, 1), organization: 'interop' };
      leaf = issueGostCertificate(ca, { ...options, commonName: 'LEAF_256', mnemonic: 'LEAF_256' });
      revoked = issueGostCertificate(ca, { ...options, commonName: 'REVOKED' });
      file('ca.crt', ca.certPem);
      file('leaf.crt', leaf.certPem);
      file('leaf.key', leaf.keyPem);
      file('revoked.crt', revoked.certPem);
      const serial = openssl(['x509', '-in', file('revoked.crt'), '-noout', '-serial'])
        .toString()
        .split('=')[1]!;
      file(
        'ca.crl',
        createGostCrl(ca, [{ serial: serial.trim(), revokedAt: start }], {
          thisUpdate: start,
          nextUpdate: addYears(now, 1),
        }),
      );
    });

    it('the committed sample: openssl verify -crl_check accepts the gateway and DEMO_GOST_CONSUMER', () => {
      const out = verify(
        `${SAMPLE}/ca.crt.pem`,
        `${SAMPLE}/ca.crl.pem`,
        `${SAMPLE}/gateway.crt.pem`,
        `${SAMPLE}/DEMO_GOST_CONSUMER.crt.pem`,
      );
      expect(out).to.contain('gateway.crt.pem: OK').and.contain('DEMO_GOST_CONSUMER.crt.pem: OK');
    });

    it('OpenSSL verifies our chain and our CRL, and finds the revoked certificate on it', () => {
      expect(verify(file('ca.crt'), file('ca.crl'), file('leaf.crt'))).to.contain('leaf.crt: OK');
      expect(verify(file('ca.crt'), file('ca.crl'), file('revoked.crt'))).to.match(/certificate revoked/);
    });

    it('OpenSSL refuses our CRL once its signature is altered, and a certificate whose signature is', () => {
      const der = openssl(['crl', '-in', file('ca.crl'), '-outform', 'DER']);
      der[der.length - 5] = der[der.length - 5]! ^ 0x01;
      file('bad.crl.der', der);
      const pem = openssl(['crl', '-inform', 'DER', '-in', file('bad.crl.der')]);
      expect(verify(file('ca.crt'), file('bad.crl', pem), file('leaf.crt'))).to.match(
        /CRL signature failure/,
      );
      const cert = openssl(['x509', '-in', file('leaf.crt'), '-outform', 'DER']);
      cert[cert.length - 5] = cert[cert.length - 5]! ^ 0x01;
      file('bad.crt.der', cert);
      const badPem = openssl(['x509', '-inform', 'DER', '-in', file('bad.crt.der')]);
      expect(verify(file('ca.crt'), undefined, file('bad.crt', badPem))).to.match(/signature failure/);
    });

    it('OpenSSL reads our PKCS#8 key: same scalar, same point as the certificate', () => {
      const key = gostPrivateKeyFromPem(leaf.keyPem)!;
      const text = readKeyText(file('leaf.key'));
      expect(text.d).to.equal(key.d);
      const point = publicKeyFromPrivate(key.curve, key.d);
      expect({ x: text.x, y: text.y }).to.deep.equal(point);
      const certKey = openssl(['x509', ...E, '-in', file('leaf.crt'), '-noout', '-pubkey']).toString();
      const fromKey = openssl(['pkey', ...E, '-in', file('leaf.key'), '-pubout']).toString();
      expect(certKey).to.equal(fromKey);
    });

    it('OpenSSL signs SignedInfo with our key and the XMLDSig verifier accepts that SignatureValue', () => {
      const trust = TrustStore.fromPem([ca.certPem], [readFileSync(file('ca.crl'), 'utf8')]);
      const request = signedRequest(loadSigningKey(leaf.keyPem, leaf.certPem));
      const signedInfo = childElements(request.signature.signature)[0]!;
      const signature = openssl(
        ['dgst', ...E, '-md_gost12_256', '-sign', file('leaf.key')],
        Buffer.from(canonical(signedInfo), 'utf8'),
      );
      const value = childElements(request.signature.signature)[1]!;
      value.textContent = signature.toString('base64');
      verifyWith(trust, request);
      // Reversing the halves (r ‖ s) must fail: the layout is s ‖ r.
      const half = signature.length / 2;
      value.textContent = Buffer.concat([signature.subarray(half), signature.subarray(0, half)]).toString(
        'base64',
      );
      expect(faultReason(() => verifyWith(trust, request))).to.equal('SignatureIsInvalid');
    });

    it("OpenSSL verifies our XMLDSig SignatureValue over xmllint's exclusive c14n of SignedInfo", () => {
      const request = signedRequest(loadSigningKey(leaf.keyPem, leaf.certPem));
      expect(request.signature.signatureMethod).to.equal(GOST2012_256);
      const signedInfo = childElements(request.signature.signature)[0]!;
      file('signedinfo.xml', new XMLSerializer().serializeToString(signedInfo));
      const byXmllint = execFileSync('xmllint', ['--exc-c14n', file('signedinfo.xml')]);
      expect(byXmllint.toString('utf8')).to.equal(canonical(signedInfo));
      const value = childElements(request.signature.signature)[1]!.textContent ?? '';
      file('sig.bin', Buffer.from(value, 'base64'));
      file('leaf.pub', openssl(['x509', ...E, '-in', file('leaf.crt'), '-noout', '-pubkey']));
      file('signedinfo.c14n', byXmllint);
      const out = openssl([
        'dgst',
        ...E,
        '-md_gost12_256',
        '-verify',
        file('leaf.pub'),
        '-signature',
        file('sig.bin'),
        file('signedinfo.c14n'),
      ]).toString();
      expect(out).to.contain('Verified OK');
    });
  });

  describe('what OpenSSL makes, we accept', () => {
    let caCrt: string;
    let leafCrt: string;
    let leafKey: string;
    let otherCrt: string;
    let crl: string;

    /** Runs openssl with a space-separated argument line (the temporary paths hold no spaces). */
    const run = (line: string) => openssl(line.split(' '));

    /** A key, its CSR (self-signed with `leafMd`) and a leaf certificate signed by the CA with `caMd`. */
    const opensslLeaf = (
      name: string,
      ca: { crt: string; key: string },
      algorithm: string,
      mds: string[],
    ) => {
      const [leafMd, caMd] = mds;
      const key = file(`${name}.key`);
      const csr = file(`${name}.csr`);
      const ext = file(
        'leaf.ext',
        'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n' +
          'subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
      );
      run(`genpkey -engine gost -algorithm ${algorithm} -pkeyopt paramset:A -out ${key}`);
      run(`req -engine gost -new -key ${key} ${leafMd} -subj /CN=${name}/OU=${name} -out ${csr}`);
      run(
        `x509 -engine gost -req -in ${csr} -CA ${ca.crt} -CAkey ${ca.key} -CAcreateserial ${caMd} ` +
          `-days 10 -extfile ${ext} -out ${file(`${name}.crt`)}`,
      );
      return { crt: file(`${name}.crt`), key };
    };
    /** A self-signed CA with basicConstraints and keyCertSign + cRLSign. */
    const opensslCa = (name: string, algorithm: string, paramset: string, md: string) => {
      const key = file(`${name}.key`);
      run(`genpkey -engine gost -algorithm ${algorithm} -pkeyopt paramset:${paramset} -out ${key}`);
      openssl([
        ...`req -engine gost -x509 -new -key ${key} ${md} -subj /CN=${name} -days 30`.split(' '),
        ...['-addext', 'basicConstraints=critical,CA:TRUE'],
        ...['-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', file(`${name}.crt`)],
      ]);
      return { crt: file(`${name}.crt`), key };
    };

    before(() => {
      // A 512-bit CA (TC26 A) issuing 256-bit leaves, as many accredited CAs do; the CRL revokes one leaf.
      const ca = opensslCa('ossl-ca', 'gost2012_512', 'A', '-md_gost12_512');
      caCrt = ca.crt;
      const leaf = opensslLeaf('OSSL_LEAF', ca, 'gost2012_256', ['-md_gost12_256', '-md_gost12_512']);
      leafCrt = leaf.crt;
      leafKey = leaf.key;
      otherCrt = opensslLeaf('OSSL_REVOKED', ca, 'gost2012_256', ['-md_gost12_256', '-md_gost12_512']).crt;
      file('index.txt', '');
      file('crlnumber', '01\n');
      file(
        'ca.cnf',
        `[ca]\ndefault_ca=d\n[d]\ndatabase=${file('index.txt')}\ncrlnumber=${file('crlnumber')}\n` +
          'default_md=md_gost12_512\ndefault_crl_days=30\n',
      );
      const ossl = ['ca', ...E, '-config', file('ca.cnf'), '-keyfile', ca.key, '-cert', ca.crt];
      openssl([...ossl, '-revoke', otherCrt]);
      openssl([...ossl, '-gencrl', '-out', file('ossl.crl')]);
      crl = file('ossl.crl');
    });

    it("the trust store accepts OpenSSL's chain and CRL, and refuses the certificate it revokes", () => {
      const trust = TrustStore.fromPem([readFileSync(caCrt, 'utf8')], [readFileSync(crl, 'utf8')], {
        requireCrl: true,
      });
      const checked = trust.check(readFileSync(leafCrt, 'utf8'), new Date());
      expect(checked.subject).to.contain('CN=OSSL_LEAF');
      expect(keyFamily(checked.publicKey)).to.equal('gost2012-256');
      expect(faultReason(() => trust.check(readFileSync(otherCrt, 'utf8'), new Date()))).to.equal(
        'CertificateIsRevoked',
      );
    });

    it("we read OpenSSL's private key and sign a request the trust store and verifier accept", () => {
      const trust = TrustStore.fromPem([readFileSync(caCrt, 'utf8')], [readFileSync(crl, 'utf8')]);
      const key = loadSigningKey(readFileSync(leafKey, 'utf8'), readFileSync(leafCrt, 'utf8'));
      expect(key.signatureAlgorithm).to.equal(GOST2012_256);
      verifyWith(trust, signedRequest(key));
    });

    it('a CRL whose signature was altered is refused when the trust store is built', () => {
      const der = openssl(['crl', '-in', crl, '-outform', 'DER']);
      der[der.length - 3] = der[der.length - 3]! ^ 0x01;
      file('ossl-bad.crl.der', der);
      const pem = openssl(['crl', '-inform', 'DER', '-in', file('ossl-bad.crl.der')]).toString();
      expect(() => TrustStore.fromPem([readFileSync(caCrt, 'utf8')], [pem]))
        .to.throw(TrustStoreError)
        .with.property('problem', 'CrlIsNotTrusted');
    });

    it('legacy GOST R 34.10-2001: an OpenSSL 2001 chain and 2001 XMLDSig signatures verify', () => {
      const ca = opensslCa('ossl-2001-ca', 'gost2001', 'A', '-md_gost94');
      const leaf = opensslLeaf('OSSL_2001', ca, 'gost2001', ['-md_gost94', '-md_gost94']);
      const trust = TrustStore.fromPem([readFileSync(ca.crt, 'utf8')], []);
      const pem = readFileSync(leaf.crt, 'utf8');
      expect(keyFamily(trust.check(pem, new Date()).publicKey)).to.equal('gost2001');
      const privateKey = readPrivateKey(readFileSync(leaf.key, 'utf8'));
      expect(keyFamily(privateKey)).to.equal('gost2001');
      // The gateway never writes 2001 signatures; a legacy peer does, which our signer can imitate by name.
      expect(() => loadSigningKey(readFileSync(leaf.key, 'utf8'), pem)).to.throw(/only verified/);
      const request = signedRequest({ privateKey, certificatePem: pem, signatureAlgorithm: GOST2001 });
      expect(request.signature.digestMethod).to.equal(GOST94);
      verifyWith(trust, request);
      // And the SignatureValue OpenSSL makes with md_gost94 over the same canonical SignedInfo.
      const signedInfo = childElements(request.signature.signature)[0]!;
      const signature = openssl(
        ['dgst', ...E, '-md_gost94', '-sign', leaf.key],
        Buffer.from(canonical(signedInfo), 'utf8'),
      );
      childElements(request.signature.signature)[1]!.textContent = signature.toString('base64');
      verifyWith(trust, request);
      // CryptoPro's names for the same pair (urn:…:cpxmlsec:algorithms:gostr34102001-gostr3411, …:gostr3411).
      const cryptoPro = signedRequest({ privateKey, certificatePem: pem, signatureAlgorithm: GOST2001_CP });
      expect(cryptoPro.signature.signatureMethod).to.equal(GOST2001_CP);
      expect(cryptoPro.signature.digestMethod).to.equal(GOST94_CP);
      verifyWith(trust, cryptoPro);
      const text = childElements(request.block).find((e) => e.localName === 'MessageID')!;
      text.textContent = `${text.textContent ?? ''}0`;
      expect(faultReason(() => verifyWith(trust, request))).to.equal('SignatureIsInvalid');
    });
  });
});
