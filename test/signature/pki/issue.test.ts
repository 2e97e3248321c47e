import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  addYears,
  createCrl,
  createRootCa,
  issueCertificate,
  selfSigned,
  serialToDerHex,
  type IssuedPair,
} from '../../../src/sample-pki/issue.js';
import { daysFrom } from './helpers.js';

/** Runs openssl; returns its exit status and everything it printed (it reports "verify OK" on stderr). */
function openssl(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('pki/issue', function () {
  this.timeout(60_000);
  const now = new Date();
  let dir: string;
  let ca: IssuedPair;
  let good: IssuedPair;
  let revoked: IssuedPair;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pki-issue-'));
    ca = createRootCa({ commonName: 'Тестовый УЦ', organization: 'Тест', now: daysFrom(now, -1), years: 20 });
    good = issueCertificate(ca, {
      commonName: 'GOOD_SYSTEM',
      mnemonic: 'GOOD_SYSTEM',
      organization: 'Организация',
      notBefore: daysFrom(now, -1),
      notAfter: addYears(now, 1),
    });
    revoked = issueCertificate(ca, {
      commonName: 'BAD_SYSTEM',
      notBefore: daysFrom(now, -1),
      notAfter: addYears(now, 1),
      serial: '00ff00aa', // leading zero and high bit: exercises serial normalisation on both sides
    });
    const crl = createCrl(ca, [{ serial: 'FF00AA', revokedAt: now }], {
      thisUpdate: daysFrom(now, -1),
      nextUpdate: daysFrom(now, 30),
      crlNumber: 7,
    });
    writeFileSync(join(dir, 'ca.crt.pem'), ca.certPem);
    writeFileSync(join(dir, 'ca.crl.pem'), crl);
    writeFileSync(join(dir, 'good.crt.pem'), good.certPem);
    writeFileSync(join(dir, 'revoked.crt.pem'), revoked.certPem);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a CRL whose signature openssl verifies with the CA certificate', () => {
    const result = openssl([
      'crl',
      '-in',
      join(dir, 'ca.crl.pem'),
      '-CAfile',
      join(dir, 'ca.crt.pem'),
      '-noout',
    ]);
    expect(result.output).to.contain('verify OK');
    expect(result.status).to.equal(0);
  });

  it('makes a v2 CRL with the revoked serial, a CRL number and the authority key id', () => {
    const text = openssl(['crl', '-in', join(dir, 'ca.crl.pem'), '-noout', '-text']).output;
    expect(text).to.contain('Version 2');
    expect(text).to.contain('sha256WithRSAEncryption');
    expect(text).to.match(/Serial Number: FF00AA/i);
    expect(text).to.match(/CRL Number:\s+7/);
    expect(text).to.contain('Authority Key Identifier');
  });

  it('openssl verify -crl_check rejects the revoked certificate and accepts the other', () => {
    const common = [
      'verify',
      '-crl_check',
      '-CAfile',
      join(dir, 'ca.crt.pem'),
      '-CRLfile',
      join(dir, 'ca.crl.pem'),
    ];
    const bad = openssl([...common, join(dir, 'revoked.crt.pem')]);
    expect(bad.status).to.not.equal(0);
    expect(bad.output).to.contain('certificate revoked');
    const ok = openssl([...common, join(dir, 'good.crt.pem')]);
    expect(ok.status, ok.output).to.equal(0);
    expect(ok.output).to.contain('OK');
  });

  it('issues leaves with digitalSignature + nonRepudiation, CA=false, and the mnemonic in OU', () => {
    const text = openssl([
      'x509',
      '-in',
      join(dir, 'good.crt.pem'),
      '-noout',
      '-text',
      '-nameopt',
      'utf8',
    ]).output;
    expect(text).to.contain('CA:FALSE');
    expect(text).to.match(/Key Usage: critical\s+Digital Signature, Non Repudiation/);
    expect(text).to.contain('Subject Key Identifier');
    expect(text).to.contain('Authority Key Identifier');
    const leaf = new X509Certificate(good.certPem);
    expect(leaf.subject).to.contain('OU=GOOD_SYSTEM');
    expect(leaf.subject).to.contain('O=Организация'); // UTF8String survives issuance
    expect(leaf.issuer).to.contain('CN=Тестовый УЦ'); // and is copied into children without double encoding
    expect(leaf.ca).to.equal(false);
    expect(leaf.checkIssued(new X509Certificate(ca.certPem))).to.equal(true);
    expect(leaf.publicKey.asymmetricKeyDetails?.modulusLength).to.equal(2048);
  });

  it('issues a CA certificate with keyCertSign + cRLSign, self-signed for a root', () => {
    const text = openssl(['x509', '-in', join(dir, 'ca.crt.pem'), '-noout', '-text']).output;
    expect(text).to.contain('CA:TRUE');
    expect(text).to.match(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    const root = new X509Certificate(ca.certPem);
    expect(root.ca).to.equal(true);
    expect(root.verify(root.publicKey)).to.equal(true);
  });

  it('honours the serial given, as a positive DER integer', () => {
    expect(new X509Certificate(revoked.certPem).serialNumber.toLowerCase()).to.match(/^0*ff00aa$/);
  });

  it('issues intermediates with a path length, and self-signed leaves', () => {
    const sub = issueCertificate(ca, {
      commonName: 'Sub CA',
      isCa: true,
      pathLength: 0,
      notBefore: now,
      notAfter: addYears(now, 2),
    });
    const subText = new X509Certificate(sub.certPem);
    expect(subText.ca).to.equal(true);
    expect(subText.verify(new X509Certificate(ca.certPem).publicKey)).to.equal(true);
    const self = new X509Certificate(
      selfSigned({ commonName: 'me', notBefore: now, notAfter: addYears(now, 1) }).certPem,
    );
    expect(self.ca).to.equal(false);
    expect(self.verify(self.publicKey)).to.equal(true);
  });

  it('writes years from 2050 on as GeneralizedTime, which openssl still reads', () => {
    const crl = createCrl(ca, [], { thisUpdate: now, nextUpdate: new Date('2051-06-01T00:00:00Z') });
    const path = join(dir, 'far.crl.pem');
    writeFileSync(path, crl);
    const result = openssl(['crl', '-in', path, '-CAfile', join(dir, 'ca.crt.pem'), '-noout', '-nextupdate']);
    expect(result.output).to.contain('2051');
    expect(result.output).to.contain('verify OK');
  });

  it('normalises serials to DER INTEGER content and refuses non-hex', () => {
    expect(serialToDerHex('0x01')).to.equal('01');
    expect(serialToDerHex('00ABC')).to.equal('0abc');
    expect(serialToDerHex('80')).to.equal('0080');
    expect(serialToDerHex('0')).to.equal('00');
    expect(() => serialToDerHex('xyz')).to.throw(/not hexadecimal/);
  });
});
