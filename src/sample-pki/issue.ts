/**
 * Keys and certificates for the sample PKI and for tests: RSA-2048 keys, SHA-256 signatures, built with node-forge.
 * These functions make test and sample material; they are not a certification authority for production use.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import type { KeyUsageBit } from '../signature/pki/cert-facts.js';
import { children, parseDer } from '../signature/pki/der.js';

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

/** RSA-2048 through node's native generator: forge's pure-JS one takes seconds per key. */
function newKeyPair(): {
  publicKey: forge.pki.rsa.PublicKey;
  privateKey: forge.pki.rsa.PrivateKey;
  keyPem: string;
} {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  const publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  return { publicKey, privateKey: forgeKey, keyPem: privateKey };
}

function subjectAttributes(
  commonName: string,
  organization?: string,
  mnemonic?: string,
): forge.pki.CertificateField[] {
  const attrs: forge.pki.CertificateField[] = [{ shortName: 'C', value: 'RU' }];
  if (organization !== undefined) attrs.push({ shortName: 'O', value: organization, valueTagClass: utf8() });
  if (mnemonic !== undefined) attrs.push({ shortName: 'OU', value: mnemonic });
  attrs.push({ shortName: 'CN', value: commonName, valueTagClass: utf8() });
  return attrs;
}

/** UTF8String, so organisation names in Cyrillic survive (forge encodes the value to UTF-8 itself). */
function utf8(): forge.asn1.Class {
  // The typings declare valueTagClass as asn1.Class although forge reads it as a universal tag number.
  return forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
}

/**
 * The issuer's subject as attributes to copy into a child's issuer field. forge parses UTF8String values as raw
 * UTF-8 bytes but encodes them again on output, so they are decoded here to avoid double encoding.
 */
function issuerAttributes(issuer: forge.pki.Certificate): forge.pki.CertificateField[] {
  return issuer.subject.attributes.map((a) =>
    a.valueTagClass === utf8() && typeof a.value === 'string'
      ? { ...a, value: forge.util.decodeUtf8(a.value) }
      : a,
  );
}

function keyUsageExtension(bits: readonly KeyUsageBit[]): Record<string, unknown> {
  const ext: Record<string, unknown> = { name: 'keyUsage', critical: true };
  for (const bit of bits) ext[bit] = true;
  return ext;
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

interface BuildInput {
  readonly subject: forge.pki.CertificateField[];
  readonly publicKey: forge.pki.rsa.PublicKey;
  readonly issuerCert: forge.pki.Certificate | undefined; // undefined: self-signed
  readonly signingKey: forge.pki.rsa.PrivateKey;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  readonly pathLength: number | undefined;
  readonly keyUsage: readonly KeyUsageBit[];
  readonly extendedKeyUsage?: readonly string[] | undefined;
  readonly serial: string;
}

function build(input: BuildInput): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = input.publicKey;
  cert.serialNumber = serialToDerHex(input.serial);
  cert.validity.notBefore = input.notBefore;
  cert.validity.notAfter = input.notAfter;
  cert.setSubject(input.subject);
  cert.setIssuer(input.issuerCert ? issuerAttributes(input.issuerCert) : input.subject);

  const basic: Record<string, unknown> = { name: 'basicConstraints', critical: true, cA: input.isCa };
  if (input.isCa && input.pathLength !== undefined) basic['pathLenConstraint'] = input.pathLength;
  const extensions: Record<string, unknown>[] = [basic];
  if (input.keyUsage.length > 0) extensions.push(keyUsageExtension(input.keyUsage));
  if (input.extendedKeyUsage) {
    // forge takes purposes by name, or by OID when it has no name for them (its OID table maps both ways).
    const purposes = input.extendedKeyUsage.map((oid) => forge.pki.oids[oid] ?? oid);
    extensions.push({ name: 'extKeyUsage', ...Object.fromEntries(purposes.map((p) => [p, true])) });
  }
  extensions.push({ name: 'subjectKeyIdentifier' });
  // The authority key id must equal the issuer's subject key id, which forge computes the same way from its key.
  const authorityKeyId = input.issuerCert
    ? input.issuerCert.generateSubjectKeyIdentifier().getBytes()
    : cert.generateSubjectKeyIdentifier().getBytes();
  extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyId });
  cert.setExtensions(extensions);
  cert.sign(input.signingKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** A self-signed root CA valid for `years` from `now`. */
export function createRootCa(options: RootCaOptions): IssuedPair {
  const now = options.now ?? new Date();
  const keys = newKeyPair();
  const certPem = build({
    subject: subjectAttributes(options.commonName, options.organization),
    publicKey: keys.publicKey,
    issuerCert: undefined,
    signingKey: keys.privateKey,
    notBefore: now,
    notAfter: addYears(now, options.years),
    isCa: true,
    pathLength: undefined,
    keyUsage: CA_USAGE,
    serial: options.serial ?? randomSerial(),
  });
  return { certPem, keyPem: keys.keyPem };
}

/** A certificate signed by `ca`: a leaf by default, an intermediate CA with `isCa: true`. */
export function issueCertificate(ca: IssuedPair, options: CertificateOptions): IssuedPair {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey;
  const keys = newKeyPair();
  const isCa = options.isCa ?? false;
  const certPem = build({
    subject: subjectAttributes(options.commonName, options.organization, options.mnemonic),
    publicKey: keys.publicKey,
    issuerCert: caCert,
    signingKey: caKey,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    isCa,
    pathLength: options.pathLength,
    keyUsage: options.keyUsage ?? (isCa ? CA_USAGE : LEAF_USAGE),
    extendedKeyUsage: options.extendedKeyUsage,
    serial: options.serial ?? randomSerial(),
  });
  return { certPem, keyPem: keys.keyPem };
}

/** A self-signed certificate (a leaf unless `isCa`), for tests of untrusted signers. */
export function selfSigned(options: CertificateOptions): IssuedPair {
  const keys = newKeyPair();
  const isCa = options.isCa ?? false;
  const certPem = build({
    subject: subjectAttributes(options.commonName, options.organization, options.mnemonic),
    publicKey: keys.publicKey,
    issuerCert: undefined,
    signingKey: keys.privateKey,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    isCa,
    pathLength: options.pathLength,
    keyUsage: options.keyUsage ?? (isCa ? CA_USAGE : LEAF_USAGE),
    serial: options.serial ?? randomSerial(),
  });
  return { certPem, keyPem: keys.keyPem };
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

export function extension(oid: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(oid).getBytes()),
    asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, asn1.toDer(value).getBytes()),
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

/** An X.509 v2 CRL signed by `ca` with sha256WithRSAEncryption, as PEM (`-----BEGIN X509 CRL-----`). */
export function createCrl(ca: IssuedPair, revoked: readonly RevokedEntry[], options: CrlOptions): string {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey;
  const keyId = caCert.generateSubjectKeyIdentifier().getBytes();
  const tbs = crlToBeSigned(ca.certPem, keyId, sha256WithRsa(), revoked, options);
  const md = forge.md.sha256.create();
  md.update(asn1.toDer(tbs).getBytes());
  const body = signedStructure(tbs, sha256WithRsa(), caKey.sign(md));
  return forge.pem.encode({ type: 'X509 CRL', body }, { maxline: 64 });
}
