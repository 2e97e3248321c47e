/**
 * Keys, certificates and CRLs for the sample PKI and for tests, written once for every key algorithm: an
 * IssuingAlgorithm makes or reads a key and signs; RSA (RSA-2048, SHA-256) is here, GOST R 34.10-2012 in
 * gost-issue.ts. Certificates are X.509 v3 assembled with forge.asn1: the subject C=RU, O, OU=<mnemonic>, CN
 * (UTF8String but the country), basicConstraints and keyUsage critical, subject and authority key ids (RFC 5280
 * §4.2.1.2 method 1). Test and sample material only; not a certification authority for production use.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
} from 'node:crypto';
import forge from 'node-forge';
import { KEY_USAGE_BITS, readCertificateFacts, type KeyUsageBit } from '../signature/pki/cert-facts.js';
import { children, parseDer } from '../signature/pki/der.js';
import { pemBody } from '../signature/pki/thumbprint.js';

/** A certificate and its private key, both PEM. A CA is the same pair: its key signs what it issues. */
export interface IssuedPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export type { KeyUsageBit };

export interface RootCaOptions {
  readonly commonName: string;
  readonly organization?: string;
  /** Start of validity; defaults to the current time. */
  readonly now?: Date;
  readonly years: number;
  readonly serial?: string;
}

export interface CertificateOptions {
  readonly commonName: string;
  readonly organization?: string;
  /** Information system mnemonic; written as OU so the subject reads `CN=…, OU=<MNEMONIC>, O=…`. */
  readonly mnemonic?: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /**
   * Key usage bits. Leaves default to digitalSignature + nonRepudiation, CAs to keyCertSign + cRLSign.
   * An empty array leaves the extension out (tests use that for "no key usage" certificates).
   */
  readonly keyUsage?: readonly KeyUsageBit[];
  /** Extended key usage purposes (OIDs); left out by default. */
  readonly extendedKeyUsage?: readonly string[];
  /** Make a CA certificate (basicConstraints CA=true), e.g. an intermediate. */
  readonly isCa?: boolean;
  /** basicConstraints pathLenConstraint for a CA certificate. */
  readonly pathLength?: number;
  /** Hex serial number; a random positive 128-bit serial when left out. */
  readonly serial?: string;
}

export interface RevokedEntry {
  /** Hex serial number of the revoked certificate (any case, leading zeros allowed). */
  readonly serial: string;
  readonly revokedAt: Date;
}

export interface CrlOptions {
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  /** cRLNumber extension value; RFC 5280 asks for a monotonically increasing number. Defaults to 1. */
  readonly crlNumber?: number;
}

/** Default key usages of a leaf (signing) certificate and of a CA, for RSA and GOST certificates alike. */
export const LEAF_USAGE: readonly KeyUsageBit[] = ['digitalSignature', 'nonRepudiation'];
export const CA_USAGE: readonly KeyUsageBit[] = ['keyCertSign', 'cRLSign'];
const SHA256_WITH_RSA = forge.pki.oids['sha256WithRSAEncryption'] ?? '1.2.840.113549.1.1.11';

/** A random positive serial: 16 bytes with the top bit clear (DER INTEGERs are signed) and a non-zero first byte. */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

/** Normalises a hex serial into DER INTEGER content: even length, no redundant leading zeros, positive. */
export function serialToDerHex(serial: string): string {
  let hex = serial.toLowerCase().replace(/^0x/, '').replace(/^0+/, '');
  if (!/^[0-9a-f]*$/.test(hex)) throw new Error(`serial ${serial} is not hexadecimal`);
  if (hex === '') hex = '0';
  if (hex.length % 2 === 1) hex = '0' + hex;
  if (parseInt(hex.slice(0, 1), 16) >= 8) hex = '00' + hex;
  return hex;
}

/** A key that issues: its PKCS#8 PEM, its SubjectPublicKeyInfo, and how it signs DER (a binary string). */
export interface IssuingKey {
  readonly keyPem: string;
  readonly spki: forge.asn1.Asn1;
  /** The AlgorithmIdentifier of its signatures. */
  readonly signatureAlgorithm: forge.asn1.Asn1;
  sign(der: string): string;
}

