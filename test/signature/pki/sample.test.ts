import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { GatewayFault } from '../../../src/core/faults.js';
import { writeSamplePki, SAMPLE_SYSTEMS } from '../../../src/sample-pki/sample.js';
import { parseCrl } from '../../../src/signature/pki/crl.js';
import { pemBody } from '../../../src/signature/pki/thumbprint.js';
import { TrustStore } from '../../../src/signature/pki/trust-store.js';
import { addYears } from '../../../src/sample-pki/issue.js';
import { DAY, SAMPLE_DIR } from './helpers.js';

const SYSTEMS = ['DEMO_CONSUMER', 'SOCPROTECT_47', 'SOCCARD_28', 'PORTAL_26'];
const EXPECTED_FILES = [
  'ca.crl.pem',
  'ca.crt.pem',
  'ca.key.pem',
  'gateway.crt.pem',
  'gateway.key.pem',
  ...[...SYSTEMS, 'REVOKED_SYSTEM'].flatMap((m) => [`${m}.crt.pem`, `${m}.key.pem`]),
].sort();
/** Written into `tls/` by `sample-tls.ts` (tested in `sample-tls.test.ts`). */
const TLS_FILES = ['tls/client.crt.pem', 'tls/client.key.pem', 'tls/server.crt.pem', 'tls/server.key.pem'];

describe('pki/sample', function () {
  this.timeout(120_000);
  const now = new Date('2030-03-01T12:00:00Z');
  // The temporary root is removed as made: never a path derived from another (a failed start must not leave a
  // variable pointing one level too high, at the system's temporary directory).
  let root: string | undefined;
  let dir = '';
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'pki-sample-'));
    dir = join(root, 'out');
    const written = await writeSamplePki(dir, { now });
    expect(written.map((p) => p.slice(dir.length + 1)).sort()).to.deep.equal(
      [...EXPECTED_FILES, ...TLS_FILES].sort(),
    );
  });
  after(() => root && rmSync(root, { recursive: true, force: true }));

  it('writes exactly the files the quick start expects, and certs-sample/ holds them all', () => {
    expect(readdirSync(dir).sort()).to.deep.equal([...EXPECTED_FILES, 'tls'].sort());
    expect(
      readdirSync(SAMPLE_DIR)
        .filter((n) => n.endsWith('.pem'))
        .sort(),
    ).to.deep.equal(EXPECTED_FILES);
    expect(readdirSync(SAMPLE_DIR)).to.include('README.md');
  });

  it('gives the CA 20 years, leaves and the CRL 10 years, starting a day early', () => {
    const caCert = new X509Certificate(read('ca.crt.pem'));
    expect(Date.parse(caCert.validFrom)).to.equal(now.getTime() - DAY);
    expect(Date.parse(caCert.validTo)).to.equal(addYears(now, 20).getTime() - DAY);
    const demo = new X509Certificate(read('DEMO_CONSUMER.crt.pem'));
    expect(Date.parse(demo.validTo)).to.equal(addYears(now, 10).getTime());
    const crl = parseCrl(pemBody(read('ca.crl.pem')));
    expect(crl.nextUpdate.getTime()).to.equal(addYears(now, 10).getTime());
  });

  it('names each system in CN and OU with its sample organisation', () => {
    for (const mnemonic of [...SYSTEMS, 'REVOKED_SYSTEM']) {
      const subject = new X509Certificate(read(`${mnemonic}.crt.pem`)).subject;
      expect(subject).to.contain(`CN=${mnemonic}`);
      expect(subject).to.contain(`OU=${mnemonic}`);
      expect(subject).to.contain(`O=${SAMPLE_SYSTEMS[mnemonic]}`);
    }
    expect(new X509Certificate(read('gateway.crt.pem')).subject).to.contain('CN=smev-gateway');
  });

  it('pairs every certificate with its own key', () => {
    for (const name of ['ca', 'gateway', ...SYSTEMS, 'REVOKED_SYSTEM']) {
      const cert = new X509Certificate(read(`${name}.crt.pem`));
      expect(cert.checkPrivateKey(createPrivateKey(read(`${name}.key.pem`))), name).to.equal(true);
    }
  });

  it('makes a set the trust store accepts, with REVOKED_SYSTEM revoked', () => {
    const store = TrustStore.fromDirectory(dir);
    for (const name of ['gateway', ...SYSTEMS])
      expect(store.check(read(`${name}.crt.pem`), now).subject).to.contain('CN=');
    try {
      store.check(read('REVOKED_SYSTEM.crt.pem'), now);
      expect.fail('REVOKED_SYSTEM was accepted');
    } catch (err) {
      expect(err).to.be.instanceOf(GatewayFault);
      expect((err as GatewayFault).reason).to.equal('CertificateIsRevoked');
    }
  });
});
