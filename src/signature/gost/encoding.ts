/**
 * Byte conventions for GOST R 34.10-2012, all in one place:
 *
 * - Digest → integer: the Streebog output bytes (as OpenSSL prints them) are read LITTLE-endian, i.e. the
 *   RFC 6986 / RFC 7091 number is the byte string reversed. e = that integer mod q, and 1 if it is 0.
 * - Signature value: s ‖ r, each BIG-endian, padded to the curve size (64 bytes for 256-bit, 128 for 512).
 *   That is RFC 4491 §2.2.2 (X.509 signatureValue, inside the BIT STRING), the GOST engine's output of
 *   `openssl dgst -sign`, and the ds:SignatureValue of GOST XMLDSig (draft-smirnov-xmldsig, CryptoPro, SMEV).
 * - X.509 public key: the subjectPublicKey BIT STRING holds an OCTET STRING of x ‖ y, each LITTLE-endian
 *   (64 bytes for 256-bit, 128 for 512).
 */
import type { GostCurve } from './curves.js';
import type { AffinePoint } from './ec.js';

export interface GostSignatureParts {
  readonly r: bigint;
  readonly s: bigint;
}

export function bytesToBigIntBE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function bytesToBigIntLE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

/** Big-endian, left-padded to len bytes; throws if v is negative or does not fit. */
export function bigIntToBytesBE(v: bigint, len: number): Uint8Array {
  if (v < 0n) throw new RangeError('GOST: negative integer cannot be encoded');
  const out = new Uint8Array(len);
  let x = v;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  if (x !== 0n) throw new RangeError(`GOST: integer does not fit in ${String(len)} bytes`);
  return out;
}

export function bigIntToBytesLE(v: bigint, len: number): Uint8Array {
  return bigIntToBytesBE(v, len).reverse();
}

/** e of the standard: the digest as a little-endian integer mod q, replaced by 1 when that is 0. */
export function digestToInteger(curve: GostCurve, digest: Uint8Array): bigint {
  const e = bytesToBigIntLE(digest) % curve.q;
  return e === 0n ? 1n : e;
}

/** s ‖ r, each big-endian on curve.size bytes. */
export function encodeSignature(curve: GostCurve, sig: GostSignatureParts): Uint8Array {
  const out = new Uint8Array(2 * curve.size);
  out.set(bigIntToBytesBE(sig.s, curve.size), 0);
  out.set(bigIntToBytesBE(sig.r, curve.size), curve.size);
  return out;
}

/** Splits s ‖ r; throws on a length other than 2 × curve.size (range checks belong to verification). */
export function decodeSignature(curve: GostCurve, bytes: Uint8Array): GostSignatureParts {
  if (bytes.length !== 2 * curve.size) {
    throw new RangeError(
      `GOST: signature must be ${String(2 * curve.size)} bytes, got ${String(bytes.length)}`,
    );
  }
  return {
    s: bytesToBigIntBE(bytes.subarray(0, curve.size)),
    r: bytesToBigIntBE(bytes.subarray(curve.size)),
  };
}

/**
 * The bytes to base64 into ds:SignatureValue for a signature from gostSign(). GOST XMLDSig uses the same
 * s ‖ r string as X.509 and OpenSSL, so this only checks the length; it exists so the XML layer states the
 * convention in code instead of assuming it.
 */
export function toXmlDsigSignatureValue(curve: GostCurve, signature: Uint8Array): Uint8Array {
  decodeSignature(curve, signature);
  return signature.slice();
}

/** The inverse of toXmlDsigSignatureValue: decoded ds:SignatureValue bytes → gostVerify() input. */
export function fromXmlDsigSignatureValue(curve: GostCurve, value: Uint8Array): Uint8Array {
  decodeSignature(curve, value);
  return value.slice();
}

/** X.509 subjectPublicKey content (inside the OCTET STRING): x ‖ y, each little-endian. */
export function encodePublicKeyX509(curve: GostCurve, pub: AffinePoint): Uint8Array {
  const out = new Uint8Array(2 * curve.size);
  out.set(bigIntToBytesLE(pub.x, curve.size), 0);
  out.set(bigIntToBytesLE(pub.y, curve.size), curve.size);
  return out;
}

/** Inverse of encodePublicKeyX509; the point is not validated here (gostVerify does that). */
export function decodePublicKeyX509(curve: GostCurve, bytes: Uint8Array): AffinePoint {
  if (bytes.length !== 2 * curve.size) {
    throw new RangeError(
      `GOST: public key must be ${String(2 * curve.size)} bytes, got ${String(bytes.length)}`,
    );
  }
  return {
    x: bytesToBigIntLE(bytes.subarray(0, curve.size)),
    y: bytesToBigIntLE(bytes.subarray(curve.size)),
  };
}
