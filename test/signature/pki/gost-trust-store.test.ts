/**
 * The trust store with GOST R 34.10-2012 CAs, which node's X509Certificate cannot verify: chains, validity, CRL
 * signatures and revocation, key usage, all checked by our own GOST code; RSA and GOST CAs side by side.
 */
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { keyFamily } from '../../../src/signature/keys.js';
import {
  createGostCrl,
  createGostRootCa,
  gostSelfSigned,
  issueGostCertificate,
} from '../../../src/sample-pki/gost-issue.js';
import { addYears, issueCertificate, type IssuedPair } from '../../../src/sample-pki/issue.js';
import { pemBody, thumbprint } from '../../../src/signature/pki/thumbprint.js';
import {
  TrustStore,
  TrustStoreError,
  type CertificateFaultReason,
} from '../../../src/signature/pki/trust-store.js';
import { GatewayFault } from '../../../src/core/faults.js';
import { daysFrom, sampleCa, sampleFile } from './helpers.js';

function expectReason(fn: () => unknown, reason: CertificateFaultReason, message?: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(GatewayFault);
    const fault = error as GatewayFault;
    expect(fault.code).to.equal('SignatureVerificationFault');
    expect(fault.reason, fault.message).to.equal(reason);
    if (message) expect(fault.message).to.match(message);
    return;
  }
  expect.fail(`expected ${reason}`);
}

function storeProblem(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(TrustStoreError);
    return (error as TrustStoreError).problem;
  }
  return expect.fail('expected a TrustStoreError');
}

const serialOf = (pair: IssuedPair) => new X509Certificate(pair.certPem).serialNumber;

/** The certificate with one bit of its signature flipped (the last bytes of the DER are the signature). */
function withBadSignature(pem: string): string {
  const der = pemBody(pem);
  der[der.length - 3] = der[der.length - 3]! ^ 0x01;
  return der.toString('base64');
}

