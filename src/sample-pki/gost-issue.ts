/**
 * GOST R 34.10-2012 keys, certificates and CRLs for the sample PKI and for tests, made with our own GOST code
 * (node-forge and node's crypto know no GOST). Certificates follow RFC 9215: the subject key as in
 * gost/spki.ts, signatures s ‖ r over the Streebog hash of the exact TBS DER, the signature AlgorithmIdentifier
 * without parameters. Keys are PKCS#8 as OpenSSL's GOST engine writes them (gost/pkcs8.ts).
 * Sample and test material only; not a certification authority for production use.
 */
import { createHash } from 'node:crypto';
import forge from 'node-forge';
import { curveByOid } from '../signature/gost/curves.js';
import {
  gostPrivateKeyFromPem,
  gostPrivateKeyToPem,
  type GostPrivateKeyInfo,
} from '../signature/gost/pkcs8.js';
import { generatePrivateKey, gostSign, publicKeyFromPrivate } from '../signature/gost/sign.js';
import { gostPublicKeyToAsn1, type GostKeyFamily } from '../signature/gost/spki.js';
import { streebog256, streebog512 } from '../signature/gost/streebog.js';
import { KEY_USAGE_BITS, readCertificateFacts } from '../signature/pki/cert-facts.js';
import { pemBody } from '../signature/pki/thumbprint.js';
import {
  addYears,
  CA_USAGE,
  crlToBeSigned,
  extension,
  integerFromHex,
  LEAF_USAGE,
  randomSerial,
  signedStructure,
  subjectNameOf,
  time,
  type CertificateOptions,
  type CrlOptions,
  type IssuedPair,
  type KeyUsageBit,
  type RevokedEntry,
  type RootCaOptions,
} from './issue.js';

/** Which GOST key to make: 2012-256 on CryptoPro-A (what SMEV participants mostly hold) unless told otherwise. */
export interface GostKeyOptions {
  readonly family?: Exclude<GostKeyFamily, 'gost2001'>;
  /** Parameter set OID; defaults to CryptoPro-A for 256-bit keys and TC26-512-A for 512-bit ones. */
  readonly paramSet?: string;
}

const SIGNATURE_OIDS: Readonly<Record<Exclude<GostKeyFamily, 'gost2001'>, string>> = {
  'gost2012-256': '1.2.643.7.1.1.3.2',
  'gost2012-512': '1.2.643.7.1.1.3.3',
};
const DEFAULT_PARAM_SETS = { 'gost2012-256': '1.2.643.2.2.35.1', 'gost2012-512': '1.2.643.7.1.2.1.2.1' };

const { Class, Type } = forge.asn1;
const asn1 = forge.asn1;
type Asn1 = forge.asn1.Asn1;
const seq = (items: Asn1[]): Asn1 => asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
const oid = (value: string): Asn1 =>
  asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(value).getBytes());
const octets = (binary: string): Asn1 => asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, binary);

/** A new GOST key pair (private scalar and its curve). */
export function newGostKey(options: GostKeyOptions = {}): GostPrivateKeyInfo {
  const family = options.family ?? 'gost2012-256';
  const curve = curveByOid(options.paramSet ?? DEFAULT_PARAM_SETS[family]);
  if (curve.size !== (family === 'gost2012-256' ? 32 : 64)) {
    throw new Error(`parameter set ${curve.name} does not fit a ${family} key`);
  }
  return { family, curve, d: generatePrivateKey(curve) };
}

