/**
 * The sample TLS certificates: a server certificate naming this machine and a client certificate, issued by the
 * sample CA, each usable only for its own side of TLS; and the committed files in certs-sample/tls/ are such a set.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import forge from 'node-forge';
import { SAMPLE_TLS_FILES, writeSampleTls } from '../../../src/sample-pki/sample-tls.js';
import { addYears } from '../../../src/sample-pki/issue.js';
import { sampleCa, sampleFile, SAMPLE_DIR } from './helpers.js';

function extendedUsage(certPem: string): { serverAuth: boolean; clientAuth: boolean } {
  const ext = forge.pki.certificateFromPem(certPem).getExtension('extKeyUsage') as
    { serverAuth?: boolean; clientAuth?: boolean } | undefined;
  return { serverAuth: ext?.serverAuth === true, clientAuth: ext?.clientAuth === true };
}

function checkSet(read: (name: string) => string): void {
  const ca = new X509Certificate(sampleFile('ca.crt.pem'));
  const server = new X509Certificate(read(SAMPLE_TLS_FILES.serverCert));
  const client = new X509Certificate(read(SAMPLE_TLS_FILES.clientCert));
  for (const cert of [server, client]) {
    expect(cert.verify(ca.publicKey), cert.subject).to.equal(true);
    expect(cert.checkIssued(ca)).to.equal(true);
    expect(cert.ca).to.equal(false);
  }
  expect(server.checkPrivateKey(createPrivateKey(read(SAMPLE_TLS_FILES.serverKey)))).to.equal(true);
  expect(client.checkPrivateKey(createPrivateKey(read(SAMPLE_TLS_FILES.clientKey)))).to.equal(true);
  expect(server.checkHost('localhost')).to.equal('localhost');
  expect(server.checkIP('127.0.0.1')).to.equal('127.0.0.1');
  expect(server.checkIP('::1')).to.equal('::1');
  expect(server.checkHost('example.org')).to.equal(undefined);
  expect(extendedUsage(read(SAMPLE_TLS_FILES.serverCert))).to.deep.equal({
    serverAuth: true,
    clientAuth: false,
  });
  expect(extendedUsage(read(SAMPLE_TLS_FILES.clientCert))).to.deep.equal({
    serverAuth: false,
    clientAuth: true,
  });
}

describe('pki/sample TLS certificates', function () {
  this.timeout(60_000);

  it('issues a localhost server certificate and a client certificate under the sample CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pki-sample-tls-'));
    try {
      const notBefore = new Date('2030-03-01T12:00:00Z');
      const written = await writeSampleTls(dir, sampleCa(), { notBefore, notAfter: addYears(notBefore, 10) });
      expect(written.map((p) => p.slice(dir.length + 1)).sort()).to.deep.equal(
        Object.values(SAMPLE_TLS_FILES).sort(),
      );
      checkSet((name) => readFileSync(join(dir, name), 'utf8'));
      const server = new X509Certificate(readFileSync(join(dir, SAMPLE_TLS_FILES.serverCert)));
      expect(Date.parse(server.validFrom)).to.equal(notBefore.getTime());
      expect(server.issuer).to.equal(new X509Certificate(sampleFile('ca.crt.pem')).subject);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the committed certs-sample/tls/ files are such a set', () => {
    checkSet((name) => readFileSync(join(SAMPLE_DIR, name), 'utf8'));
  });
});
