/**
 * GOST SubjectPublicKeyInfo (RFC 4491 / RFC 9215) read with node-forge's asn1:
 *   SEQUENCE { SEQUENCE { OID 1.2.643.7.1.1.1.1 | .1.2, SEQUENCE { OID paramSet, [OID digest] } },
 *              BIT STRING { OCTET STRING (x ‖ y, each little-endian) } }
 */
import forge from 'node-forge';
import { curveByOid, type GostCurve } from './curves.js';
import type { AffinePoint } from './ec.js';
import { decodePublicKeyX509 } from './encoding.js';

export const OID_GOST2012_256_KEY = '1.2.643.7.1.1.1.1';
export const OID_GOST2012_512_KEY = '1.2.643.7.1.1.1.2';

export interface GostPublicKeyInfo {
  readonly algorithmOid: string;
  readonly curve: GostCurve;
  readonly publicKey: AffinePoint;
}

type Asn1 = forge.asn1.Asn1;

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
  const alg = child(spki, 0, 'AlgorithmIdentifier');
  const algorithmOid = oidOf(child(alg, 0, 'algorithm'), 'algorithm');
  if (algorithmOid !== OID_GOST2012_256_KEY && algorithmOid !== OID_GOST2012_512_KEY) {
    throw new Error(`GOST SPKI: not a GOST R 34.10-2012 key (${algorithmOid})`);
  }
  const params = child(alg, 1, 'parameters');
  const curve = curveByOid(oidOf(child(params, 0, 'parameter set'), 'parameter set'));
  if ((curve.size === 32) !== (algorithmOid === OID_GOST2012_256_KEY)) {
    throw new Error('GOST SPKI: parameter set does not match the key length');
  }
  const publicKey = decodePublicKeyX509(curve, octetsInBitString(child(spki, 1, 'subjectPublicKey')));
  return { algorithmOid, curve, publicKey };
}

/** Reads a DER-encoded SubjectPublicKeyInfo (e.g. `openssl pkey -pubout -outform DER`). */
export function parseGostSubjectPublicKeyInfo(der: Uint8Array): GostPublicKeyInfo {
  const asn = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')));
  return gostPublicKeyFromAsn1(asn);
}
