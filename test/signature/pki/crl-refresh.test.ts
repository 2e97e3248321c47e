/**
 * CRLs are read again when their files change, so a revocation takes effect with no restart; a file that is
 * half written or bad leaves the CRLs held in force. Over the real endpoint: DEMO_CONSUMER is answered, its CA
 * publishes a CRL that revokes it, and its next request is refused. The CRLs are made here, around the moment the
 * test runs (the sample certificates are checked at the gateway's clock as in every endpoint test).
 */
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrl } from '../../../src/sample-pki/issue.js';
import { post, signedCall, useGateway } from '../../support/gateway.js';

const ca = {
  certPem: readFileSync('certs-sample/ca.crt.pem', 'utf8'),
  keyPem: readFileSync('certs-sample/ca.key.pem', 'utf8'),
};
const serialOf = (system: string) =>
  new X509Certificate(readFileSync(`certs-sample/${system}.crt.pem`, 'utf8')).serialNumber;

function crl(revoked: string[], crlNumber: number): string {
  const now = Date.now();
  return createCrl(
    ca,
    revoked.map((serial) => ({ serial, revokedAt: new Date(now - 60_000) })),
    { thisUpdate: new Date(now - 3_600_000), nextUpdate: new Date(now + 86_400_000), crlNumber },
  );
}

const codeOf = (body: string) => /<(?:\w+:)?Code>([^<]+)</.exec(body)?.[1];

describe('CRLs read again when their files change', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'crl-refresh-'));
    file = join(dir, 'ca.crl.pem');
    writeFileSync(file, crl([], 1));
  });
  const gateway = useGateway(() => ({
    overrides: {
      'pki.crlFiles': [file, 'certs-sample/gost/ca.crl.pem'],
      'pki.crlRefreshSeconds': 0.1,
    },
  }));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

  it('a certificate revoked in a new CRL file is refused at once, with no restart', async () => {
    expect((await post(gateway, signedCall().xml)).status).to.equal(200);
    writeFileSync(file, crl([serialOf('DEMO_CONSUMER')], 2));
    await settle();
    const refused = await post(gateway, signedCall().xml);
    expect(refused.status).to.equal(500);
    expect(codeOf(refused.body)).to.equal('CertificateIsRevoked');
    // Another system of the same CA is still answered.
    expect((await post(gateway, signedCall({ system: 'PORTAL_26' }).xml)).status).to.equal(200);
  });

  it('a bad CRL file (half written) leaves the CRLs held in force', async () => {
    writeFileSync(file, '-----BEGIN X509 CRL-----\nMIIB\n');
    await settle();
    expect(codeOf((await post(gateway, signedCall().xml)).body)).to.equal('CertificateIsRevoked');
  });

  it('a newer CRL without the entry is taken too (the CA decides)', async () => {
    writeFileSync(file, crl([], 3));
    await settle();
    expect((await post(gateway, signedCall().xml)).status).to.equal(200);
  });
});

describe('pki.requireCrl', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'crl-require-'));
    file = join(dir, 'ca.crl.pem');
    writeFileSync(file, crl([], 1));
  });
  const gateway = useGateway(() => ({
    overrides: {
      'pki.crlFiles': [file, 'certs-sample/gost/ca.crl.pem'],
      'pki.requireCrl': true,
      'pki.crlRefreshSeconds': 0.1,
    },
  }));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a certificate whose CA no longer has a CRL in the store: CrlIsNotFound', async () => {
    expect((await post(gateway, signedCall().xml)).status).to.equal(200);
    // The RSA CA's CRL file now holds the GOST CA's CRL: the RSA certificates have no revocation status.
    writeFileSync(file, readFileSync('certs-sample/gost/ca.crl.pem', 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(codeOf((await post(gateway, signedCall().xml)).body)).to.equal('CrlIsNotFound');
  });
});
