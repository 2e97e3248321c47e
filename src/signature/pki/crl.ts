/**
 * Reading X.509 v2 CRLs (RFC 5280 §5) with node-forge's asn1 and checking their signature: node's crypto for
 * RSA and ECDSA, our own GOST code for GOST R 34.10 CAs. A CRL is only used after its signature verifies against
 * the key of the CA that issued it.
 */
import { verify as verifySignature, KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { GOST_SIGNATURE_OIDS, verifyGostSignedData } from '../gost/certificate.js';
import type { PublicKey } from '../keys.js';
import { readTime } from './cert-facts.js';
import { bytesOf, children, elementSpan, normalizeSerialHex, parseDer } from './der.js';

export interface ParsedCrl {
  /** DER (binary string) of the issuer Name, compared with CA subjects. */
  readonly issuerName: string;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly crlNumber: bigint | undefined;
  /** Normalised serials (lowercase hex, no leading zeros) of revoked certificates. */
  readonly revoked: ReadonlySet<string>;
  /** The exact signed bytes. */
  readonly tbs: Buffer;
  /** OID of the signature algorithm. */
  readonly algorithm: string;
  /** node's digest name for a non-GOST algorithm. */
  readonly hash: string | undefined;
  readonly signature: Buffer;
}

/** Signature algorithms a CRL may use, by OID, with the digest node's verify needs. */
const SIGNATURE_HASHES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};
const OID_CRL_NUMBER = '2.5.29.20';
/** Extensions we understand; RFC 5280 forbids using a CRL with any other critical extension. */
const KNOWN_EXTENSIONS = new Set(['2.5.29.35', OID_CRL_NUMBER]);

const { Class, Type } = forge.asn1;

function algorithmOid(node: forge.asn1.Asn1 | undefined): string {
  return forge.asn1.derToOid(bytesOf(children(node)[0]));
}

function isTime(node: forge.asn1.Asn1 | undefined): boolean {
  return (
    node?.tagClass === Class.UNIVERSAL && (node.type === Type.UTCTIME || node.type === Type.GENERALIZEDTIME)
  );
}

function isCritical(parts: forge.asn1.Asn1[]): boolean {
  const flag = parts.find((p) => p.type === Type.BOOLEAN);
  return flag !== undefined && bytesOf(flag) !== '\x00';
}

function hex(binary: string): string {
  return Buffer.from(binary, 'binary').toString('hex');
}

/** Parses a CRL's DER; throws an Error naming what is wrong when it is not a usable v1/v2 CRL. */
export function parseCrl(der: Buffer): ParsedCrl {
  const outer = children(parseDer(der));
  const tbsNode = outer[0];
  const fields = children(tbsNode);
  let i = 0;
  if (fields[0]?.type === Type.INTEGER) {
    const version = bytesOf(fields[0]).charCodeAt(0);
    if (version !== 1) throw new Error(`unsupported CRL version ${version + 1}`);
    i = 1;
  }
  const innerAlgorithm = algorithmOid(fields[i]);
  const outerAlgorithm = algorithmOid(outer[1]);
  if (innerAlgorithm !== outerAlgorithm) throw new Error('CRL signature algorithms disagree');
  const hash = Object.hasOwn(SIGNATURE_HASHES, outerAlgorithm) ? SIGNATURE_HASHES[outerAlgorithm] : undefined;
  if (hash === undefined && !Object.hasOwn(GOST_SIGNATURE_OIDS, outerAlgorithm)) {
    throw new Error(`unsupported CRL signature algorithm ${outerAlgorithm}`);
  }
  const issuer = fields[i + 1];
  if (issuer === undefined) throw new Error('CRL has no issuer');
  const thisUpdate = readTime(fields[i + 2]);
  // RFC 5280 §5.1.2.5: conforming CRLs carry nextUpdate, and without it freshness cannot be judged.
  if (!isTime(fields[i + 3])) throw new Error('CRL has no nextUpdate');
  const nextUpdate = readTime(fields[i + 3]);

  const revoked = new Set<string>();
  let crlNumber: bigint | undefined;
  for (const node of fields.slice(i + 4)) {
    if (node.tagClass === Class.UNIVERSAL && node.type === Type.SEQUENCE) {
      for (const entry of children(node)) {
        const parts = children(entry);
        for (const ext of children(parts[2])) {
          const extParts = children(ext);
          // An unknown critical entry extension (e.g. certificateIssuer of an indirect CRL) changes its meaning.
          if (isCritical(extParts)) throw new Error('CRL entry carries a critical extension');
        }
        revoked.add(normalizeSerialHex(hex(bytesOf(parts[0]))));
      }
    } else if (node.tagClass === Class.CONTEXT_SPECIFIC && node.type === 0) {
      for (const ext of children(children(node)[0])) {
        const parts = children(ext);
        const oid = forge.asn1.derToOid(bytesOf(parts[0]));
        if (isCritical(parts) && !KNOWN_EXTENSIONS.has(oid)) {
          throw new Error(`CRL carries an unsupported critical extension ${oid}`);
        }
        if (oid === OID_CRL_NUMBER) {
          crlNumber = BigInt('0x' + (hex(bytesOf(parseDer(bytesOf(parts[parts.length - 1])))) || '0'));
        }
      }
    }
  }

  const signatureBits = bytesOf(outer[2]);
  if (outer[2]?.type !== Type.BITSTRING || signatureBits.charCodeAt(0) !== 0) {
    throw new Error('CRL signature is not a whole-byte BIT STRING');
  }
  // The signed bytes are sliced from the input rather than re-encoded, so what is verified is what was signed.
  const outerSpan = elementSpan(der, 0);
  const tbsSpan = elementSpan(der, outerSpan.contentStart);
  return {
    issuerName: forge.asn1.toDer(issuer).getBytes(),
    thisUpdate,
    nextUpdate,
    crlNumber,
    revoked,
    tbs: der.subarray(tbsSpan.start, tbsSpan.end),
    algorithm: outerAlgorithm,
    hash,
    signature: Buffer.from(signatureBits.slice(1), 'binary'),
  };
}

/** True when `issuerKey` made the CRL's signature. Mismatched key types count as "no". */
export function crlSignedBy(crl: ParsedCrl, issuerKey: PublicKey): boolean {
  if (!(issuerKey instanceof KeyObject)) {
    return verifyGostSignedData(crl.algorithm, issuerKey, crl.tbs, crl.signature);
  }
  if (crl.hash === undefined) return false;
  try {
    return verifySignature(crl.hash, crl.tbs, issuerKey, crl.signature);
  } catch {
    return false;
  }
}
