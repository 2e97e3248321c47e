/**
 * GOST X.509 certificates (RFC 9215 / RFC 4491): the subject's GOST public key and the check of a GOST
 * signature over the TBSCertificate. The outer structure is walked by hand so the signed bytes are the exact
 * DER of the input, never a re-encoding; the inner parts are read with node-forge's asn1.
 */
import forge from 'node-forge';
import { gostVerify } from './sign.js';
import { gostPublicKeyFromAsn1, type GostPublicKeyInfo } from './spki.js';
import { streebog256, streebog512 } from './streebog.js';

export const OID_SIGN_GOST2012_256 = '1.2.643.7.1.1.3.2';
export const OID_SIGN_GOST2012_512 = '1.2.643.7.1.1.3.3';

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
 * Streebog hash of the TBSCertificate (256 or 512 as the signature algorithm says). For a self-signed
 * certificate pass cert.publicKeyInfo. Chain, validity and revocation are the trust store's business.
 */
export function verifyGostCertificateSignature(cert: GostCertificate, issuerKey: GostPublicKeyInfo): boolean {
  const { curve, publicKey } = issuerKey;
  let digest: Uint8Array;
  if (cert.signatureAlgorithmOid === OID_SIGN_GOST2012_256 && curve.size === 32)
    digest = streebog256(cert.tbs);
  else if (cert.signatureAlgorithmOid === OID_SIGN_GOST2012_512 && curve.size === 64)
    digest = streebog512(cert.tbs);
  else return false;
  if (cert.signatureValue.length !== 2 * curve.size) return false;
  return gostVerify(curve, publicKey, digest, cert.signatureValue);
}
