/**
 * The algorithm table (DESIGN section 4): every signature, digest and transform algorithm the gateway accepts or
 * uses is one entry, and the entry carries its implementation. Anything else in a message (SHA-1, HMAC, unknown
 * URIs) is refused. RSA goes through node's crypto, GOST through our own code (gost/), transforms through
 * xml-crypto's exclusive c14n (with exact namespace and attribute rendering, c14n.ts) and our SMEV transform.
 */
import { sign as nodeSign, verify as nodeVerify, KeyObject, createHash } from 'node:crypto';
import type { CanonicalizationOrTransformationAlgorithm } from 'xml-crypto';
import { EXC_C14N, GatewayExclusiveCanonicalization } from './c14n.js';
import { fromXmlDsigSignatureValue, toXmlDsigSignatureValue } from './gost/encoding.js';
import { gost94 } from './gost/gost94.js';
import { gostSign, gostVerify } from './gost/sign.js';
import type { GostKeyFamily } from './gost/spki.js';
import { streebog256, streebog512 } from './gost/streebog.js';
import type { KeyFamily, PrivateKey, PublicKey } from './keys.js';
import { SMEV_TRANSFORM_URI, SmevTransformAlgorithm } from './smev-transform.js';

export { SMEV_TRANSFORM_URI };
export type { KeyFamily };

export { EXC_C14N };
export const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

const CPXMLSEC = 'urn:ietf:params:xml:ns:cpxmlsec:algorithms:';
const XMLDSIG_MORE = 'http://www.w3.org/2001/04/xmldsig-more#';
/** GOST R 34.10-2012 with GOST R 34.11-2012 (Streebog): the names SMEV 3 uses. */
export const GOST2012_256 = `${CPXMLSEC}gostr34102012-gostr34112012-256`;
export const GOST2012_512 = `${CPXMLSEC}gostr34102012-gostr34112012-512`;
export const STREEBOG256 = `${CPXMLSEC}gostr34112012-256`;
export const STREEBOG512 = `${CPXMLSEC}gostr34112012-512`;
/** The same algorithms under the names some XMLDSig libraries emit: accepted, never written. */
export const GOST2012_256_MORE = `${XMLDSIG_MORE}gostr34102012-gostr34112012-256`;
export const GOST2012_512_MORE = `${XMLDSIG_MORE}gostr34102012-gostr34112012-512`;
export const STREEBOG256_MORE = `${XMLDSIG_MORE}gostr34112012-256`;
export const STREEBOG512_MORE = `${XMLDSIG_MORE}gostr34112012-512`;
/** Legacy GOST R 34.10-2001 with GOST R 34.11-94: verified in old messages, never written. */
export const GOST2001 = `${XMLDSIG_MORE}gostr34102001-gostr3411`;
export const GOST94 = `${XMLDSIG_MORE}gostr3411`;
/** The same pair under CryptoPro's names, as real SMEV 3 messages signed with CryptoPro carry them. */
export const GOST2001_CP = `${CPXMLSEC}gostr34102001-gostr3411`;
export const GOST94_CP = `${CPXMLSEC}gostr3411`;

export interface DigestAlgorithm {
  hash(data: Uint8Array): Buffer;
}

export interface SignatureAlgorithm {
  /** The key family a certificate must hold for this algorithm. */
  readonly family: KeyFamily;
  /** Reference digests that go with it; the first is the one written when signing. */
  readonly digests: readonly string[];
  /**
   * The name written for keys of this family (signatureAlgorithmFor). Aliases and the legacy 2001 algorithm are
   * accepted in messages and written only when a signing key names them explicitly (tests do).
   */
  readonly preferred: boolean;
  /** The bytes of ds:SignatureValue over `data`. */
  sign(key: PrivateKey, data: Uint8Array): Buffer;
  /** True when `signature` (decoded ds:SignatureValue) over `data` was made by `key`; never throws. */
  verify(key: PublicKey, data: Uint8Array, signature: Buffer): boolean;
}

const rsaSha256: SignatureAlgorithm = {
  family: 'rsa',
  digests: [SHA256],
  preferred: true,
  sign: (key, data) => {
    if (!(key instanceof KeyObject)) throw new Error('RSA-SHA256 needs an RSA key');
    return nodeSign('sha256', data, key);
  },
  verify: (key, data, signature) => {
    try {
      return key instanceof KeyObject && nodeVerify('sha256', data, key, signature);
    } catch {
      return false;
    }
  },
};

