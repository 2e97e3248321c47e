/**
 * GOST SubjectPublicKeyInfo (RFC 4491 / RFC 9215) read and written with node-forge's asn1:
 *   SEQUENCE { SEQUENCE { OID 1.2.643.7.1.1.1.1 | .1.2 | 1.2.643.2.2.19, SEQUENCE { OID paramSet, [OID digest] } },
 *              BIT STRING { OCTET STRING (x ‖ y, each little-endian) } }
 * The same AlgorithmIdentifier heads a GOST PKCS#8 private key (pkcs8.ts).
 */
import forge from 'node-forge';
import { curveByOid, type GostCurve } from './curves.js';
import type { AffinePoint } from './ec.js';
import { decodePublicKeyX509, encodePublicKeyX509 } from './encoding.js';

type Asn1 = forge.asn1.Asn1;
const { Class, Type } = forge.asn1;
const oid = (value: string): Asn1 =>
  forge.asn1.create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(value).getBytes());
const seq = (items: Asn1[]): Asn1 => forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);

export const OID_GOST2012_256_KEY = '1.2.643.7.1.1.1.1';
export const OID_GOST2012_512_KEY = '1.2.643.7.1.1.1.2';
/** GOST R 34.10-2001 keys: the curves of 2012-256 over the CryptoPro sets, hashed with GOST R 34.11-94. */
export const OID_GOST2001_KEY = '1.2.643.2.2.19';

export type GostKeyFamily = 'gost2001' | 'gost2012-256' | 'gost2012-512';

/** Key algorithm OID → family, and the digest parameter OpenSSL writes beside the CryptoPro sets. */
const KEY_ALGORITHMS: Readonly<Record<string, { family: GostKeyFamily; size: 32 | 64; digest?: string }>> = {
  [OID_GOST2012_256_KEY]: { family: 'gost2012-256', size: 32, digest: '1.2.643.7.1.1.2.2' },
  [OID_GOST2012_512_KEY]: { family: 'gost2012-512', size: 64 },
  [OID_GOST2001_KEY]: { family: 'gost2001', size: 32, digest: '1.2.643.2.2.30.1' },
};

/** True for the OID of a GOST public key algorithm this module reads. */
export function isGostKeyAlgorithm(oid: string): boolean {
  return Object.hasOwn(KEY_ALGORITHMS, oid);
}

export interface GostPublicKeyInfo {
  readonly algorithmOid: string;
  readonly family: GostKeyFamily;
  readonly curve: GostCurve;
  readonly publicKey: AffinePoint;
}

/** The key algorithm and curve of a GOST AlgorithmIdentifier node. Throws on anything else. */
export function gostKeyAlgorithmFromAsn1(alg: Asn1): {
  algorithmOid: string;
  family: GostKeyFamily;
  curve: GostCurve;
} {
  const algorithmOid = oidOf(child(alg, 0, 'algorithm'), 'algorithm');
  const entry = Object.hasOwn(KEY_ALGORITHMS, algorithmOid) ? KEY_ALGORITHMS[algorithmOid] : undefined;
  if (!entry) throw new Error(`GOST SPKI: not a GOST R 34.10 key (${algorithmOid})`);
  const params = child(alg, 1, 'parameters');
  const curve = curveByOid(oidOf(child(params, 0, 'parameter set'), 'parameter set'));
  if (curve.size !== entry.size) throw new Error('GOST SPKI: parameter set does not match the key length');
  return { algorithmOid, family: entry.family, curve };
}

/** The AlgorithmIdentifier for a key of `family` on `curve`, as OpenSSL's GOST engine writes it. */
export function gostKeyAlgorithmToAsn1(family: GostKeyFamily, curve: GostCurve): Asn1 {
  const found = Object.entries(KEY_ALGORITHMS).find(([, e]) => e.family === family);
  if (!found) throw new Error(`GOST SPKI: unknown key family ${family}`);
  const [algorithmOid, entry] = found;
  if (curve.size !== entry.size) throw new Error(`GOST SPKI: curve ${curve.name} does not fit ${family}`);
  // RFC 9215 §3: the digest parameter stays out for the TC26 sets and is written for the CryptoPro ones.
  const withDigest = entry.digest !== undefined && curve.oid.startsWith('1.2.643.2.2.');
  const params = [oid(curve.oid), ...(withDigest && entry.digest ? [oid(entry.digest)] : [])];
  return seq([oid(algorithmOid), seq(params)]);
}

function child(node: Asn1, i: number, what: string): Asn1 {
  const v = node.value;
  const c = Array.isArray(v) ? v[i] : undefined;
  if (!c) throw new Error(`GOST SPKI: missing ${what}`);
  return c;
}

function oidOf(node: Asn1, what: string): string {
  if (node.type !== forge.asn1.Type.OID || typeof node.value !== 'string')
    throw new Error(`GOST SPKI: ${what} is not an OID`);
  return forge.asn1.derToOid(node.value);
}

function binaryToBytes(s: string): Uint8Array {
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
}

/** The OCTET STRING carried in a BIT STRING, whether or not forge already decoded the encapsulation. */
function octetsInBitString(bits: Asn1): Uint8Array {
  if (bits.type !== forge.asn1.Type.BITSTRING)
    throw new Error('GOST SPKI: subjectPublicKey is not a BIT STRING');
  let inner: Asn1;
  if (Array.isArray(bits.value)) {
    inner = child(bits, 0, 'OCTET STRING in the BIT STRING');
  } else {
    if (bits.value.charCodeAt(0) !== 0) throw new Error('GOST SPKI: BIT STRING has unused bits');
    inner = forge.asn1.fromDer(forge.util.createBuffer(bits.value.slice(1)));
  }
  if (inner.type !== forge.asn1.Type.OCTETSTRING || typeof inner.value !== 'string') {
    throw new Error('GOST SPKI: public key is not an OCTET STRING');
  }
  return binaryToBytes(inner.value);
}

/** Reads a parsed SubjectPublicKeyInfo node. Throws on anything that is not a GOST 2012 key. */
export function gostPublicKeyFromAsn1(spki: Asn1): GostPublicKeyInfo {
  const algorithm = gostKeyAlgorithmFromAsn1(child(spki, 0, 'AlgorithmIdentifier'));
  const publicKey = decodePublicKeyX509(
    algorithm.curve,
    octetsInBitString(child(spki, 1, 'subjectPublicKey')),
  );
  return { ...algorithm, publicKey };
}

/** The SubjectPublicKeyInfo node for a key (the point is written as it is; callers made it from d·G). */
export function gostPublicKeyToAsn1(family: GostKeyFamily, curve: GostCurve, publicKey: AffinePoint): Asn1 {
  const point = Buffer.from(encodePublicKeyX509(curve, publicKey)).toString('binary');
  const octets = forge.asn1.toDer(forge.asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, point));
  return seq([
    gostKeyAlgorithmToAsn1(family, curve),
    forge.asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, '\x00' + octets.getBytes()),
  ]);
}

/** Reads a DER-encoded SubjectPublicKeyInfo (e.g. `openssl pkey -pubout -outform DER`). */
export function parseGostSubjectPublicKeyInfo(der: Uint8Array): GostPublicKeyInfo {
  const asn = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')));
  return gostPublicKeyFromAsn1(asn);
}
