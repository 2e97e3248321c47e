import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { GatewayFault } from '../../../src/core/faults.js';
import {
  addYears,
  createCrl,
  createRootCa,
  issueCertificate,
  selfSigned,
  type IssuedPair,
} from '../../../src/sample-pki/issue.js';
import { parseCrl } from '../../../src/signature/pki/crl.js';
import { keyFamily } from '../../../src/signature/keys.js';
import { pemBody, thumbprint } from '../../../src/signature/pki/thumbprint.js';
import {
  TrustStore,
  TrustStoreError,
  type CertificateFaultReason,
  type CheckedCertificate,
} from '../../../src/signature/pki/trust-store.js';
import { daysFrom, SAMPLE_DIR, sampleCa, sampleFile } from './helpers.js';

function faultOf(fn: () => unknown): GatewayFault {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(GatewayFault);
    return err as GatewayFault;
  }
  expect.fail('expected a GatewayFault');
}

function expectReason(fn: () => unknown, reason: CertificateFaultReason, message?: RegExp): void {
  const fault = faultOf(fn);
  expect(fault.code).to.equal('SignatureVerificationFault');
  expect(fault.reason, fault.message).to.equal(reason);
  expect(fault.qualifiedCode).to.equal(`Client.SignatureVerificationFault.${reason}`);
  if (message) expect(fault.message).to.match(message);
}

function storeError(fn: () => unknown): TrustStoreError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(TrustStoreError);
    return err as TrustStoreError;
  }
  expect.fail('expected a TrustStoreError');
}

