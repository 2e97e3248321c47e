/**
 * GOST R 34.10-2012 signature generation and verification (256- and 512-bit), per section 6 of the standard
 * and RFC 7091. Byte conventions are those of encoding.ts: digest read little-endian, signature s ‖ r
 * big-endian — both identical to the OpenSSL GOST engine.
 */
import { randomBytes } from 'node:crypto';
import type { GostCurve } from './curves.js';
import { arithmeticFor, modInverse, type AffinePoint } from './ec.js';
import { bytesToBigIntBE, decodeSignature, digestToInteger, encodeSignature } from './encoding.js';

/** Q = d·G. Throws unless 0 < d < q. */
export function publicKeyFromPrivate(curve: GostCurve, d: bigint): AffinePoint {
  checkPrivateKey(curve, d);
  const pt = arithmeticFor(curve).toAffine(arithmeticFor(curve).mulBase(d));
  if (!pt) throw new Error('GOST R 34.10: d·G is the point at infinity'); // impossible for 0 < d < q
  return pt;
}

/** A uniformly random private key in [1, q-1]. */
export function generatePrivateKey(curve: GostCurve): bigint {
  return randomScalar(curve.q);
}

/** Signs a digest (Streebog output bytes, as OpenSSL produces them); returns s ‖ r. */
export function gostSign(curve: GostCurve, privateKey: bigint, digest: Uint8Array): Uint8Array {
  checkPrivateKey(curve, privateKey);
  for (;;) {
    // A fresh nonce each attempt; r = 0 or s = 0 are astronomically rare but the standard says retry.
    const sig = signWithNonce(curve, privateKey, digest, randomScalar(curve.q));
    if (sig) return sig;
  }
}

/**
 * Test-only: signs with a caller-chosen nonce k, to reproduce the RFC 7091 examples. A reused or
 * predictable k reveals the private key; production code must use gostSign(). Not exported from index.ts.
 */
export function gostSignWithK(
  curve: GostCurve,
  privateKey: bigint,
  digest: Uint8Array,
  k: bigint,
): Uint8Array {
  checkPrivateKey(curve, privateKey);
  if (k <= 0n || k >= curve.q) throw new RangeError('GOST R 34.10: k must be in [1, q-1]');
  const sig = signWithNonce(curve, privateKey, digest, k);
  if (!sig) throw new Error('GOST R 34.10: this k gives r = 0 or s = 0');
  return sig;
}

export interface GostVerifyOptions {
  /**
   * Keep a precomputed table for this public key (default true; LRU of 64 keys per curve). The first
   * verification with a key costs ~15 ms more, later ones are about three times faster. Turn off for
   * one-off keys.
   */
  readonly cacheKey?: boolean;
}

/** Checks a signature (s ‖ r) over a digest. Any malformed input yields false, never an exception. */
export function gostVerify(
  curve: GostCurve,
  publicKey: AffinePoint,
  digest: Uint8Array,
  signature: Uint8Array,
  options: GostVerifyOptions = {},
): boolean {
  if (signature.length !== 2 * curve.size) return false;
  const { r, s } = decodeSignature(curve, signature);
  const { q } = curve;
  if (r <= 0n || r >= q || s <= 0n || s >= q) return false;
  const cacheKey = options.cacheKey ?? true;
  if (!isValidPublicKey(curve, publicKey, cacheKey)) return false;
  const e = digestToInteger(curve, digest);
  // v = e⁻¹ mod q, z1 = s·v, z2 = -r·v; C = z1·G + z2·Q; valid iff x_C mod q = r.
  const ar = arithmeticFor(curve);
  const v = modInverse(e, q);
  const z1 = (s * v) % q;
  const z2 = q - ((r * v) % q);
  const c = ar.mulBaseAdd(z1, publicKey, z2, cacheKey);
  // x_C < p may exceed q: try r, r + q, … below p instead of inverting Z.
  for (let x = r; x < curve.p; x += q) {
    if (ar.xEquals(c, x)) return true;
  }
  return false;
}

/**
 * On the curve, not infinity, coordinates reduced, and in the order-q subgroup (matters when h = 4).
 * With useCache the subgroup check q·Q = O reuses (and warms) the per-key comb table of gostVerify.
 */
export function isValidPublicKey(curve: GostCurve, pub: AffinePoint, useCache = false): boolean {
  const ar = arithmeticFor(curve);
  if (!ar.isOnCurve(pub)) return false;
  if (curve.cofactor !== 1n) {
    if (useCache) return ar.mulCached(pub, curve.q).z === 0n;
    // Without a table: (q-1)·Q must equal -Q (the NAF loop cannot end on infinity cleanly).
    const t = ar.toAffine(ar.mul(pub, curve.q - 1n));
    if (!t || t.x !== pub.x || t.y !== (curve.p - pub.y) % curve.p) return false;
  }
  return true;
}

function signWithNonce(curve: GostCurve, d: bigint, digest: Uint8Array, k: bigint): Uint8Array | null {
  const { q } = curve;
  const e = digestToInteger(curve, digest);
  const ar = arithmeticFor(curve);
  const c = ar.toAffine(ar.mulBase(k));
  if (!c) return null;
  const r = c.x % q;
  if (r === 0n) return null;
  const s = (r * d + k * e) % q;
  if (s === 0n) return null;
  return encodeSignature(curve, { r, s });
}

function checkPrivateKey(curve: GostCurve, d: bigint): void {
  if (d <= 0n || d >= curve.q) throw new RangeError('GOST R 34.10: private key must be in [1, q-1]');
}

/**
 * Uniform in [1, q-1] by rejection sampling: draw exactly bitlen(q) random bits, reject values ≥ q and
 * zero. No modular reduction, hence no bias; the expected number of draws is below 2 for every curve here.
 */
export function randomScalar(q: bigint): bigint {
  const bits = q.toString(2).length;
  const bytes = Math.ceil(bits / 8);
  const excess = BigInt(bytes * 8 - bits);
  for (;;) {
    const k = bytesToBigIntBE(randomBytes(bytes)) >> excess;
    if (k > 0n && k < q) return k;
  }
}