/**
 * GOST R 34.10 over the hash `hash`. ds:SignatureValue holds s ‖ r, each big-endian on the curve size (64 bytes for
 * 256-bit keys), the layout of RFC 4491's X.509 signatures: xmlsec's OpenSSL back end passes the GOST engine's
 * output (s ‖ r big-endian) through untouched, and its CryptoAPI back end reverses CryptoPro CSP's little-endian
 * output into the same string, so SMEV and CryptoPro peers read what we write. encoding.ts holds the conversion.
 */
function gostSignature(
  family: GostKeyFamily,
  hash: (data: Uint8Array) => Uint8Array,
  digests: readonly string[],
  preferred: boolean,
): SignatureAlgorithm {
  return {
    family,
    digests,
    preferred,
    sign: (key, data) => {
      if (key instanceof KeyObject || key.family !== family)
        throw new Error(`this algorithm needs a ${family} key`);
      return Buffer.from(toXmlDsigSignatureValue(key.curve, gostSign(key.curve, key.d, hash(data))));
    },
    verify: (key, data, signature) => {
      if (key instanceof KeyObject || key.family !== family) return false;
      try {
        const value = fromXmlDsigSignatureValue(key.curve, signature);
        return gostVerify(key.curve, key.publicKey, hash(data), value);
      } catch {
        return false;
      }
    },
  };
}

export const SIGNATURE_ALGORITHMS: Readonly<Record<string, SignatureAlgorithm>> = {
  [RSA_SHA256]: rsaSha256,
  [GOST2012_256]: gostSignature('gost2012-256', streebog256, [STREEBOG256, STREEBOG256_MORE], true),
  [GOST2012_512]: gostSignature('gost2012-512', streebog512, [STREEBOG512, STREEBOG512_MORE], true),
  [GOST2012_256_MORE]: gostSignature('gost2012-256', streebog256, [STREEBOG256_MORE, STREEBOG256], false),
  [GOST2012_512_MORE]: gostSignature('gost2012-512', streebog512, [STREEBOG512_MORE, STREEBOG512], false),
  [GOST2001]: gostSignature('gost2001', gost94, [GOST94, GOST94_CP], false),
  [GOST2001_CP]: gostSignature('gost2001', gost94, [GOST94_CP, GOST94], false),
};

const digest = (hash: (data: Uint8Array) => Uint8Array): DigestAlgorithm => ({
  hash: (data) => Buffer.from(hash(data)),
});

export const DIGEST_ALGORITHMS: Readonly<Record<string, DigestAlgorithm>> = {
  [SHA256]: { hash: (data) => createHash('sha256').update(data).digest() },
  [STREEBOG256]: digest(streebog256),
  [STREEBOG512]: digest(streebog512),
  [STREEBOG256_MORE]: digest(streebog256),
  [STREEBOG512_MORE]: digest(streebog512),
  [GOST94]: digest(gost94),
  [GOST94_CP]: digest(gost94),
};

/**
 * Reference transforms, in the order SMEV 3 lists them. Some clients put enveloped-signature first although the
 * signature sits outside the signed element; it then removes nothing (the verifier has checked that), so it has
 * no implementation to run.
 */
export const TRANSFORMS: Readonly<
  Record<string, { readonly implementation?: CanonicalizationOrTransformationAlgorithm }>
> = {
  [ENVELOPED_SIGNATURE]: {},
  [EXC_C14N]: { implementation: new GatewayExclusiveCanonicalization() },
  [SMEV_TRANSFORM_URI]: { implementation: new SmevTransformAlgorithm() },
};

/** SignedInfo canonicalisation: exclusive c14n only. */
export const SIGNED_INFO_CANONICALIZATION = EXC_C14N;

/** The table's entry for `uri`, never an inherited property (`constructor`, `__proto__`). */
export function tableEntry<T>(table: Readonly<Record<string, T>>, uri: string): T | undefined {
  return Object.hasOwn(table, uri) ? table[uri] : undefined;
}

/** The name the gateway writes for keys of `family`. */
export function signatureAlgorithmFor(family: KeyFamily): string {
  const found = Object.entries(SIGNATURE_ALGORITHMS).find(
    ([, entry]) => entry.family === family && entry.preferred,
  );
  if (!found)
    throw new Error(`the gateway does not sign with ${family} keys (their signatures are only verified)`);
  return found[0];
}