/** One kind of key for issuing: make a new key (options: the algorithm's own, e.g. a GOST family) or read one. */
export interface IssuingAlgorithm<KeyOptions = object> {
  newKey(options: KeyOptions): IssuingKey;
  readKey(keyPem: string): IssuingKey;
}

/** RSA-2048 keys through node's native generator (forge's pure-JS one takes seconds), sha256WithRSAEncryption. */
export const RSA: IssuingAlgorithm<unknown> = {
  newKey() {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    return RSA.readKey(privateKey);
  },
  readKey(keyPem) {
    const key = createPrivateKey(keyPem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error('the key is not an RSA key');
    const spkiDer = createPublicKey(key).export({ type: 'spki', format: 'der' });
    return {
      keyPem,
      spki: parseDer(spkiDer), // its BIT STRING kept as bytes, to hash for the key id
      signatureAlgorithm: sha256WithRsa(),
      sign: (der) => sign('sha256', Buffer.from(der, 'binary'), key).toString('binary'),
    };
  },
};

/** C=RU, O=…, OU=<mnemonic>, CN=…; UTF8String except the country (OU holds `_`, which PrintableString lacks). */
function name(commonName: string, organization?: string, mnemonic?: string): forge.asn1.Asn1 {
  const rdn = (type: string, value: string, tag: number) =>
    asn1.create(Class.UNIVERSAL, Type.SET, true, [
      seq([oid(type), asn1.create(Class.UNIVERSAL, tag, false, value)]),
    ]);
  const utf8 = (value: string) => forge.util.encodeUtf8(value);
  const parts = [rdn('2.5.4.6', 'RU', Type.PRINTABLESTRING)];
  if (organization !== undefined) parts.push(rdn('2.5.4.10', utf8(organization), Type.UTF8));
  if (mnemonic !== undefined) parts.push(rdn('2.5.4.11', utf8(mnemonic), Type.UTF8));
  parts.push(rdn('2.5.4.3', utf8(commonName), Type.UTF8));
  return seq(parts);
}

/** KeyUsage as a DER BIT STRING: named bits from the most significant, trailing zero bits left out. */
function keyUsageBits(bits: readonly KeyUsageBit[]): forge.asn1.Asn1 {
  let value = 0;
  for (const bit of bits) value |= 0x80 >> KEY_USAGE_BITS.indexOf(bit);
  let unused = 0;
  while (unused < 7 && value !== 0 && (value & (1 << unused)) === 0) unused++;
  return asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, String.fromCharCode(unused, value));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bytes. */
function keyIdentifier(spki: forge.asn1.Asn1): string {
  const bits = (spki.value as forge.asn1.Asn1[])[1]?.value;
  if (typeof bits !== 'string') throw new Error('no subjectPublicKey');
  return createHash('sha1')
    .update(Buffer.from(bits.slice(1), 'binary'))
    .digest('binary');
}

/** The issuing CA: its key, its exact subject Name and its subject key id. */
interface Issuer {
  readonly key: IssuingKey;
  readonly name: forge.asn1.Asn1;
  readonly keyId: string;
}

function caOf(ca: IssuedPair, algorithm: IssuingAlgorithm<never>): Issuer {
  const facts = readCertificateFacts(pemBody(ca.certPem));
  if (facts.subjectKeyId === undefined) throw new Error('the CA certificate has no subject key identifier');
  return { key: algorithm.readKey(ca.keyPem), name: subjectNameOf(ca.certPem), keyId: facts.subjectKeyId };
}

/** A certificate for `key` with `subject`, signed by `issuer` (itself when undefined). */
function certificate(
  subject: forge.asn1.Asn1,
  key: IssuingKey,
  issuer: Issuer | undefined,
  options: Omit<CertificateOptions, 'commonName' | 'organization' | 'mnemonic'>,
): string {
  const ownKeyId = keyIdentifier(key.spki);
  const signer = issuer ?? { key, name: subject, keyId: ownKeyId };
  const isCa = options.isCa ?? false;
  const keyUsage = options.keyUsage ?? (isCa ? CA_USAGE : LEAF_USAGE);
  const basic: forge.asn1.Asn1[] = [];
  if (isCa) basic.push(asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, '\xff'));
  if (isCa && options.pathLength !== undefined) basic.push(integerFromHex(options.pathLength.toString(16)));
  const extensions = [extension('2.5.29.19', seq(basic), true)];
  if (keyUsage.length > 0) extensions.push(extension('2.5.29.15', keyUsageBits(keyUsage), true));
  if (options.extendedKeyUsage)
    extensions.push(extension('2.5.29.37', seq(options.extendedKeyUsage.map((purpose) => oid(purpose)))));
  extensions.push(extension('2.5.29.14', octets(ownKeyId)));
  extensions.push(extension('2.5.29.35', seq([asn1.create(Class.CONTEXT_SPECIFIC, 0, false, signer.keyId)])));
  const tbs = seq([
    asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [asn1.create(Class.UNIVERSAL, Type.INTEGER, false, '\x02')]),
    integerFromHex(options.serial ?? randomSerial()),
    signer.key.signatureAlgorithm,
    signer.name,
    seq([time(options.notBefore), time(options.notAfter)]),
    subject,
    key.spki,
    asn1.create(Class.CONTEXT_SPECIFIC, 3, true, [seq(extensions)]),
  ]);
  const body = signedStructure(
    tbs,
    signer.key.signatureAlgorithm,
    signer.key.sign(asn1.toDer(tbs).getBytes()),
  );
  return forge.pem.encode({ type: 'CERTIFICATE', body }, { maxline: 64 });
}

