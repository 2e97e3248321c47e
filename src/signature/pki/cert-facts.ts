/**
 * Facts node's X509Certificate does not expose: exact validity dates, the key usage bits and the path length
 * constraint, the subject and issuer Names' DER (CRL issuers, GOST chains), the key identifiers and the signature
 * algorithm (GOST chains are checked by our own code, node's OpenSSL knowing no GOST). Read once per certificate.
 */
import forge from 'node-forge';
import { bytesOf, children, parseDer } from './der.js';

export interface CertificateFacts {
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Undefined when the certificate has no key usage extension (then every usage is allowed). */
  readonly keyUsage: ReadonlySet<KeyUsageBit> | undefined;
  /** The key purpose OIDs of the extended key usage extension; undefined when the certificate has none. */
  readonly extendedKeyUsage: ReadonlySet<string> | undefined;
  readonly pathLength: number | undefined;
  /** DER (binary string) of the subject Name. */
  readonly subjectName: string;
  /** DER (binary string) of the issuer Name. */
  readonly issuerName: string;
  /** subjectKeyIdentifier and authorityKeyIdentifier's keyIdentifier (binary strings), when present. */
  readonly subjectKeyId: string | undefined;
  readonly authorityKeyId: string | undefined;
  /** OID of the certificate's signatureAlgorithm. */
  readonly signatureAlgorithm: string;
}

export type KeyUsageBit =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign';

// Bit order of KeyUsage in RFC 5280 §4.2.1.3 (encipherOnly, decipherOnly are not used by the gateway).
export const KEY_USAGE_BITS: readonly KeyUsageBit[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
];
const OID_KEY_USAGE = '2.5.29.15';
const OID_EXTENDED_KEY_USAGE = '2.5.29.37';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_SUBJECT_KEY_ID = '2.5.29.14';
const OID_AUTHORITY_KEY_ID = '2.5.29.35';

const { Class, Type } = forge.asn1;

export function readTime(node: forge.asn1.Asn1 | undefined): Date {
  if (node?.type === Type.UTCTIME) return forge.asn1.utcTimeToDate(bytesOf(node));
  if (node?.type === Type.GENERALIZEDTIME) return forge.asn1.generalizedTimeToDate(bytesOf(node));
  throw new Error('expected a UTCTime or GeneralizedTime');
}

function readKeyUsage(extnValue: string): Set<KeyUsageBit> {
  const bits = bytesOf(parseDer(extnValue));
  const used = new Set<KeyUsageBit>();
  // bits[0] is the count of unused bits; the flags start in the next byte, most significant bit first.
  const first = bits.charCodeAt(1) || 0;
  KEY_USAGE_BITS.forEach((name, i) => {
    if (first & (0x80 >> i)) used.add(name);
  });
  return used;
}

function readPathLength(extnValue: string): number | undefined {
  const fields = children(parseDer(extnValue));
  const integer = fields.find((f) => f.type === Type.INTEGER);
  return integer === undefined ? undefined : forge.asn1.derToInteger(bytesOf(integer));
}

/** [0] keyIdentifier of an AuthorityKeyIdentifier SEQUENCE. */
function readAuthorityKeyId(extnValue: string): string | undefined {
  const id = children(parseDer(extnValue)).find((n) => n.tagClass === Class.CONTEXT_SPECIFIC && n.type === 0);
  return id === undefined ? undefined : bytesOf(id);
}

export function readCertificateFacts(der: Buffer): CertificateFacts {
  const certificate = children(parseDer(der));
  const tbs = children(certificate[0]);
  const offset = tbs[0]?.tagClass === Class.CONTEXT_SPECIFIC ? 1 : 0;
  const issuer = tbs[offset + 2];
  const validity = children(tbs[offset + 3]);
  const subject = tbs[offset + 4];
  if (subject === undefined || issuer === undefined) throw new Error('certificate has no subject or issuer');
  const signatureAlgorithm = forge.asn1.derToOid(bytesOf(children(certificate[1])[0]));
  let keyUsage: Set<KeyUsageBit> | undefined;
  let extendedKeyUsage: Set<string> | undefined;
  let pathLength: number | undefined;
  let subjectKeyId: string | undefined;
  let authorityKeyId: string | undefined;
  const extensionsWrapper = tbs.find((n) => n.tagClass === Class.CONTEXT_SPECIFIC && n.type === 3);
  for (const ext of children(children(extensionsWrapper)[0])) {
    const parts = children(ext);
    const oid = forge.asn1.derToOid(bytesOf(parts[0]));
    const value = bytesOf(parts[parts.length - 1]);
    if (oid === OID_KEY_USAGE) keyUsage = readKeyUsage(value);
    if (oid === OID_EXTENDED_KEY_USAGE)
      extendedKeyUsage = new Set(children(parseDer(value)).map((n) => forge.asn1.derToOid(bytesOf(n))));
    if (oid === OID_BASIC_CONSTRAINTS) pathLength = readPathLength(value);
    if (oid === OID_SUBJECT_KEY_ID) subjectKeyId = bytesOf(parseDer(value));
    if (oid === OID_AUTHORITY_KEY_ID) authorityKeyId = readAuthorityKeyId(value);
  }
  return {
    notBefore: readTime(validity[0]),
    notAfter: readTime(validity[1]),
    keyUsage,
    extendedKeyUsage,
    pathLength,
    subjectName: forge.asn1.toDer(subject).getBytes(),
    issuerName: forge.asn1.toDer(issuer).getBytes(),
    subjectKeyId,
    authorityKeyId,
    signatureAlgorithm,
  };
}

/**
 * `parent` names itself `child`'s issuer, as OpenSSL's X509_check_issued asks before any signature is checked:
 * issuer name, key identifiers when both are given, and keyCertSign when the parent limits its key usage.
 */
export function namesIssuer(child: CertificateFacts, parent: CertificateFacts): boolean {
  const { authorityKeyId } = child;
  const { subjectKeyId, keyUsage } = parent;
  return (
    child.issuerName === parent.subjectName &&
    (authorityKeyId === undefined || subjectKeyId === undefined || authorityKeyId === subjectKeyId) &&
    (keyUsage === undefined || keyUsage.has('keyCertSign'))
  );
}
