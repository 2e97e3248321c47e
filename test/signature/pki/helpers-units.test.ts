import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { BoundedCache } from '../../../src/signature/pki/bounded-cache.js';
import { certificateDer, pemBlocks, thumbprint } from '../../../src/signature/pki/thumbprint.js';
import { sampleFile } from './helpers.js';

describe('pki/thumbprint', () => {
  it('is the lowercase SHA-256 hex of the DER', () => {
    const der = Buffer.from([1, 2, 3]);
    expect(thumbprint(der)).to.equal(createHash('sha256').update(der).digest('hex'));
    expect(thumbprint(der)).to.match(/^[0-9a-f]{64}$/);
  });

  it('decodes PEM and bare base64 to the same DER, and refuses what is neither', () => {
    const pem = sampleFile('ca.crt.pem');
    const fromPem = certificateDer(pem);
    expect(fromPem).to.be.instanceOf(Buffer);
    expect(certificateDer(fromPem?.toString('base64') ?? '')?.equals(fromPem as Buffer)).to.equal(true);
    expect(certificateDer('')).to.equal(undefined);
    expect(certificateDer('abc')).to.equal(undefined); // not a multiple of four
    expect(certificateDer('-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----')).to.equal(undefined);
    expect(certificateDer('A'.repeat(70_000))).to.equal(undefined); // too large to be worth decoding
  });

  it('splits bundles into blocks of the asked kind', () => {
    const bundle = sampleFile('ca.crt.pem') + sampleFile('gateway.crt.pem') + sampleFile('ca.crl.pem');
    expect(pemBlocks(bundle, 'CERTIFICATE')).to.have.length(2);
    expect(pemBlocks(bundle, 'X509 CRL')).to.have.length(1);
  });
});

describe('pki/bounded-cache', () => {
  it('evicts the least recently used entry past its limit', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).to.equal(1); // a is now the most recent
    cache.set('c', 3);
    expect(cache.get('b')).to.equal(undefined);
    expect(cache.get('a')).to.equal(1);
    expect(cache.get('c')).to.equal(3);
    expect(cache.size).to.equal(2);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new BoundedCache(0)).to.throw(RangeError);
    expect(() => new BoundedCache(1.5)).to.throw(RangeError);
  });
});