/** C=RU, O=…, OU=<mnemonic>, CN=…; UTF8String except the country (OU holds `_`, which PrintableString lacks). */
function name(commonName: string, organization?: string, mnemonic?: string): Asn1 {
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
function keyUsageBits(bits: readonly KeyUsageBit[]): Asn1 {
  let value = 0;
  for (const bit of bits) value |= 0x80 >> KEY_USAGE_BITS.indexOf(bit);
  let unused = 0;
  while (unused < 7 && value !== 0 && (value & (1 << unused)) === 0) unused++;
  return asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, String.fromCharCode(unused, value));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bytes. */
function keyIdentifier(spki: Asn1): string {
  const bits = (spki.value as Asn1[])[1]?.value;
  if (typeof bits !== 'string') throw new Error('no subjectPublicKey');
  return createHash('sha1')
    .update(Buffer.from(bits.slice(1), 'binary'))
    .digest('binary');
}

function algorithmOf(family: Exclude<GostKeyFamily, 'gost2001'>): Asn1 {
  return seq([oid(SIGNATURE_OIDS[family])]);
}

/** The signature value (s ‖ r, big-endian) of `tbs` by a GOST key, as the BIT STRING content. */
function signDer(key: GostPrivateKeyInfo, tbsDer: string): string {
  const bytes = Buffer.from(tbsDer, 'binary');
  const digest = key.family === 'gost2012-512' ? streebog512(bytes) : streebog256(bytes);
  return Buffer.from(gostSign(key.curve, key.d, digest)).toString('binary');
}

interface GostBuild {
  readonly subject: Asn1;
  readonly key: GostPrivateKeyInfo;
  /** The issuer's Name, key and subject key id; the subject's own for a self-signed certificate. */
  readonly issuer: { name: Asn1; key: GostPrivateKeyInfo; keyId: string } | undefined;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  readonly pathLength: number | undefined;
  readonly keyUsage: readonly KeyUsageBit[];
  readonly serial: string;
}

function buildCertificate(input: GostBuild): string {
  const { key } = input;
  const spki = gostPublicKeyToAsn1(key.family, key.curve, publicKeyFromPrivate(key.curve, key.d));
  const ownKeyId = keyIdentifier(spki);
  const issuer = input.issuer ?? { name: input.subject, key, keyId: ownKeyId };
  if (issuer.key.family === 'gost2001')
    throw new Error('GOST R 34.10-2001 keys do not issue certificates here');
  const signatureAlgorithm = algorithmOf(issuer.key.family);

  const basic: Asn1[] = [];
  if (input.isCa) basic.push(asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, '\xff'));
  if (input.isCa && input.pathLength !== undefined) basic.push(integerFromHex(input.pathLength.toString(16)));
  const critical = asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, '\xff');
  const criticalExtension = (extOid: string, value: Asn1) =>
    seq([oid(extOid), critical, octets(asn1.toDer(value).getBytes())]);
  const extensions: Asn1[] = [criticalExtension('2.5.29.19', seq(basic))];
  if (input.keyUsage.length > 0)
    extensions.push(criticalExtension('2.5.29.15', keyUsageBits(input.keyUsage)));
  extensions.push(extension('2.5.29.14', octets(ownKeyId)));
  extensions.push(extension('2.5.29.35', seq([asn1.create(Class.CONTEXT_SPECIFIC, 0, false, issuer.keyId)])));

  const tbs = seq([
    asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(Class.UNIVERSAL, Type.INTEGER, false, String.fromCharCode(2)),
    ]),
    integerFromHex(input.serial),
    signatureAlgorithm,
    issuer.name,
    seq([time(input.notBefore), time(input.notAfter)]),
    input.subject,
    spki,
    asn1.create(Class.CONTEXT_SPECIFIC, 3, true, [seq(extensions)]),
  ]);
  const body = signedStructure(tbs, signatureAlgorithm, signDer(issuer.key, asn1.toDer(tbs).getBytes()));
  return forge.pem.encode({ type: 'CERTIFICATE', body }, { maxline: 64 });
}

/** The CA's key and the facts a child certificate or CRL needs from its certificate. */
function caMaterial(ca: IssuedPair) {
  const key = gostPrivateKeyFromPem(ca.keyPem);
  if (key === undefined) throw new Error('the CA key is not a GOST PKCS#8 key');
  const facts = readCertificateFacts(pemBody(ca.certPem));
  if (facts.subjectKeyId === undefined) throw new Error('the CA certificate has no subject key identifier');
  return { key, keyId: facts.subjectKeyId, name: subjectNameOf(ca.certPem) };
}

/** A self-signed GOST root CA valid for `years` from `now`. */
export function createGostRootCa(options: RootCaOptions & GostKeyOptions): IssuedPair {
  const now = options.now ?? new Date();
  const key = newGostKey(options);
  const certPem = buildCertificate({
    subject: name(options.commonName, options.organization),
    key,
    issuer: undefined,
    notBefore: now,
    notAfter: addYears(now, options.years),
    isCa: true,
    pathLength: undefined,
    keyUsage: CA_USAGE,
    serial: options.serial ?? randomSerial(),
  });
  return { certPem, keyPem: gostPrivateKeyToPem(key) };
}

/** A certificate with a new GOST key signed by the GOST CA `ca`: a leaf by default, a CA with `isCa`. */
export function issueGostCertificate(
  ca: IssuedPair,
  options: CertificateOptions & GostKeyOptions,
): IssuedPair {
  const key = newGostKey(options);
  const isCa = options.isCa ?? false;
  const certPem = buildCertificate({
    subject: name(options.commonName, options.organization, options.mnemonic),
    key,
    issuer: caMaterial(ca),
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    isCa,
    pathLength: options.pathLength,
    keyUsage: options.keyUsage ?? (isCa ? CA_USAGE : LEAF_USAGE),
    serial: options.serial ?? randomSerial(),
  });
  return { certPem, keyPem: gostPrivateKeyToPem(key) };
}

/** A self-signed GOST certificate (a leaf unless `isCa`), for tests of untrusted signers. */
export function gostSelfSigned(options: CertificateOptions & GostKeyOptions): IssuedPair {
  const key = newGostKey(options);
  const isCa = options.isCa ?? false;
  const certPem = buildCertificate({
    subject: name(options.commonName, options.organization, options.mnemonic),
    key,
    issuer: undefined,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    isCa,
    pathLength: options.pathLength,
    keyUsage: options.keyUsage ?? (isCa ? CA_USAGE : LEAF_USAGE),
    serial: options.serial ?? randomSerial(),
  });
  return { certPem, keyPem: gostPrivateKeyToPem(key) };
}

/** An X.509 v2 CRL signed by the GOST CA `ca`, as PEM. */
export function createGostCrl(ca: IssuedPair, revoked: readonly RevokedEntry[], options: CrlOptions): string {
  const { key, keyId } = caMaterial(ca);
  if (key.family === 'gost2001') throw new Error('GOST R 34.10-2001 keys do not sign CRLs here');
  const signatureAlgorithm = algorithmOf(key.family);
  const tbs = crlToBeSigned(ca.certPem, keyId, signatureAlgorithm, revoked, options);
  const body = signedStructure(tbs, signatureAlgorithm, signDer(key, asn1.toDer(tbs).getBytes()));
  return forge.pem.encode({ type: 'X509 CRL', body }, { maxline: 64 });
}