describe('pki/trust-store', function () {
  this.timeout(120_000);
  const ca = sampleCa();
  // Every moment here is taken from the committed sample PKI, never from the wall clock: a month into the sample
  // CA's life, so the same checks hold whenever the suite runs (and whenever the files were made).
  const sampleStart = new Date(new X509Certificate(ca.certPem).validFrom);
  const now = daysFrom(sampleStart, 30);
  const lastYear = addYears(now, -1);
  const nextYear = addYears(now, 1);
  const sampleCrl = sampleFile('ca.crl.pem');
  let store: TrustStore;
  let other: IssuedPair;

  const leaf = (
    issuer: IssuedPair,
    extra: Partial<Parameters<typeof issueCertificate>[1]> = {},
  ): IssuedPair =>
    issueCertificate(issuer, {
      commonName: 'TEST_SYSTEM',
      mnemonic: 'TEST_SYSTEM',
      notBefore: lastYear,
      notAfter: nextYear,
      ...extra,
    });

  before(() => {
    store = TrustStore.fromDirectory(SAMPLE_DIR);
    other = createRootCa({ commonName: 'Some other CA', now: lastYear, years: 5 });
  });

  describe('the committed sample PKI', () => {
    for (const name of ['DEMO_CONSUMER', 'SOCPROTECT_47', 'SOCCARD_28', 'PORTAL_26', 'gateway']) {
      it(`trusts ${name} now`, () => {
        const pem = sampleFile(`${name}.crt.pem`);
        const checked = store.check(pem, now);
        const x509 = new X509Certificate(pem);
        expect(checked.thumbprint).to.equal(x509.fingerprint256.replaceAll(':', '').toLowerCase());
        expect(checked.thumbprint).to.equal(thumbprint(x509.raw));
        expect(checked.serial).to.equal(x509.serialNumber.toLowerCase().replace(/^0+/, ''));
        expect(checked.subject).to.contain(`CN=${name === 'gateway' ? 'smev-gateway' : name}`);
        expect(checked.issuer).to.contain('CN=smev-gateway sample CA');
        expect(checked.der.equals(x509.raw)).to.equal(true);
        expect(checked.pem).to.equal(x509.toString());
        expect(keyFamily(checked.publicKey)).to.equal('rsa');
        expect(checked.notBefore.getTime()).to.equal(new Date(x509.validFrom).getTime());
        expect(checked.notAfter.getTime()).to.equal(new Date(x509.validTo).getTime());
        expect(checked.notAfter.getTime()).to.be.at.least(addYears(checked.notBefore, 10).getTime());
        expect(checked.chain).to.deep.equal([thumbprint(new X509Certificate(ca.certPem).raw)]);
      });
    }

    it('puts the mnemonic in the subject of each system certificate', () => {
      expect(store.check(sampleFile('SOCCARD_28.crt.pem'), now).subject).to.match(/OU=SOCCARD_28/);
    });

    it('refuses REVOKED_SYSTEM as revoked', () => {
      expectReason(
        () => store.check(sampleFile('REVOKED_SYSTEM.crt.pem'), now),
        'CertificateIsRevoked',
        /REVOKED_SYSTEM/,
      );
    });

    it('reads ca*.crt.pem and *.crl.pem only, or the files named', () => {
      expect(store.caCertificates).to.have.length(1);
      expect(store.caCertificates[0]?.root).to.equal(true);
      const listed = TrustStore.fromDirectory(SAMPLE_DIR, { ca: ['ca.crt.pem'], crl: [] });
      // Without the CRL the revoked system passes: revocation is only as good as the CRLs given.
      expect(listed.check(sampleFile('REVOKED_SYSTEM.crt.pem'), now).subject).to.contain('REVOKED_SYSTEM');
    });
  });

  describe('input forms', () => {
    it('takes PEM, base64 DER (as in ds:X509Certificate) and X509Certificate alike', () => {
      const pem = sampleFile('DEMO_CONSUMER.crt.pem');
      const x509 = new X509Certificate(pem);
      const fromPem = store.check(pem, now);
      expect(store.check(x509.raw.toString('base64'), now).thumbprint).to.equal(fromPem.thumbprint);
      // Base64 in XML is often wrapped at 64 or 76 columns.
      const wrapped = x509.raw.toString('base64').replace(/(.{76})/g, '$1\n');
      expect(store.check(wrapped, now).thumbprint).to.equal(fromPem.thumbprint);
      expect(store.check(x509, now).thumbprint).to.equal(fromPem.thumbprint);
    });

    for (const [label, text] of [
      ['an empty string', ''],
      ['plain text', 'not a certificate'],
      ['base64 of random bytes', Buffer.from('0123456789abcdef0123456789').toString('base64')],
      ['a PEM block of another kind', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'],
      [
        'a truncated certificate',
        sampleFile('DEMO_CONSUMER.crt.pem').slice(0, 600) + '\n-----END CERTIFICATE-----\n',
      ],
      ['base64 with foreign characters', 'MIIB*AAA'],
    ] as const) {
      it(`refuses ${label} as malformed`, () => {
        expectReason(() => store.check(text, now), 'CertificateIsMalformed');
      });
    }
  });

  describe('validity in time', () => {
    it('refuses an expired certificate', () => {
      const expired = leaf(ca, { notBefore: addYears(now, -2), notAfter: daysFrom(now, -1) });
      expectReason(() => store.check(expired.certPem, now), 'CertificateIsExpired', /expired at/);
    });

    it('refuses a certificate that is not yet valid', () => {
      const future = leaf(ca, { notBefore: daysFrom(now, 1), notAfter: nextYear });
      expectReason(() => store.check(future.certPem, now), 'CertificateIsNotYetValid', /valid from/);
    });

    it('judges each moment afresh although the chain is cached', () => {
      const pem = sampleFile('PORTAL_26.crt.pem');
      const x509 = new X509Certificate(pem);
      const validFromDate = new Date(x509.validFrom);
      const validToDate = new Date(x509.validTo);
      const second = 1000;
      expect(store.check(pem, now).subject).to.contain('PORTAL_26');
      expectReason(() => store.check(pem, new Date(validToDate.getTime() + second)), 'CertificateIsExpired');
      expectReason(
        () => store.check(pem, new Date(validFromDate.getTime() - second)),
        'CertificateIsNotYetValid',
      );
      expect(store.check(pem, validFromDate).subject).to.contain('PORTAL_26');
      expect(store.check(pem, validToDate).subject).to.contain('PORTAL_26');
      expect(store.check(pem, now).subject).to.contain('PORTAL_26');
    });

    it('returns the same cached result for the same certificate', () => {
      const pem = sampleFile('SOCPROTECT_47.crt.pem');
      const first: CheckedCertificate = store.check(pem, now);
      expect(store.check(pem, now)).to.equal(first);
      expect(Object.isFrozen(first)).to.equal(true);
    });
  });

  describe('trust', () => {
    it('refuses a certificate from an unknown CA', () => {
      expectReason(
        () => store.check(leaf(other).certPem, now),
        'CertificateIsNotTrusted',
        /not issued by a CA/,
      );
    });

    it('refuses a certificate from an impostor CA with the sample CA name', () => {
      const impostor = createRootCa({
        commonName: 'smev-gateway sample CA',
        organization: 'smev-gateway sample certification centre',
        now: lastYear,
        years: 5,
      });
      expectReason(() => store.check(leaf(impostor).certPem, now), 'CertificateIsNotTrusted');
    });

    it('refuses a self-signed certificate', () => {
      const self = selfSigned({ commonName: 'DEMO_CONSUMER', notBefore: lastYear, notAfter: nextYear });
      expectReason(() => store.check(self.certPem, now), 'CertificateIsNotTrusted', /self-signed/);
    });

    it('refuses a CA certificate as a signing certificate, the root included', () => {
      const sub = leaf(ca, { isCa: true });
      expectReason(() => store.check(sub.certPem, now), 'CertificateIsNotTrusted', /CA certificate/);
      expectReason(() => store.check(ca.certPem, now), 'CertificateIsNotTrusted', /CA certificate/);
    });

    it('refuses a certificate whose key usage leaves out digitalSignature', () => {
      const encipherOnly = leaf(ca, { keyUsage: ['keyEncipherment'] });
      expectReason(() => store.check(encipherOnly.certPem, now), 'CertificateIsNotTrusted', /key usage/);
    });

    it('accepts a certificate with no key usage extension at all', () => {
      const plain = leaf(ca, { keyUsage: [] });
      expect(store.check(plain.certPem, now).serial).to.match(/^[0-9a-f]+$/);
    });

    it('caches refusals too, and keeps refusing', () => {
      const pem = leaf(other).certPem;
      expectReason(() => store.check(pem, now), 'CertificateIsNotTrusted');
      expectReason(() => store.check(pem, now), 'CertificateIsNotTrusted');
    });
  });

  describe('CRLs', () => {
    it('reports a stale CRL (nextUpdate passed) as CrlIsStale', () => {
      const stale = createCrl(ca, [], { thisUpdate: daysFrom(now, -30), nextUpdate: daysFrom(now, -1) });
      const staleStore = TrustStore.fromPem([ca.certPem], [stale]);
      expectReason(
        () => staleStore.check(sampleFile('DEMO_CONSUMER.crt.pem'), now),
        'CrlIsStale',
        /expired at/,
      );
      // The sample CRL itself goes stale at its nextUpdate while the CA is still valid.
      const later = daysFrom(parseCrl(pemBody(sampleCrl)).nextUpdate, 1);
      const longLived = leaf(ca, { notAfter: daysFrom(later, 365) });
      expectReason(() => store.check(longLived.certPem, later), 'CrlIsStale');
    });

    it('still reports a serial listed on a stale CRL as revoked', () => {
      const serial = new X509Certificate(sampleFile('REVOKED_SYSTEM.crt.pem')).serialNumber;
      const stale = createCrl(ca, [{ serial, revokedAt: daysFrom(now, -20) }], {
        thisUpdate: daysFrom(now, -30),
        nextUpdate: daysFrom(now, -1),
      });
      const staleStore = TrustStore.fromPem([ca.certPem], [stale]);
      expectReason(() => staleStore.check(sampleFile('REVOKED_SYSTEM.crt.pem'), now), 'CertificateIsRevoked');
    });

    it('never trusts a CRL signed by another key: the store refuses to be built', () => {
      // Carries the sample CA's name and key id but another CA's signature, and "un-revokes" REVOKED_SYSTEM.
      const forged = createCrl({ certPem: ca.certPem, keyPem: other.keyPem }, [], {
        thisUpdate: now,
        nextUpdate: nextYear,
        crlNumber: 99,
      });
      const error = storeError(() => TrustStore.fromPem([ca.certPem], [forged]));
      expect(error.problem).to.equal('CrlIsNotTrusted');
      expect(error.message).to.match(/not signed by/);
      // Next to the genuine CRL it is refused as well: a newer number must not let it win.
      expect(storeError(() => TrustStore.fromPem([ca.certPem], [sampleCrl, forged])).problem).to.equal(
        'CrlIsNotTrusted',
      );
    });

    it('never trusts a CRL whose signed content was altered', () => {
      const der = Buffer.from(sampleCrl.replace(/-----[A-Z0-9 ]+-----/g, '').replace(/\s+/g, ''), 'base64');
      const serial = Buffer.from(
        new X509Certificate(sampleFile('REVOKED_SYSTEM.crt.pem')).serialNumber,
        'hex',
      );
      const at = der.indexOf(serial);
      expect(at).to.be.greaterThan(0);
      const last = at + serial.length - 1;
      der.writeUInt8(der.readUInt8(last) ^ 0x01, last); // change the revoked serial
      const altered = `-----BEGIN X509 CRL-----\n${der.toString('base64')}\n-----END X509 CRL-----\n`;
      expect(storeError(() => TrustStore.fromPem([ca.certPem], [altered])).problem).to.equal(
        'CrlIsNotTrusted',
      );
    });

    it('refuses a CRL whose issuer is not in the store, and text that is no CRL', () => {
      const foreign = createCrl(other, [], { thisUpdate: now, nextUpdate: nextYear });
      expect(storeError(() => TrustStore.fromPem([ca.certPem], [foreign])).problem).to.equal(
        'CrlIssuerIsUnknown',
      );
      expect(storeError(() => TrustStore.fromPem([ca.certPem], ['nonsense'])).problem).to.equal(
        'CrlIsMalformed',
      );
      const broken = '-----BEGIN X509 CRL-----\nMAMCAQE=\n-----END X509 CRL-----\n';
      expect(storeError(() => TrustStore.fromPem([ca.certPem], [broken])).problem).to.equal('CrlIsMalformed');
    });

    it('uses the newest CRL of a CA whatever the order given', () => {
      const serial = new X509Certificate(sampleFile('DEMO_CONSUMER.crt.pem')).serialNumber;
      const older = createCrl(ca, [], { thisUpdate: daysFrom(now, -2), nextUpdate: nextYear, crlNumber: 1 });
      const newer = createCrl(ca, [{ serial, revokedAt: now }], {
        thisUpdate: daysFrom(now, -1),
        nextUpdate: nextYear,
        crlNumber: 2,
      });
      for (const crls of [
        [older, newer],
        [newer, older],
      ]) {
        const s = TrustStore.fromPem([ca.certPem], crls);
        expectReason(() => s.check(sampleFile('DEMO_CONSUMER.crt.pem'), now), 'CertificateIsRevoked');
      }
    });
  });

  describe('the store material itself', () => {
    it('refuses a leaf certificate offered as a CA, and text that is no certificate', () => {
      expect(storeError(() => TrustStore.fromPem([sampleFile('gateway.crt.pem')], [])).problem).to.equal(
        'CaIsNotCa',
      );
      expect(storeError(() => TrustStore.fromPem(['nonsense'], [])).problem).to.equal('CaIsMalformed');
      expect(storeError(() => TrustStore.fromPem([ca.certPem, 'nonsense'], [])).problem).to.equal(
        'CaIsMalformed',
      );
      const broken = '-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n';
      expect(storeError(() => TrustStore.fromPem([broken], [])).problem).to.equal('CaIsMalformed');
    });

    it('trusts nothing when empty', () => {
      expectReason(
        () => TrustStore.fromPem([], []).check(sampleFile('DEMO_CONSUMER.crt.pem'), now),
        'CertificateIsNotTrusted',
      );
    });
  });

  describe('intermediate CAs', () => {
    let intermediate: IssuedPair;
    let underIntermediate: IssuedPair;
    let interStore: TrustStore;

    before(() => {
      intermediate = issueCertificate(ca, {
        commonName: 'smev-gateway sample issuing CA',
        isCa: true,
        pathLength: 0,
        notBefore: lastYear,
        notAfter: addYears(now, 5),
      });
      underIntermediate = leaf(intermediate);
      interStore = TrustStore.fromPem([ca.certPem + intermediate.certPem], [sampleCrl]);
    });

    it('trusts a leaf issued by an intermediate held in the store (a bundle file)', () => {
      const checked = interStore.check(underIntermediate.certPem, now);
      expect(checked.chain).to.deep.equal([
        thumbprint(new X509Certificate(intermediate.certPem).raw),
        thumbprint(new X509Certificate(ca.certPem).raw),
      ]);
      expect(interStore.caCertificates.map((c) => c.root)).to.deep.equal([true, false]);
      expect(interStore.warnings).to.deep.equal([]);
    });

    it("applies the intermediate's CRL to its leaves", () => {
      const serial = new X509Certificate(underIntermediate.certPem).serialNumber;
      const crl = createCrl(intermediate, [{ serial, revokedAt: now }], {
        thisUpdate: now,
        nextUpdate: nextYear,
      });
      const s = TrustStore.fromPem([ca.certPem, intermediate.certPem], [sampleCrl, crl]);
      expectReason(() => s.check(underIntermediate.certPem, now), 'CertificateIsRevoked');
    });

    it("applies the root's CRL to the intermediate", () => {
      const serial = new X509Certificate(intermediate.certPem).serialNumber;
      const crl = createCrl(ca, [{ serial, revokedAt: now }], {
        thisUpdate: now,
        nextUpdate: nextYear,
        crlNumber: 2,
      });
      const s = TrustStore.fromPem([ca.certPem, intermediate.certPem], [sampleCrl, crl]);
      expectReason(() => s.check(underIntermediate.certPem, now), 'CertificateIsRevoked', /issuing CA/);
    });

    it('refuses the chain when the intermediate has expired', () => {
      const old = issueCertificate(ca, {
        commonName: 'expired issuing CA',
        isCa: true,
        notBefore: addYears(now, -3),
        notAfter: daysFrom(now, -1),
      });
      const child = leaf(old, { notBefore: addYears(now, -2) });
      const s = TrustStore.fromPem([ca.certPem, old.certPem], []);
      expectReason(() => s.check(child.certPem, now), 'CertificateIsExpired', /issuing CA certificate/);
    });

    it('does not trust an intermediate whose root is missing, and says so', () => {
      const s = TrustStore.fromPem([intermediate.certPem], []);
      expect(s.warnings[0]).to.match(/does not chain to a root/);
      expectReason(() => s.check(underIntermediate.certPem, now), 'CertificateIsNotTrusted');
    });

    it('honours pathLenConstraint: no CA below an intermediate with path length 0', () => {
      const sub = issueCertificate(intermediate, {
        commonName: 'too deep CA',
        isCa: true,
        notBefore: lastYear,
        notAfter: nextYear,
      });
      const s = TrustStore.fromPem([ca.certPem, intermediate.certPem, sub.certPem], []);
      expect(s.warnings.join()).to.match(/too deep CA/);
      expectReason(() => s.check(leaf(sub).certPem, now), 'CertificateIsNotTrusted');
    });

    it('with requireCrl, refuses leaves of a CA that has no CRL in the store', () => {
      const strict = TrustStore.fromPem([ca.certPem, intermediate.certPem], [sampleCrl], {
        requireCrl: true,
      });
      expectReason(() => strict.check(underIntermediate.certPem, now), 'CrlIsNotFound');
      expect(strict.check(sampleFile('DEMO_CONSUMER.crt.pem'), now).subject).to.contain('DEMO_CONSUMER');
    });
  });
});
