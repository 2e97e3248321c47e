/**
 * The start-up warning for PKI files near their end: which files it names, judged at moments taken from the
 * files themselves; and `serve` (what `npm start` runs) logging it once, also with several workers.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parseCrl } from '../../../src/signature/pki/crl.js';
import { addYears, issueCertificate } from '../../../src/sample-pki/issue.js';
import { nearingEnd } from '../../../src/signature/pki/nearing-end.js';
import { pemBody } from '../../../src/signature/pki/thumbprint.js';
import { spawnGateway } from '../../support/child-gateway.js';
import { daysFrom, SAMPLE_DIR, sampleCa, sampleFile } from './helpers.js';

describe('pki/nearing-end', function () {
  this.timeout(60_000);
  const gatewayCert = join(SAMPLE_DIR, 'gateway.crt.pem');
  const caCert = join(SAMPLE_DIR, 'ca.crt.pem');
  const crl = join(SAMPLE_DIR, 'ca.crl.pem');
  const files = { certificates: [caCert, gatewayCert], crls: [crl] };
  const gatewayEnd = new Date(new X509Certificate(sampleFile('gateway.crt.pem')).validTo);
  const crlEnd = parseCrl(pemBody(sampleFile('ca.crl.pem'))).nextUpdate;
  const caEnd = new Date(new X509Certificate(sampleFile('ca.crt.pem')).validTo);

  it('names nothing while every file is more than 30 days from its end', () => {
    const earliest = Math.min(gatewayEnd.getTime(), crlEnd.getTime());
    expect(nearingEnd(files, new Date(earliest - 31 * 24 * 3600_000))).to.deep.equal([]);
  });

  it('names a certificate within 30 days of its notAfter, with its subject', () => {
    const found = nearingEnd(files, daysFrom(gatewayEnd, -29));
    const gateway = found.find((item) => item.file === gatewayCert);
    expect(gateway?.kind).to.equal('certificate');
    expect(gateway?.subject).to.contain('CN=smev-gateway');
    expect(gateway?.endsAt.getTime()).to.equal(gatewayEnd.getTime());
    expect(found.some((item) => item.file === caCert)).to.equal(false);
  });

  it('names a CRL within 30 days of its nextUpdate, and what has already ended', () => {
    const found = nearingEnd(files, daysFrom(crlEnd, -1));
    expect(found.find((item) => item.file === crl)?.kind).to.equal('CRL');
    const later = nearingEnd(files, daysFrom(caEnd, 1));
    expect(later.map((item) => item.file)).to.have.members([caCert, gatewayCert, crl]);
    // Soonest first.
    const ends = later.map((item) => item.endsAt.getTime());
    expect(ends).to.deep.equal([...ends].sort((a, b) => a - b));
  });

  it('leaves files it cannot read to the loader that reports them', () => {
    expect(
      nearingEnd({ certificates: ['/nonexistent.pem'], crls: [SAMPLE_DIR + 'README.md'] }, new Date()),
    ).to.deep.equal([]);
  });

  for (const workers of [1, 2]) {
    it(`serve warns once at start when its certificate ends within 30 days (${workers} worker${workers > 1 ? 's' : ''})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'smev-gateway-nearing-end-'));
      // A certificate made now, so it ends ten days after this run whatever the date: no fixture date meets the
      // wall clock here.
      const now = new Date();
      const pair = issueCertificate(sampleCa(), {
        commonName: 'smev-gateway',
        notBefore: daysFrom(now, -1),
        notAfter: daysFrom(now, 10),
      });
      writeFileSync(join(dir, 'gateway.crt.pem'), pair.certPem);
      writeFileSync(join(dir, 'gateway.key.pem'), pair.keyPem, { mode: 0o600 });
      writeFileSync(
        join(dir, 'config.json'),
        JSON.stringify({
          pki: { gatewayCertificate: join(dir, 'gateway.crt.pem'), gatewayKey: join(dir, 'gateway.key.pem') },
        }),
      );
      const gateway = await spawnGateway({
        env: {
          SMEV_GATEWAY_CONFIG: join(dir, 'config.json'),
          SQLITE_FILE: join(dir, 'gateway.db'),
          WORKERS: String(workers),
        },
      });
      try {
        const warnings = gateway
          .output()
          .split('\n')
          .filter((line) => line.includes('ends within 30 days'));
        expect(warnings, gateway.output()).to.have.length(1);
        expect(warnings[0]).to.contain(join(dir, 'gateway.crt.pem'));
        expect(warnings[0]).to.contain(new Date(new X509Certificate(pair.certPem).validTo).toISOString());
        expect(gateway.output()).to.not.contain('certs-sample/ca.crt.pem');
      } finally {
        await gateway.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('the sample PKI lives ten years, its CA twenty', () => {
    const x509 = new X509Certificate(sampleFile('gateway.crt.pem'));
    expect(gatewayEnd.getTime()).to.be.at.least(addYears(new Date(x509.validFrom), 10).getTime());
    expect(crlEnd.getTime()).to.be.at.least(addYears(new Date(x509.validFrom), 10).getTime());
    expect(caEnd.getTime()).to.be.at.least(addYears(new Date(x509.validFrom), 20).getTime());
  });
});
