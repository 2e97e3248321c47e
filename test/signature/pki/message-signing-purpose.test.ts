/**
 * A certificate that limits its purposes (extended key usage) must allow signing messages: a TLS server or
 * code-signing certificate issued by a trusted CA does not sign SMEV messages. Certificates are made on a fixed
 * moment of their own, and checked at it.
 */
import { expect } from 'chai';
import { createRootCa, issueCertificate } from '../../../src/sample-pki/issue.js';
import { TrustStore } from '../../../src/signature/pki/trust-store.js';
import { GatewayFault } from '../../../src/core/faults.js';

const ISSUED = new Date('2030-03-01T00:00:00Z');
const AT = new Date('2030-06-01T00:00:00Z');
const ca = createRootCa({ commonName: 'Purpose Test CA', years: 5, now: ISSUED });
const trust = TrustStore.fromPem([ca.certPem], []);

function leaf(extendedKeyUsage?: string[]) {
  return issueCertificate(ca, {
    commonName: 'PURPOSE_TEST',
    notBefore: ISSUED,
    notAfter: new Date('2031-03-01T00:00:00Z'),
    ...(extendedKeyUsage ? { extendedKeyUsage } : {}),
  }).certPem;
}

function reasonOf(pem: string): string {
  try {
    trust.check(pem, AT);
    return 'trusted';
  } catch (error) {
    if (error instanceof GatewayFault) return error.reason ?? error.code;
    throw error;
  }
}

describe('extended key usage of signing certificates', () => {
  const accepted: Array<[string, string[] | undefined]> = [
    ['no extended key usage at all', undefined],
    ['client authentication', ['1.3.6.1.5.5.7.3.2']],
    ['e-mail protection', ['1.3.6.1.5.5.7.3.4']],
    [
      'client authentication with e-mail protection and a private purpose (as CryptoPro issues them)',
      ['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.4', '1.2.643.2.2.34.6'],
    ],
    ['any purpose', ['2.5.29.37.0']],
    ['document signing (RFC 9336)', ['1.3.6.1.5.5.7.3.36']],
  ];
  for (const [name, purposes] of accepted) {
    it(`accepts ${name}`, () => {
      expect(reasonOf(leaf(purposes))).to.equal('trusted');
    });
  }

  const refused: Array<[string, string[]]> = [
    ['a TLS server certificate', ['1.3.6.1.5.5.7.3.1']],
    ['a code-signing certificate', ['1.3.6.1.5.5.7.3.3']],
    ['a time-stamping certificate', ['1.3.6.1.5.5.7.3.8']],
    ['an OCSP signer', ['1.3.6.1.5.5.7.3.9']],
    ['a certificate for a private purpose only', ['1.2.643.2.2.34.6']],
  ];
  for (const [name, purposes] of refused) {
    it(`refuses ${name}: CertificateIsNotTrusted`, () => {
      expect(reasonOf(leaf(purposes))).to.equal('CertificateIsNotTrusted');
    });
  }
});