describe('pki/trust-store with GOST CAs', function () {
  this.timeout(120_000);
  const now = new Date();
  const lastYear = addYears(now, -1);
  const nextYear = addYears(now, 1);
  let root: IssuedPair;
  let root512: IssuedPair;
  let intermediate: IssuedPair;
  let leaf: IssuedPair;
  let deepLeaf: IssuedPair;
  let revokedLeaf: IssuedPair;
  let rootCrl: string;
  let store: TrustStore;

  const issue = (ca: IssuedPair, extra: Partial<Parameters<typeof issueGostCertificate>[1]> = {}) =>
    issueGostCertificate(ca, {
      commonName: 'GOST_SYSTEM',
      mnemonic: 'GOST_SYSTEM',
      notBefore: lastYear,
      notAfter: nextYear,
      ...extra,
    });

  before(() => {
    root = createGostRootCa({ commonName: 'GOST root', now: addYears(now, -2), years: 10 });
    root512 = createGostRootCa({
      commonName: 'GOST 512 root',
      now: addYears(now, -2),
      years: 10,
      family: 'gost2012-512',
    });
    intermediate = issue(root512, { commonName: 'GOST intermediate', isCa: true, pathLength: 0 });
    leaf = issue(root);
    deepLeaf = issue(intermediate, { family: 'gost2012-256', paramSet: '1.2.643.7.1.2.1.1.1' });
    revokedLeaf = issue(root, { commonName: 'REVOKED' });
    rootCrl = createGostCrl(root, [{ serial: serialOf(revokedLeaf), revokedAt: lastYear }], {
      thisUpdate: daysFrom(now, -1),
      nextUpdate: nextYear,
    });
    store = TrustStore.fromPem([root.certPem, root512.certPem, intermediate.certPem], [rootCrl]);
  });

  it('trusts a leaf of a GOST root, with its GOST key and its chain', () => {
    const checked = store.check(leaf.certPem, now);
    expect(checked.subject).to.contain('CN=GOST_SYSTEM');
    expect(checked.issuer).to.contain('CN=GOST root');
    expect(keyFamily(checked.publicKey)).to.equal('gost2012-256');
    expect(checked.chain).to.deep.equal([thumbprint(pemBody(root.certPem))]);
  });

  it('trusts a leaf (TC26 256 A) under an intermediate signed by a 512-bit root', () => {
    const checked = store.check(deepLeaf.certPem, now);
    expect(checked.chain).to.deep.equal([
      thumbprint(pemBody(intermediate.certPem)),
      thumbprint(pemBody(root512.certPem)),
    ]);
    expect(store.caCertificates.filter((c) => c.root)).to.have.length(2);
  });

  it("refuses a leaf whose issuer signature is wrong: altered, or made by another key under the CA's name", () => {
    expectReason(() => store.check(withBadSignature(leaf.certPem), now), 'CertificateIsNotTrusted');
    // The real CA certificate with an impostor's key: right issuer name and key identifier, wrong signature.
    const impostor = {
      certPem: root.certPem,
      keyPem: createGostRootCa({ commonName: 'x', years: 1 }).keyPem,
    };
    expectReason(
      () => store.check(issue(impostor).certPem, now),
      'CertificateIsNotTrusted',
      /not issued by a CA in the trust store/,
    );
  });

  it('refuses a self-signed GOST certificate and one of an unknown GOST CA', () => {
    const self = gostSelfSigned({ commonName: 'SELF', notBefore: lastYear, notAfter: nextYear });
    expectReason(() => store.check(self.certPem, now), 'CertificateIsNotTrusted', /self-signed/);
    const stranger = createGostRootCa({ commonName: 'GOST root', years: 5, now: lastYear });
    expectReason(() => store.check(issue(stranger).certPem, now), 'CertificateIsNotTrusted');
  });

  it('refuses an expired and a not yet valid GOST certificate, and any below an expired CA', () => {
    const expired = issue(root, { notBefore: addYears(now, -3), notAfter: daysFrom(now, -1) });
    expectReason(() => store.check(expired.certPem, now), 'CertificateIsExpired', /the certificate expired/);
    const early = issue(root, { notBefore: daysFrom(now, 2), notAfter: nextYear });
    expectReason(() => store.check(early.certPem, now), 'CertificateIsNotYetValid');
    const oldCa = issue(root512, {
      commonName: 'old intermediate',
      isCa: true,
      notBefore: addYears(now, -2),
      notAfter: daysFrom(now, -1),
    });
    const below = issue(oldCa, { notBefore: addYears(now, -2), notAfter: nextYear });
    const withOld = TrustStore.fromPem([root512.certPem, oldCa.certPem], []);
    expectReason(() => withOld.check(below.certPem, now), 'CertificateIsExpired', /issuing CA/);
  });

  it('refuses a GOST certificate its CA revoked, and the leaves of a revoked intermediate', () => {
    expectReason(() => store.check(revokedLeaf.certPem, now), 'CertificateIsRevoked', /REVOKED/);
    const crl512 = createGostCrl(root512, [{ serial: serialOf(intermediate), revokedAt: lastYear }], {
      thisUpdate: daysFrom(now, -1),
      nextUpdate: nextYear,
    });
    const revoking = TrustStore.fromPem([root512.certPem, intermediate.certPem], [crl512]);
    expectReason(() => revoking.check(deepLeaf.certPem, now), 'CertificateIsRevoked', /intermediate/);
  });

  it('reports a stale GOST CRL', () => {
    const staleCrl = createGostCrl(root, [], { thisUpdate: lastYear, nextUpdate: daysFrom(now, -1) });
    const stale = TrustStore.fromPem([root.certPem], [staleCrl]);
    expectReason(() => stale.check(leaf.certPem, now), 'CrlIsStale');
  });

  it('refuses to be built with a CRL whose GOST signature is bad', () => {
    const forged = createGostCrl(
      { certPem: root.certPem, keyPem: createGostRootCa({ commonName: 'y', years: 1 }).keyPem },
      [],
      { thisUpdate: lastYear, nextUpdate: nextYear },
    );
    expect(storeProblem(() => TrustStore.fromPem([root.certPem], [forged]))).to.equal('CrlIsNotTrusted');
    const der = pemBody(rootCrl);
    der[der.length - 3] = der[der.length - 3]! ^ 0x01;
    const altered = `-----BEGIN X509 CRL-----\n${der.toString('base64')}\n-----END X509 CRL-----\n`;
    expect(storeProblem(() => TrustStore.fromPem([root.certPem], [altered]))).to.equal('CrlIsNotTrusted');
  });

  it('honours key usage: no signing leaf without digitalSignature, no CRL from a CA without cRLSign', () => {
    const encipher = issue(root, { keyUsage: ['keyEncipherment'] });
    expectReason(() => store.check(encipher.certPem, now), 'CertificateIsNotTrusted', /key usage/);
    const noCrlSign = createGostRootCa({ commonName: 'GOST no cRLSign', years: 2, now: lastYear });
    const limited = issue(noCrlSign, {
      commonName: 'GOST limited CA',
      isCa: true,
      keyUsage: ['keyCertSign'],
    });
    const crl = createGostCrl(limited, [], { thisUpdate: lastYear, nextUpdate: nextYear });
    expect(storeProblem(() => TrustStore.fromPem([noCrlSign.certPem, limited.certPem], [crl]))).to.equal(
      'CrlIsNotTrusted',
    );
    // A CA lacking keyCertSign issues nothing the store believes.
    const noCertSign = issue(root, { commonName: 'GOST CRL-only CA', isCa: true, keyUsage: ['cRLSign'] });
    expect(storeProblem(() => TrustStore.fromPem([noCertSign.certPem], []))).to.equal('CaIsNotCa');
  });

  it('refuses a GOST CA certificate as a signing certificate, and a GOST leaf offered as a CA', () => {
    expectReason(() => store.check(intermediate.certPem, now), 'CertificateIsNotTrusted', /CA certificate/);
    expect(storeProblem(() => TrustStore.fromPem([leaf.certPem], []))).to.equal('CaIsNotCa');
  });

  it('holds RSA and GOST CAs side by side, each with its CRL, RSA paths unchanged', () => {
    const rsaCa = sampleCa();
    const both = TrustStore.fromPem([rsaCa.certPem, root.certPem], [sampleFile('ca.crl.pem'), rootCrl]);
    const rsaLeaf = issueCertificate(rsaCa, {
      commonName: 'RSA_SYSTEM',
      notBefore: lastYear,
      notAfter: nextYear,
    });
    expect(keyFamily(both.check(rsaLeaf.certPem, now).publicKey)).to.equal('rsa');
    expect(keyFamily(both.check(leaf.certPem, now).publicKey)).to.equal('gost2012-256');
    expectReason(() => both.check(sampleFile('REVOKED_SYSTEM.crt.pem'), now), 'CertificateIsRevoked');
    expectReason(() => both.check(revokedLeaf.certPem, now), 'CertificateIsRevoked');
    // A CRL under the RSA CA's name signed by a GOST key is nobody's.
    const gostUnderRsaName = createGostCrl({ certPem: rsaCa.certPem, keyPem: root.keyPem }, [], {
      thisUpdate: lastYear,
      nextUpdate: nextYear,
    });
    expect(storeProblem(() => TrustStore.fromPem([rsaCa.certPem], [gostUnderRsaName]))).to.equal(
      'CrlIsNotTrusted',
    );
  });

  it('trusts the committed GOST sample with its CRL', () => {
    const read = (name: string) => readFileSync(`certs-sample/gost/${name}`, 'utf8');
    const sample = TrustStore.fromPem([read('ca.crt.pem')], [read('ca.crl.pem')], { requireCrl: true });
    for (const name of ['gateway.crt.pem', 'DEMO_GOST_CONSUMER.crt.pem']) {
      expect(keyFamily(sample.check(read(name), now).publicKey)).to.equal('gost2012-256');
    }
  });
});
