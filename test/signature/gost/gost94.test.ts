import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createGost94, gost94, type GostSbox } from '../../../src/signature/gost/gost94.js';
import { opensslGost94, requireGostEngine } from './openssl.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const text = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** id-GostR3411-94-TestParamSet: the S-box of RFC 5831's examples. */
const TEST_SBOX: GostSbox = [
  [4, 10, 9, 2, 13, 8, 0, 14, 6, 11, 1, 12, 7, 15, 5, 3],
  [14, 11, 4, 12, 6, 13, 15, 10, 2, 3, 8, 1, 0, 7, 5, 9],
  [5, 8, 1, 13, 10, 3, 4, 2, 14, 15, 12, 7, 6, 0, 9, 11],
  [7, 13, 10, 1, 0, 8, 9, 15, 14, 4, 6, 12, 11, 2, 5, 3],
  [6, 12, 7, 1, 5, 15, 13, 8, 4, 10, 9, 14, 0, 3, 11, 2],
  [4, 11, 10, 0, 7, 2, 1, 13, 3, 6, 8, 5, 9, 12, 15, 14],
  [13, 11, 4, 1, 3, 15, 5, 9, 0, 10, 14, 7, 6, 8, 2, 12],
  [1, 15, 13, 0, 5, 7, 10, 4, 9, 2, 3, 14, 6, 11, 8, 12],
];

describe('GOST R 34.11-94 (CryptoPro S-box)', function () {
  this.timeout(60000);

  it('hashes the RFC 5831 examples (test parameter set, 32 and 50 bytes)', () => {
    expect(hex(gost94(text('This is message, length=32 bytes'), TEST_SBOX))).to.equal(
      'b1c466d37519b82e8319819ff32595e047a28cb6f83eff1c6916a815a637fffa',
    );
    expect(hex(gost94(text('Suppose the original message has length = 50 bytes'), TEST_SBOX))).to.equal(
      '471aba57a60a770d3a76130635c1fbea4ef14de51f78b4ae57dd893b62f55208',
    );
  });

  it('hashes the published CryptoPro-parameter vectors', () => {
    const vectors: [string, string][] = [
      ['a', 'e74c52dd282183bf37af0079c9f78055715a103f17e3133ceff1aacf2f403011'],
      ['abc', 'b285056dbf18d7392d7677369524dd14747459ed8143997e163b2986f92fd42c'],
      ['message digest', 'bc6041dd2aa401ebfa6e9886734174febdb4729aa972d60f549ac39b29721ba0'],
      [
        'The quick brown fox jumps over the lazy dog',
        '9004294a361a508c586fe53d1f1b02746765e71b765472786e4770d565830a76',
      ],
      ['U'.repeat(128), '1c4ac7614691bbf427fa2316216be8f10d92edfd37cd1027514c1008f649c4e8'],
    ];
    for (const [message, digest] of vectors) expect(hex(gost94(text(message))), message).to.equal(digest);
  });

  it('gives the same digest whatever the chunking', () => {
    const data = randomBytes(500);
    const whole = hex(gost94(data));
    for (const step of [1, 5, 31, 32, 33, 64, 499]) {
      const h = createGost94();
      for (let i = 0; i < data.length; i += step) h.update(data.subarray(i, i + step));
      expect(hex(h.digest()), `chunks of ${String(step)}`).to.equal(whole);
    }
  });

  it("agrees with OpenSSL's md_gost94 on random inputs, block edges and the empty message", () => {
    requireGostEngine();
    const lengths = [0, 1, 31, 32, 33, 63, 64, 65, 96, 1000];
    for (let i = 0; i < 10; i++) lengths.push(1 + (randomBytes(2).readUInt16LE() % 4000));
    for (const length of lengths) {
      const data = randomBytes(length);
      expect(hex(gost94(data)), `${String(length)} bytes`).to.equal(hex(opensslGost94(data)));
    }
  });
});
