import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createStreebog, streebog256, streebog512 } from '../../../src/signature/gost/streebog.js';
import { opensslStreebog, requireGostEngine } from './openssl.js';

/** RFC 6986 prints messages and hashes as big-endian numbers; the hashed bytes are the reverse. */
const rfc = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex')).reverse();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const M1 = rfc(
  '323130393837363534333231303938373635343332313039383736353433323130393837363534333231303938373635343332313039383736353433323130',
);
const M2 = rfc(
  'fbe2e5f0eee3c820fbeafaebef20fffbf0e1e0f0f520e0ed20e8ece0ebe5f0f2f120fff0eeec20f120faf2fee5e2202ce8f6f3ede220e8e6eee1e8f0f2d1202ce8f0f2e5e220e5d1',
);

describe('Streebog (GOST R 34.11-2012)', () => {
  it('RFC 6986 example 1 is the ASCII text 0123…012 in byte order', () => {
    expect(Buffer.from(M1).toString('latin1')).to.equal(
      '012345678901234567890123456789012345678901234567890123456789012',
    );
  });

  it('hashes RFC 6986 M1 (512 and 256 bit)', () => {
    expect(hex(streebog512(M1))).to.equal(
      hex(
        rfc(
          '486f64c1917879417fef082b3381a4e211c324f074654c38823a7b76f830ad00fa1fbae42b1285c0352f227524bc9ab16254288dd6863dccd5b9f54a1ad0541b',
        ),
      ),
    );
    expect(hex(streebog256(M1))).to.equal(
      hex(rfc('00557be5e584fd52a449b16b0251d05d27f94ab76cbaa6da890b59d8ef1e159d')),
    );
  });

  it('hashes RFC 6986 M2 (72 bytes, crosses a block boundary)', () => {
    expect(M2.length).to.equal(72);
    expect(hex(streebog512(M2))).to.equal(
      hex(
        rfc(
          '28fbc9bada033b1460642bdcddb90c3fb3e56c497ccd0f62b8a2ad4935e85f037613966de4ee00531ae60f3b5a47f8dae06915d5f2f194996fcabf2622e6881e',
        ),
      ),
    );
    expect(hex(streebog256(M2))).to.equal(
      hex(rfc('508f7e553c06501d749a66fc28c6cac0b005746d97537fa85d9e40904efed29d')),
    );
  });

  it('gives the same digest whatever the chunking', () => {
    const data = randomBytes(1000);
    const whole = hex(streebog256(data));
    for (const step of [1, 7, 63, 64, 65, 128, 999]) {
      const h = createStreebog(256);
      for (let i = 0; i < data.length; i += step) h.update(data.subarray(i, i + step));
      expect(hex(h.digest()), `chunks of ${String(step)}`).to.equal(whole);
    }
  });

  it('returns 32 and 64 bytes, and different values for 256 and 512 on the same input', () => {
    const d = new Uint8Array(0);
    expect(streebog256(d)).to.have.length(32);
    expect(streebog512(d)).to.have.length(64);
    expect(hex(streebog512(d)).slice(64)).to.not.equal(hex(streebog256(d)));
  });

  it('refuses reuse after digest() and unsupported lengths', () => {
    const h = createStreebog(512).update(new Uint8Array([1]));
    h.digest();
    expect(() => h.digest()).to.throw(/twice/);
    expect(() => h.update(new Uint8Array(1))).to.throw(/after digest/);
    expect(() => createStreebog(384 as 256)).to.throw(RangeError);
  });

  describe('against OpenSSL (GOST engine)', () => {
    before(() => requireGostEngine());
    for (const len of [0, 1, 31, 32, 63, 64, 65, 127, 128, 129, 1000, 4096, 65537]) {
      it(`agrees on ${String(len)} random bytes`, () => {
        const data = randomBytes(len);
        expect(hex(streebog256(data))).to.equal(hex(opensslStreebog(256, data)));
        expect(hex(streebog512(data))).to.equal(hex(opensslStreebog(512, data)));
      });
    }
    it('agrees on 0xFF bytes (carry through the 512-bit Σ sum)', () => {
      const data = new Uint8Array(64 * 3 + 5).fill(0xff);
      expect(hex(streebog512(data))).to.equal(hex(opensslStreebog(512, data)));
    });
  });
});
