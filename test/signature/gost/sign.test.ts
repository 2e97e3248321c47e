import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { curveByOid, GOST_CURVES } from '../../../src/signature/gost/curves.js';
import { arithmeticFor } from '../../../src/signature/gost/ec.js';
import {
  bigIntToBytesBE,
  bigIntToBytesLE,
  decodePublicKeyX509,
  decodeSignature,
  digestToInteger,
  encodePublicKeyX509,
  encodeSignature,
  fromXmlDsigSignatureValue,
  toXmlDsigSignatureValue,
} from '../../../src/signature/gost/encoding.js';
import {
  generatePrivateKey,
  gostSign,
  gostSignWithK,
  gostVerify,
  isValidPublicKey,
  publicKeyFromPrivate,
  randomScalar,
} from '../../../src/signature/gost/sign.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** RFC 7091 gives e as a number; the digest bytes that produce it are its little-endian encoding. */
const digestFor = (e: bigint, len: number): Uint8Array => bigIntToBytesLE(e, len);

const RFC_256 = {
  curve: curveByOid('1.2.643.2.2.35.0'),
  d: 0x7a929ade789bb9be10ed359dd39a72c11b60961f49397eee1d19ce9891ec3b28n,
  qx: 0x7f2b49e270db6d90d8595bec458b50c58585ba1d4e9b788f6689dbd8e56fd80bn,
  qy: 0x26f1b489d6701dd185c8413a977b3cbbaf64d1c593d26627dffb101a87ff77dan,
  e: 0x2dfbc1b372d89a1188c09c52e0eec61fce52032ab1022e8e67ece6672b043ee5n,
  k: 0x77105c9b20bcd3122823c8cf6fcc7b956de33814e95b7fe64fed924594dceab3n,
  r: 0x41aa28d2f1ab148280cd9ed56feda41974053554a42767b83ad043fd39dc0493n,
  s: 0x01456c64ba4642a1653c235a98a60249bcd6d3f746b631df928014f6c5bf9c40n,
};
const RFC_512 = {
  curve: curveByOid('1.2.643.7.1.2.1.2.0'),
  d: 0x0ba6048aadae241ba40936d47756d7c93091a0e8514669700ee7508e508b102072e8123b2200a0563322dad2827e2714a2636b7bfd18aadfc62967821fa18dd4n,
  qx: 0x115dc5bc96760c7b48598d8ab9e740d4c4a85a65be33c1815b5c320c854621dd5a515856d13314af69bc5b924c8b4ddff75c45415c1d9dd9dd33612cd530efe1n,
  qy: 0x37c7c90cd40b0f5621dc3ac1b751cfa0e2634fa0503b3d52639f5d7fb72afd61ea199441d943ffe7f0c70a2759a3cdb84c114e1f9339fdf27f35eca93677beecn,
  e: 0x3754f3cfacc9e0615c4f4a7c4d8dab531b09b6f9c170c533a71d147035b0c5917184ee536593f4414339976c647c5d5a407adedb1d560c4fc6777d2972075b8cn,
  k: 0x0359e7f4b1410feacc570456c6801496946312120b39d019d455986e364f365886748ed7a44b3e794434006011842286212273a6d14cf70ea3af71bb1ae679f1n,
  r: 0x2f86fa60a081091a23dd795e1e3c689ee512a3c82ee0dcc2643c78eea8fcacd35492558486b20f1c9ec197c90699850260c93bcbcd9c5c3317e19344e173ae36n,
  s: 0x1081b394696ffe8e6585e7a9362d26b6325f56778aadbc081c0bfbe933d52ff5823ce288e8c4f362526080df7f70ce406a6eeb1f56919cb92a9853bde73e5b4an,
};

