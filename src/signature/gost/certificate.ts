/**
 * GOST X.509 certificates (RFC 9215 / RFC 4491): the subject's GOST public key and the check of a GOST
 * signature over the TBSCertificate. The outer structure is walked by hand so the signed bytes are the exact
 * DER of the input, never a re-encoding; the inner parts are read with node-forge's asn1.
 */
import forge from 'node-forge';
import { gost94 } from './gost94.js';
import { gostVerify } from './sign.js';
import { gostPublicKeyFromAsn1, type GostKeyFamily, type GostPublicKeyInfo } from './spki.js';
import { streebog256, streebog512 } from './streebog.js';

export const OID_SIGN_GOST2012_256 = '1.2.643.7.1.1.3.2';
export const OID_SIGN_GOST2012_512 = '1.2.643.7.1.1.3.3';
/** gostR3411-94-with-gostR3410-2001, for certificates and CRLs of legacy CAs. */
export const OID_SIGN_GOST2001 = '1.2.643.2.2.3';

/** X.509 signature algorithms (certificates, CRLs): the hash and the key family they need. */
export const GOST_SIGNATURE_OIDS: Readonly<
  Record<string, { readonly family: GostKeyFamily; readonly hash: (data: Uint8Array) => Uint8Array }>
> = {
  [OID_SIGN_GOST2012_256]: { family: 'gost2012-256', hash: streebog256 },
  [OID_SIGN_GOST2012_512]: { family: 'gost2012-512', hash: streebog512 },
  [OID_SIGN_GOST2001]: { family: 'gost2001', hash: gost94 },
};

/**
 * True iff `signature` (the BIT STRING content: s ‖ r, big-endian) is a valid signature of `signed` under the
 * X.509 signature algorithm `signatureOid` by `issuerKey`. False for a non-GOST algorithm or a key of another
 * family.
 */
export function verifyGostSignedData(
  signatureOid: string,
  issuerKey: GostPublicKeyInfo,
  signed: Uint8Array,
  signature: Uint8Array,
): boolean {
  const algorithm = Object.hasOwn(GOST_SIGNATURE_OIDS, signatureOid)
    ? GOST_SIGNATURE_OIDS[signatureOid]
    : undefined;
  if (!algorithm || algorithm.family !== issuerKey.family) return false;
  if (signature.length !== 2 * issuerKey.curve.size) return false;
  return gostVerify(issuerKey.curve, issuerKey.publicKey, algorithm.hash(signed), signature);
}

export interface GostCertificate {
  readonly der: Uint8Array;
  /** The exact DER of TBSCertificate, the signed bytes. */
  readonly tbs: Uint8Array;
  readonly signatureAlgorithmOid: string;
  /** Content of the signatureValue BIT STRING: s ‖ r, big-endian (RFC 4491 §2.2.2). */
  readonly signatureValue: Uint8Array;
  /** The subject's key. Throws at parse time if it is not a GOST 2012 key. */
  readonly publicKeyInfo: GostPublicKeyInfo;
}

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

/** One DER TLV at offset (single-byte tags, definite lengths: all X.509 needs at this level). */
function readTlv(der: Uint8Array, offset: number, limit: number): Tlv {
  const tag = der[offset];
  let lenByte = der[offset + 1];
  if (tag === undefined || lenByte === undefined) throw new Error('GOST certificate: truncated DER');
  let pos = offset + 2;
  let len = lenByte;
  if (lenByte & 0x80) {
    const n = lenByte & 0x7f;
    if (n === 0 || n > 4) throw new Error('GOST certificate: unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) {
      lenByte = der[pos++];
      if (lenByte === undefined) throw new Error('GOST certificate: truncated DER');
      len = len * 256 + lenByte;
    }
  }
  const end = pos + len;
  if (end > limit) throw new Error('GOST certificate: DER length past the end');
  return { tag, start: offset, contentStart: pos, end };
}

function toForge(bytes: Uint8Array): forge.asn1.Asn1 {
  return forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bytes).toString('binary')));
}

/** Parses a DER certificate whose subject key is GOST R 34.10-2012. */
export function parseGostCertificate(der: Uint8Array): GostCertificate {
  const outer = readTlv(der, 0, der.length);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw new Error('GOST certificate: not a DER SEQUENCE');
  const tbsTlv = readTlv(der, outer.contentStart, outer.end);
  const algTlv = readTlv(der, tbsTlv.end, outer.end);
  const sigTlv = readTlv(der, algTlv.end, outer.end);
  if (tbsTlv.tag !== 0x30 || algTlv.tag !== 0x30 || sigTlv.tag !== 0x03 || sigTlv.end !== outer.end) {
    throw new Error('GOST certificate: not tbsCertificate, signatureAlgorithm, signatureValue');
  }
  if (der[sigTlv.contentStart] !== 0)
    throw new Error('GOST certificate: signature BIT STRING has unused bits');
  const tbs = der.slice(tbsTlv.start, tbsTlv.end);

  const alg = toForge(der.subarray(algTlv.start, algTlv.end));
  const algOid = Array.isArray(alg.value) ? alg.value[0] : undefined;
  if (!algOid || typeof algOid.value !== 'string')
    throw new Error('GOST certificate: bad signatureAlgorithm');
  const signatureAlgorithmOid = forge.asn1.derToOid(algOid.value);

  const tbsAsn = toForge(tbs);
  const fields = Array.isArray(tbsAsn.value) ? tbsAsn.value : [];
  // With an explicit [0] version the SubjectPublicKeyInfo is the 7th field, otherwise the 6th.
  const first = fields[0];
  const hasVersion = first?.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && first.type === 0;
  const spki = fields[hasVersion ? 6 : 5];
  if (!spki) throw new Error('GOST certificate: no SubjectPublicKeyInfo');

  return {
    der: der.slice(),
    tbs,
    signatureAlgorithmOid,
    signatureValue: der.slice(sigTlv.contentStart + 1, sigTlv.end),
    publicKeyInfo: gostPublicKeyFromAsn1(spki),
  };
}

/**
 * True iff the certificate's signature is a valid GOST R 34.10-2012 signature by issuerKey over the
 * hash of the TBSCertificate the signature algorithm names (Streebog 256/512, or GOST R 34.11-94 for 2001).
 * The issuer's key must be of the algorithm's family. For a self-signed
 * certificate pass cert.publicKeyInfo. Chain, validity and revocation are the trust store's business.
 */
export function verifyGostCertificateSignature(cert: GostCertificate, issuerKey: GostPublicKeyInfo): boolean {
  return verifyGostSignedData(cert.signatureAlgorithmOid, issuerKey, cert.tbs, cert.signatureValue);
}