/** A self-signed root CA valid for `years` from `now`, with a new key of `algorithm` (RSA by default). */
export function createRootCa<K>(
  options: RootCaOptions & K,
  algorithm: IssuingAlgorithm<K> = RSA,
): IssuedPair {
  const now = options.now ?? new Date();
  const key = algorithm.newKey(options);
  const subject = name(options.commonName, options.organization);
  const certPem = certificate(subject, key, undefined, {
    notBefore: now,
    notAfter: addYears(now, options.years),
    isCa: true,
    ...(options.serial ? { serial: options.serial } : {}),
  });
  return { certPem, keyPem: key.keyPem };
}

/** A certificate with a new key signed by `ca` (a leaf by default, a CA with `isCa`); `ca` signs with `algorithm`. */
export function issueCertificate<K>(
  ca: IssuedPair,
  options: CertificateOptions & K,
  algorithm: IssuingAlgorithm<K> = RSA,
): IssuedPair {
  const key = algorithm.newKey(options);
  const subject = name(options.commonName, options.organization, options.mnemonic);
  return { certPem: certificate(subject, key, caOf(ca, algorithm), options), keyPem: key.keyPem };
}

/** A self-signed certificate (a leaf unless `isCa`), for tests of untrusted signers. */
export function selfSigned<K>(
  options: CertificateOptions & K,
  algorithm: IssuingAlgorithm<K> = RSA,
): IssuedPair {
  const key = algorithm.newKey(options);
  const subject = name(options.commonName, options.organization, options.mnemonic);
  return { certPem: certificate(subject, key, undefined, options), keyPem: key.keyPem };
}

export function addYears(date: Date, years: number): Date {
  const next = new Date(date.getTime());
  next.setUTCFullYear(next.getUTCFullYear() + years);
  return next;
}

// ---------------------------------------------------------------------------------------------------------------
// CRL: node-forge has no CRL builder, so the X.509 v2 CertificateList (RFC 5280 §5.1) is assembled with forge.asn1.

const { Class, Type } = forge.asn1;
const asn1 = forge.asn1;
const seq = (items: forge.asn1.Asn1[]) => asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
const oid = (value: string) => asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(value).getBytes());
const octets = (binary: string) => asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, binary);

/** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(date: Date): forge.asn1.Asn1 {
  return date.getUTCFullYear() < 2050
    ? asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

export function integerFromHex(hex: string): forge.asn1.Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.INTEGER, false, forge.util.hexToBytes(serialToDerHex(hex)));
}

function sha256WithRsa(): forge.asn1.Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(SHA256_WITH_RSA).getBytes()),
    asn1.create(Class.UNIVERSAL, Type.NULL, false, ''),
  ]);
}

export function extension(extensionOid: string, value: forge.asn1.Asn1, critical = false): forge.asn1.Asn1 {
  return seq([
    oid(extensionOid),
    ...(critical ? [asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, '\xff')] : []),
    octets(asn1.toDer(value).getBytes()),
  ]);
}

/** The CA's subject Name exactly as encoded in its certificate, so the CRL issuer matches byte for byte. */
export function subjectNameOf(certPem: string): forge.asn1.Asn1 {
  const der = forge.pem.decode(certPem)[0]?.body;
  if (der === undefined) throw new Error('CA certificate PEM holds no certificate');
  const fields = children(children(parseDer(der))[0]);
  // tbsCertificate: [0] version?, serial, signature, issuer, validity, subject, …
  const offset = fields[0]?.tagClass === Class.CONTEXT_SPECIFIC ? 1 : 0;
  const subject = fields[offset + 4];
  if (subject === undefined) throw new Error('CA certificate has no subject');
  return subject;
}

/**
 * The TBSCertList of an X.509 v2 CRL by the CA whose certificate is `caCertPem`: its exact subject Name as issuer,
 * the revoked serials, and the authorityKeyIdentifier and cRLNumber extensions.
 */
export function crlToBeSigned(
  caCertPem: string,
  authorityKeyId: string,
  signatureAlgorithm: forge.asn1.Asn1,
  revoked: readonly RevokedEntry[],
  options: CrlOptions,
): forge.asn1.Asn1 {
  const tbsFields: forge.asn1.Asn1[] = [
    asn1.create(Class.UNIVERSAL, Type.INTEGER, false, String.fromCharCode(1)), // v2
    signatureAlgorithm,
    subjectNameOf(caCertPem),
    time(options.thisUpdate),
    time(options.nextUpdate),
  ];
  // RFC 5280: an empty list is left out entirely rather than encoded as an empty SEQUENCE.
  if (revoked.length > 0) {
    tbsFields.push(
      asn1.create(
        Class.UNIVERSAL,
        Type.SEQUENCE,
        true,
        revoked.map((r) =>
          asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [integerFromHex(r.serial), time(r.revokedAt)]),
        ),
      ),
    );
  }
  const authorityKeyIdentifier = asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    asn1.create(Class.CONTEXT_SPECIFIC, 0, false, authorityKeyId),
  ]);
  const crlNumber = integerFromHex((options.crlNumber ?? 1).toString(16));
  tbsFields.push(
    asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
        extension('2.5.29.35', authorityKeyIdentifier),
        extension('2.5.29.20', crlNumber),
      ]),
    ]),
  );
  return asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, tbsFields);
}

/** SEQUENCE { tbs, algorithm, BIT STRING signature }: a signed certificate or CRL, as DER (binary string). */
export function signedStructure(
  tbs: forge.asn1.Asn1,
  signatureAlgorithm: forge.asn1.Asn1,
  signature: string,
): string {
  const signed = asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    tbs,
    signatureAlgorithm,
    asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, String.fromCharCode(0) + signature),
  ]);
  return asn1.toDer(signed).getBytes();
}

/** An X.509 v2 CRL signed by `ca` (whose key is of `algorithm`, RSA by default), as PEM. */
export function createCrl(
  ca: IssuedPair,
  revoked: readonly RevokedEntry[],
  options: CrlOptions,
  algorithm: IssuingAlgorithm<never> = RSA,
): string {
  const { key, keyId } = caOf(ca, algorithm);
  const tbs = crlToBeSigned(ca.certPem, keyId, key.signatureAlgorithm, revoked, options);
  const body = signedStructure(tbs, key.signatureAlgorithm, key.sign(asn1.toDer(tbs).getBytes()));
  return forge.pem.encode({ type: 'X509 CRL', body }, { maxline: 64 });
}