describe('GOST R 34.10-2012', () => {
  describe('curve table', () => {
    for (const [oid, c] of GOST_CURVES) {
      it(`${oid} (${c.name}): G is on the curve and has order q`, () => {
        const ar = arithmeticFor(c);
        const g = { x: c.gx, y: c.gy };
        expect(ar.isOnCurve(g)).to.equal(true);
        // (q-1)·G = -G, so q·G = O.
        const t = ar.toAffine(ar.mul(g, c.q - 1n));
        expect(t?.x).to.equal(c.gx);
        expect(t?.y).to.equal(c.p - c.gy);
        expect(c.size * 8).to.be.at.least(c.q.toString(2).length);
      });
    }
    it('resolves the XchA/XchB and TC26 B/C/D aliases to the CryptoPro curves', () => {
      expect(curveByOid('1.2.643.2.2.36.0')).to.equal(curveByOid('1.2.643.2.2.35.1'));
      expect(curveByOid('1.2.643.2.2.36.1')).to.equal(curveByOid('1.2.643.2.2.35.3'));
      expect(curveByOid('1.2.643.7.1.2.1.1.2')).to.equal(curveByOid('1.2.643.2.2.35.1'));
      expect(curveByOid('1.2.643.7.1.2.1.1.1').cofactor).to.equal(4n);
    });
    it('throws on an unknown OID', () => {
      expect(() => curveByOid('1.2.840.10045.3.1.7')).to.throw(/unknown parameter set/);
    });
  });

  for (const [name, v] of [
    ['256-bit', RFC_256],
    ['512-bit', RFC_512],
  ] as const) {
    describe(`RFC 7091 ${name} example`, () => {
      const digest = digestFor(v.e, v.curve.size);
      it('derives the public key from the private key', () => {
        expect(publicKeyFromPrivate(v.curve, v.d)).to.deep.equal({ x: v.qx, y: v.qy });
      });
      it('reproduces r and s with the fixed k, as s ‖ r big-endian', () => {
        const sig = gostSignWithK(v.curve, v.d, digest, v.k);
        expect(hex(sig)).to.equal(
          hex(bigIntToBytesBE(v.s, v.curve.size)) + hex(bigIntToBytesBE(v.r, v.curve.size)),
        );
        expect(decodeSignature(v.curve, sig)).to.deep.equal({ r: v.r, s: v.s });
      });
      it('verifies the example signature, with and without the per-key table', () => {
        const sig = encodeSignature(v.curve, { r: v.r, s: v.s });
        expect(gostVerify(v.curve, { x: v.qx, y: v.qy }, digest, sig, { cacheKey: false })).to.equal(true);
        expect(gostVerify(v.curve, { x: v.qx, y: v.qy }, digest, sig)).to.equal(true);
        expect(gostVerify(v.curve, { x: v.qx, y: v.qy }, digest, sig)).to.equal(true);
      });
    });
  }

  describe('verification rejects', () => {
    const v = RFC_256;
    const c = v.curve;
    const pub = { x: v.qx, y: v.qy };
    const digest = digestFor(v.e, 32);
    const sig = (r: bigint, s: bigint): Uint8Array => encodeSignature(c, { r, s });

    it('r = 0, s = 0, r = q, s = q, r ≥ q', () => {
      expect(gostVerify(c, pub, digest, sig(0n, v.s))).to.equal(false);
      expect(gostVerify(c, pub, digest, sig(v.r, 0n))).to.equal(false);
      expect(gostVerify(c, pub, digest, sig(c.q, v.s))).to.equal(false);
      expect(gostVerify(c, pub, digest, sig(v.r, c.q))).to.equal(false);
      // r + q still fits in 32 bytes here and is ≡ r mod q: must be refused, not reduced.
      expect(gostVerify(c, pub, digest, sig(v.r + c.q, v.s))).to.equal(false);
    });
    it('r and s swapped (the r ‖ s order)', () => {
      expect(gostVerify(c, pub, digest, sig(v.s, v.r))).to.equal(false);
    });
    it('a different digest, one flipped bit', () => {
      const other = Uint8Array.from(digest);
      other[0] = other[0]! ^ 1;
      expect(gostVerify(c, pub, other, sig(v.r, v.s))).to.equal(false);
    });
    it('a different (valid) public key', () => {
      expect(gostVerify(c, publicKeyFromPrivate(c, v.d + 1n), digest, sig(v.r, v.s))).to.equal(false);
    });
    it('a public key not on the curve, or with unreduced coordinates', () => {
      expect(gostVerify(c, { x: v.qx, y: v.qy + 1n }, digest, sig(v.r, v.s))).to.equal(false);
      expect(gostVerify(c, { x: v.qx + c.p, y: v.qy }, digest, sig(v.r, v.s))).to.equal(false);
    });
    it('a signature of the wrong length, without throwing', () => {
      expect(gostVerify(c, pub, digest, sig(v.r, v.s).subarray(1))).to.equal(false);
      expect(gostVerify(c, pub, digest, new Uint8Array(0))).to.equal(false);
    });
    it('on a cofactor-4 curve, a point on the curve but outside the order-q subgroup', () => {
      const tc = curveByOid('1.2.643.7.1.2.1.1.1');
      const ar = arithmeticFor(tc);
      // Find a curve point with q·P ≠ O: y = sqrt(x³ + ax + b), p ≡ 3 (mod 4).
      let bad: { x: bigint; y: bigint } | undefined;
      for (let x = 1n; !bad; x++) {
        const rhs = (x * x * x + tc.a * x + tc.b) % tc.p;
        const y = modPow(rhs, (tc.p + 1n) / 4n, tc.p);
        if ((y * y) % tc.p !== rhs) continue;
        const t = ar.toAffine(ar.mul({ x, y }, tc.q));
        if (t) bad = { x, y };
      }
      expect(ar.isOnCurve(bad)).to.equal(true);
      expect(isValidPublicKey(tc, bad)).to.equal(false);
      expect(isValidPublicKey(tc, bad, true)).to.equal(false);
      const d = generatePrivateKey(tc);
      const good = publicKeyFromPrivate(tc, d);
      expect(isValidPublicKey(tc, good)).to.equal(true);
      expect(isValidPublicKey(tc, good, true)).to.equal(true);
      const s = gostSign(tc, d, randomBytes(32));
      expect(gostVerify(tc, bad, randomBytes(32), s)).to.equal(false);
    });
  });

  describe('signing', () => {
    for (const oid of [
      '1.2.643.2.2.35.1',
      '1.2.643.2.2.35.2',
      '1.2.643.2.2.35.3',
      '1.2.643.7.1.2.1.1.1',
      '1.2.643.7.1.2.1.2.1',
      '1.2.643.7.1.2.1.2.2',
      '1.2.643.7.1.2.1.2.3',
    ]) {
      it(`signs and verifies on ${curveByOid(oid).name}, a fresh nonce each time`, () => {
        const c = curveByOid(oid);
        const d = generatePrivateKey(c);
        const pub = publicKeyFromPrivate(c, d);
        const digest = randomBytes(c.size);
        const a = gostSign(c, d, digest);
        const b = gostSign(c, d, digest);
        expect(a).to.have.length(2 * c.size);
        expect(hex(a)).to.not.equal(hex(b));
        expect(gostVerify(c, pub, digest, a)).to.equal(true);
        expect(gostVerify(c, pub, digest, b, { cacheKey: false })).to.equal(true);
      });
    }
    it('treats a digest ≡ 0 (mod q) as e = 1', () => {
      const c = RFC_256.curve;
      const zero = bigIntToBytesLE(c.q, 32);
      expect(digestToInteger(c, zero)).to.equal(1n);
      const sig = gostSign(c, RFC_256.d, zero);
      expect(gostVerify(c, { x: RFC_256.qx, y: RFC_256.qy }, bigIntToBytesLE(1n, 32), sig)).to.equal(true);
    });
    it('refuses private keys outside [1, q-1] and a k outside [1, q-1]', () => {
      const c = RFC_256.curve;
      const dg = new Uint8Array(32);
      expect(() => gostSign(c, 0n, dg)).to.throw(RangeError);
      expect(() => gostSign(c, c.q, dg)).to.throw(RangeError);
      expect(() => publicKeyFromPrivate(c, -1n)).to.throw(RangeError);
      expect(() => gostSignWithK(c, 1n, dg, 0n)).to.throw(RangeError);
      expect(() => gostSignWithK(c, 1n, dg, c.q)).to.throw(RangeError);
    });
    it('draws nonces uniformly in [1, q-1] by rejection (small q)', () => {
      const counts = new Map<bigint, number>();
      for (let i = 0; i < 4000; i++) {
        const k = randomScalar(5n);
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      expect([...counts.keys()].sort()).to.deep.equal([1n, 2n, 3n, 4n]);
      for (const n of counts.values()) expect(n).to.be.within(850, 1150);
    });
  });

  describe('encodings', () => {
    const c = RFC_256.curve;
    it('X.509 public key is x ‖ y, each little-endian, and round-trips', () => {
      const pub = { x: RFC_256.qx, y: RFC_256.qy };
      const enc = encodePublicKeyX509(c, pub);
      expect(enc).to.have.length(64);
      expect(enc[0]).to.equal(Number(RFC_256.qx & 0xffn));
      expect(enc[32]).to.equal(Number(RFC_256.qy & 0xffn));
      expect(decodePublicKeyX509(c, enc)).to.deep.equal(pub);
      expect(() => decodePublicKeyX509(c, enc.subarray(2))).to.throw(RangeError);
    });
    it('XMLDSig SignatureValue is the same s ‖ r string, and wrong lengths are refused', () => {
      const sig = encodeSignature(c, { r: RFC_256.r, s: RFC_256.s });
      expect(hex(toXmlDsigSignatureValue(c, sig))).to.equal(hex(sig));
      expect(hex(fromXmlDsigSignatureValue(c, sig))).to.equal(hex(sig));
      expect(() => toXmlDsigSignatureValue(c, sig.subarray(1))).to.throw(RangeError);
      expect(() => fromXmlDsigSignatureValue(curveByOid('1.2.643.7.1.2.1.2.1'), sig)).to.throw(RangeError);
    });
    it('refuses integers that do not fit', () => {
      expect(() => bigIntToBytesBE(1n << 256n, 32)).to.throw(RangeError);
      expect(() => bigIntToBytesBE(-1n, 32)).to.throw(RangeError);
    });
  });
});

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  let x = b % m;
  for (let k = e; k > 0n; k >>= 1n) {
    if (k & 1n) r = (r * x) % m;
    x = (x * x) % m;
  }
  return r;
}
