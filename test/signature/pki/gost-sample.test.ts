import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOST2012_256 } from '../../../src/signature/algorithms.js';
import { parseCrl } from '../../../src/signature/pki/crl.js';
import { addYears } from '../../../src/sample-pki/issue.js';
import { GOST_SAMPLE_SYSTEM, writeSamplePki } from '../../../src/sample-pki/sample.js';
import { pemBody } from '../../../src/signature/pki/thumbprint.js';
import { TrustStore } from '../../../src/signature/pki/trust-store.js';
import { loadSigningKey } from '../../../src/signature/signing-key.js';
import { DAY, SAMPLE_DIR } from './helpers.js';

const GOST_FILES = [
  'ca.crl.pem',
  'ca.crt.pem',
  'ca.key.pem',
  'gateway.crt.pem',
  'gateway.key.pem',
  `${GOST_SAMPLE_SYSTEM}.crt.pem`,
  `${GOST_SAMPLE_SYSTEM}.key.pem`,
].sort();

describe('pki/sample with --gost', function () {
  this.timeout(120_000);
  const now = new Date('2030-03-01T12:00:00Z');
  let root: string;
  let dir: string;
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'pki-gost-sample-'));
    const written = await writeSamplePki(root, { now, gost: true });
    dir = join(root, 'gost');
    expect(
      written
        .filter((p) => p.startsWith(dir))
        .map((p) => p.slice(dir.length + 1))
        .sort(),
    ).to.deep.equal(GOST_FILES);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('writes the GOST set beside the RSA one, as certs-sample/gost/ holds it, keys readable by the owner only', () => {
    expect(readdirSync(dir).sort()).to.deep.equal(GOST_FILES);
    expect(readdirSync(join(SAMPLE_DIR, 'gost')).sort()).to.deep.equal(GOST_FILES);
    expect(readdirSync(root)).to.include('ca.crt.pem');
    expect(statSync(join(dir, 'ca.key.pem')).mode & 0o777).to.equal(0o600);
  });

  it('makes GOST certificates the trust store accepts, valid from a day early, with keys that match', () => {
    const store = TrustStore.fromPem([read('ca.crt.pem')], [read('ca.crl.pem')], { requireCrl: true });
    for (const name of ['gateway', GOST_SAMPLE_SYSTEM]) {
      const checked = store.check(read(`${name}.crt.pem`), now);
      expect(checked.notBefore.getTime()).to.equal(now.getTime() - DAY);
      expect(checked.notAfter.getTime()).to.equal(addYears(now, 10).getTime());
      expect(loadSigningKey(read(`${name}.key.pem`), read(`${name}.crt.pem`)).signatureAlgorithm).to.equal(
        GOST2012_256,
      );
    }
    const subject = new X509Certificate(read(`${GOST_SAMPLE_SYSTEM}.crt.pem`)).subject;
    expect(subject).to.contain(`CN=${GOST_SAMPLE_SYSTEM}`).and.contain(`OU=${GOST_SAMPLE_SYSTEM}`);
    expect(parseCrl(pemBody(read('ca.crl.pem'))).nextUpdate.getTime()).to.equal(addYears(now, 10).getTime());
  });
});
