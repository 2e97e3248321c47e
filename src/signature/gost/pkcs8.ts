/**
 * GOST private keys in PKCS#8 (RFC 5958 PrivateKeyInfo, the `-----BEGIN PRIVATE KEY-----` OpenSSL's GOST engine
 * writes), which node's crypto cannot read:
 *   SEQUENCE { INTEGER 0, AlgorithmIdentifier (as in the SubjectPublicKeyInfo), OCTET STRING privateKey }
 * The privateKey octets hold the scalar d in one of the forms the engine reads: the bare key little-endian (what it
 * writes by default, and what we write), an inner OCTET STRING little-endian, or an inner INTEGER big-endian.
 * CryptoPro's masked keys (key ‖ masks) are refused: export them unmasked first.
 */
import forge from 'node-forge';
import type { GostCurve } from './curves.js';
import { bigIntToBytesLE, bytesToBigIntBE, bytesToBigIntLE } from './encoding.js';
import { gostKeyAlgorithmFromAsn1, gostKeyAlgorithmToAsn1, type GostKeyFamily } from './spki.js';

export interface GostPrivateKeyInfo {
  readonly family: GostKeyFamily;
  readonly curve: GostCurve;
  /** The private scalar, 0 < d < q. */
  readonly d: bigint;
}

const { Class, Type } = forge.asn1;
const PEM_LABEL = 'PRIVATE KEY';

function nodes(node: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] {
  return node !== undefined && Array.isArray(node.value) ? node.value : [];
}

function parse(binary: string): forge.asn1.Asn1 {
  // decodeBitStrings off: nothing here is a BIT STRING, and forge would otherwise guess at nested DER.
  const options = { strict: true, decodeBitStrings: false } as unknown as boolean;
  return forge.asn1.fromDer(forge.util.createBuffer(binary), options);
}

/** The scalar from the privateKey octets, in whichever of the engine's forms they are. */
function readScalar(octets: string, size: number): bigint {
  const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  if (octets.length === size) return bytesToBigIntLE(bytes(octets));
  // key ‖ mask(s): whole multiples of the key size, which the wrapped forms (size + 2 or 3 bytes) never are.
  if (octets.length > size && octets.length % size === 0) {
    throw new Error('GOST private key: masked CryptoPro keys are not supported; export the key unmasked');
  }
  let inner: forge.asn1.Asn1 | undefined;
  try {
    inner = parse(octets);
  } catch {
    inner = undefined;
  }
  if (inner?.tagClass === Class.UNIVERSAL && typeof inner.value === 'string') {
    if (inner.type === Type.OCTETSTRING && inner.value.length === size)
      return bytesToBigIntLE(bytes(inner.value));
    if (inner.type === Type.INTEGER) return bytesToBigIntBE(bytes(inner.value));
  }
  throw new Error('GOST private key: the key octets are in no known form');
}

/** Reads a DER PrivateKeyInfo; undefined when its algorithm is not a GOST key (so callers can try others). */
export function parseGostPrivateKey(der: Uint8Array): GostPrivateKeyInfo | undefined {
  const root = parse(Buffer.from(der).toString('binary'));
  const [version, algorithm, privateKey] = nodes(root);
  if (version?.type !== Type.INTEGER || algorithm?.type !== Type.SEQUENCE) {
    throw new Error('GOST private key: not a PKCS#8 PrivateKeyInfo');
  }
  const oidNode = nodes(algorithm)[0];
  if (oidNode?.type !== Type.OID || typeof oidNode.value !== 'string') {
    throw new Error('GOST private key: no key algorithm');
  }
  let key;
  try {
    key = gostKeyAlgorithmFromAsn1(algorithm);
  } catch (error) {
    if (/not a GOST/.test((error as Error).message)) return undefined;
    throw error;
  }
  if (privateKey?.type !== Type.OCTETSTRING || typeof privateKey.value !== 'string') {
    throw new Error('GOST private key: no privateKey OCTET STRING');
  }
  const d = readScalar(privateKey.value, key.curve.size);
  if (d <= 0n || d >= key.curve.q) throw new Error('GOST private key: the scalar is out of range');
  return { family: key.family, curve: key.curve, d };
}

/** DER PrivateKeyInfo in the engine's default form (bare little-endian scalar). */
export function encodeGostPrivateKey(key: GostPrivateKeyInfo): Uint8Array {
  const scalar = Buffer.from(bigIntToBytesLE(key.d, key.curve.size)).toString('binary');
  const info = forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    forge.asn1.create(Class.UNIVERSAL, Type.INTEGER, false, '\x00'),
    gostKeyAlgorithmToAsn1(key.family, key.curve),
    forge.asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, scalar),
  ]);
  return Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary');
}

/** Reads `-----BEGIN PRIVATE KEY-----`; undefined when the text holds no such block or the key is not GOST. */
export function gostPrivateKeyFromPem(pem: string): GostPrivateKeyInfo | undefined {
  const match = /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----/.exec(pem);
  if (!match?.[1]) return undefined;
  return parseGostPrivateKey(Buffer.from(match[1].replace(/\s+/g, ''), 'base64'));
}

export function gostPrivateKeyToPem(key: GostPrivateKeyInfo): string {
  const body = Buffer.from(encodeGostPrivateKey(key)).toString('binary');
  return forge.pem.encode({ type: PEM_LABEL, body }, { maxline: 64 });
}
