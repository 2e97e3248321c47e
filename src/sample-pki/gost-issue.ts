/**
 * GOST R 34.10-2012 keys for the sample PKI and for tests, made with our own GOST code (node-forge and node's
 * crypto know no GOST): the issuing algorithm issue.ts writes certificates and CRLs with. Certificates follow
 * RFC 9215: the subject key as in gost/spki.ts, signatures s ‖ r over the Streebog hash of the exact TBS DER, the
 * signature AlgorithmIdentifier without parameters. Keys are PKCS#8 as OpenSSL's GOST engine writes them.
 * Sample and test material only; not a certification authority for production use.
 */
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
import {
  createCrl,
  createRootCa,
  issueCertificate,
  selfSigned,
  type CertificateOptions,
  type CrlOptions,
  type IssuedPair,
  type IssuingAlgorithm,
  type IssuingKey,
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

const asn1 = forge.asn1;
const oid = (value: string) =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(value).getBytes());

/** A new GOST key pair (private scalar and its curve). */
export function newGostKey(options: GostKeyOptions = {}): GostPrivateKeyInfo {
  const family = options.family ?? 'gost2012-256';
  const curve = curveByOid(options.paramSet ?? DEFAULT_PARAM_SETS[family]);
  if (curve.size !== (family === 'gost2012-256' ? 32 : 64)) {
    throw new Error(`parameter set ${curve.name} does not fit a ${family} key`);
  }
  return { family, curve, d: generatePrivateKey(curve) };
}

/** A GOST key as issue.ts signs with it. */
function issuingKey(key: GostPrivateKeyInfo): IssuingKey {
  const { family } = key;
  if (family === 'gost2001') throw new Error('GOST R 34.10-2001 keys do not issue certificates here');
  return {
    keyPem: gostPrivateKeyToPem(key),
    spki: gostPublicKeyToAsn1(family, key.curve, publicKeyFromPrivate(key.curve, key.d)),
    signatureAlgorithm: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      oid(SIGNATURE_OIDS[family]),
    ]),
    sign(der) {
      const bytes = Buffer.from(der, 'binary');
      const digest = family === 'gost2012-512' ? streebog512(bytes) : streebog256(bytes);
      return Buffer.from(gostSign(key.curve, key.d, digest)).toString('binary');
    },
  };
}

export const GOST: IssuingAlgorithm<GostKeyOptions> = {
  newKey: (options) => issuingKey(newGostKey(options)),
  readKey(keyPem) {
    const key = gostPrivateKeyFromPem(keyPem);
    if (key === undefined) throw new Error('the CA key is not a GOST PKCS#8 key');
    return issuingKey(key);
  },
};

/** A self-signed GOST root CA valid for `years` from `now`. */
export const createGostRootCa = (options: RootCaOptions & GostKeyOptions): IssuedPair =>
  createRootCa(options, GOST);

/** A certificate with a new GOST key signed by the GOST CA `ca`: a leaf by default, a CA with `isCa`. */
export const issueGostCertificate = (
  ca: IssuedPair,
  options: CertificateOptions & GostKeyOptions,
): IssuedPair => issueCertificate(ca, options, GOST);

/** A self-signed GOST certificate (a leaf unless `isCa`), for tests of untrusted signers. */
export const gostSelfSigned = (options: CertificateOptions & GostKeyOptions): IssuedPair =>
  selfSigned(options, GOST);

/** An X.509 v2 CRL signed by the GOST CA `ca`, as PEM. */
export const createGostCrl = (
  ca: IssuedPair,
  revoked: readonly RevokedEntry[],
  options: CrlOptions,
): string => createCrl(ca, revoked, options, GOST);
