import { expect } from 'chai';
import { join } from 'node:path';
import { curveByOid } from '../../../src/signature/gost/curves.js';
import {
  OID_SIGN_GOST2012_256,
  OID_SIGN_GOST2012_512,
  parseGostCertificate,
  verifyGostCertificateSignature,
} from '../../../src/signature/gost/certificate.js';
import { openssl, readKeyText, useGostTempDir } from './openssl.js';

describe('GOST X.509 certificates made by OpenSSL', function () {
  this.timeout(60000);
  const tmp = useGostTempDir();

  /** A self-signed certificate and its key's values as OpenSSL prints them. */
  function makeCert(algorithm: string, paramset: string, md: string, name: string) {
    const key = join(tmp.dir, `${name}.key.pem`);
    const cert = join(tmp.dir, `${name}.crt`);
    openssl([
      'genpkey',
      '-engine',
      'gost',
      '-algorithm',
      algorithm,
      '-pkeyopt',
      `paramset:${paramset}`,
      '-out',
      key,
    ]);
    openssl([
      'req',
      '-engine',
      'gost',
      '-x509',
      '-new',
      '-key',
      key,
      md,
      '-subj',
      `/CN=${name}`,
      '-days',
      '2',
      '-out',
      cert,
    ]);
    const der = Uint8Array.from(openssl(['x509', '-in', cert, '-outform', 'DER']));
    return { der, text: readKeyText(key) };
  }

  for (const tc of [
    {
      alg: 'gost2012_256',
      ps: 'A',
      md: '-md_gost12_256',
      oid: '1.2.643.2.2.35.1',
      sig: OID_SIGN_GOST2012_256,
    },
    {
      alg: 'gost2012_256',
      ps: 'TCA',
      md: '-md_gost12_256',
      oid: '1.2.643.7.1.2.1.1.1',
      sig: OID_SIGN_GOST2012_256,
    },
    {
      alg: 'gost2012_512',
      ps: 'A',
      md: '-md_gost12_512',
      oid: '1.2.643.7.1.2.1.2.1',
      sig: OID_SIGN_GOST2012_512,
    },
  ]) {
    it(`${tc.alg} ${tc.ps}: reads key and parameter set, verifies the self-signature, rejects tampering`, () => {
      const { der, text } = makeCert(tc.alg, tc.ps, tc.md, `${tc.alg}-${tc.ps}`);
      const cert = parseGostCertificate(der);
      expect(cert.signatureAlgorithmOid).to.equal(tc.sig);
      expect(cert.publicKeyInfo.curve).to.equal(curveByOid(tc.oid));
      expect(cert.publicKeyInfo.publicKey).to.deep.equal({ x: text.x, y: text.y });
      expect(verifyGostCertificateSignature(cert, cert.publicKeyInfo)).to.equal(true);

      // One bit of the subject name changed: the signature must no longer match.
      const cn = Buffer.from(der).indexOf(Buffer.from(`${tc.alg}-${tc.ps}`));
      const bad = Uint8Array.from(der);
      bad[cn] = bad[cn]! ^ 1;
      expect(verifyGostCertificateSignature(parseGostCertificate(bad), cert.publicKeyInfo)).to.equal(false);
    });
  }

  it('rejects a signature checked with another issuer key, or a key of the wrong length', () => {
    const a = parseGostCertificate(makeCert('gost2012_256', 'A', '-md_gost12_256', 'one').der);
    const b = parseGostCertificate(makeCert('gost2012_256', 'A', '-md_gost12_256', 'two').der);
    const c = parseGostCertificate(makeCert('gost2012_512', 'A', '-md_gost12_512', 'three').der);
    expect(verifyGostCertificateSignature(a, b.publicKeyInfo)).to.equal(false);
    expect(verifyGostCertificateSignature(a, c.publicKeyInfo)).to.equal(false);
  });

  it('refuses a non-GOST certificate and garbage with a clear error', () => {
    const key = join(tmp.dir, 'rsa.key');
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', key]);
    const pem = join(tmp.dir, 'rsa.crt');
    openssl(['req', '-x509', '-new', '-key', key, '-subj', '/CN=rsa', '-days', '1', '-out', pem]);
    const der = Uint8Array.from(openssl(['x509', '-in', pem, '-outform', 'DER']));
    expect(() => parseGostCertificate(der)).to.throw(/not a GOST R 34.10 key/);
    expect(() => parseGostCertificate(new Uint8Array([0x30, 0x05, 1, 2]))).to.throw(/GOST certificate/);
    expect(() => parseGostCertificate(der.subarray(0, der.length - 1))).to.throw(/GOST certificate/);
  });
});
