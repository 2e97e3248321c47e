/**
 * The algorithm table (DESIGN section 4): every signature, digest and transform algorithm the gateway accepts
 * or uses is one entry. A SignedXml instance is given exactly these, so anything else in a message (SHA-1, HMAC,
 * unknown URIs) is refused. Entries with no implementation use xml-crypto's own; GOST and the SMEV transform
 * bring theirs.
 */
import type {
  CanonicalizationOrTransformationAlgorithm,
  HashAlgorithm,
  SignatureAlgorithm,
  SignedXml,
} from 'xml-crypto';
import { SMEV_TRANSFORM_URI, SmevTransformAlgorithm } from './smev-transform.js';

export { SMEV_TRANSFORM_URI };

export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

export type KeyFamily = 'rsa' | 'gost2012-256' | 'gost2012-512';

interface SignatureEntry {
  readonly family: KeyFamily;
  /** The digest this signature algorithm pairs with when the gateway signs. */
  readonly digest: string;
  readonly implementation?: new () => SignatureAlgorithm;
}

export const SIGNATURE_ALGORITHMS: Record<string, SignatureEntry> = {
  [RSA_SHA256]: { family: 'rsa', digest: SHA256 },
};

export const DIGEST_ALGORITHMS: Record<string, { implementation?: new () => HashAlgorithm }> = {
  [SHA256]: {},
};

/**
 * Reference transforms, in the order SMEV 3 lists them. Some clients put enveloped-signature first although the
 * signature sits outside the signed element; it then removes nothing (the verifier has checked that).
 */
export const TRANSFORMS: Record<
  string,
  { implementation?: new () => CanonicalizationOrTransformationAlgorithm }
> = {
  [ENVELOPED_SIGNATURE]: {},
  [EXC_C14N]: {},
  [SMEV_TRANSFORM_URI]: { implementation: SmevTransformAlgorithm },
};

/** SignedInfo canonicalisation: exclusive c14n only. */
export const SIGNED_INFO_CANONICALIZATION = EXC_C14N;

export function signatureAlgorithmFor(family: KeyFamily): string {
  const found = Object.entries(SIGNATURE_ALGORITHMS).find(([, entry]) => entry.family === family);
  if (!found) throw new Error(`no signature algorithm for ${family} keys`);
  return found[0];
}

/** Restrict a SignedXml instance to the table, adding our own implementations. */
export function applyAlgorithmTable(signed: SignedXml): void {
  const restrict = <T>(
    builtin: Record<string, new () => T>,
    table: Record<string, { implementation?: new () => T }>,
  ): Record<string, new () => T> => {
    const out: Record<string, new () => T> = {};
    for (const [uri, entry] of Object.entries(table)) {
      const implementation = entry.implementation ?? builtin[uri];
      if (implementation) out[uri] = implementation;
    }
    return out;
  };
  signed.SignatureAlgorithms = restrict(signed.SignatureAlgorithms, SIGNATURE_ALGORITHMS);
  signed.HashAlgorithms = restrict(signed.HashAlgorithms, DIGEST_ALGORITHMS);
  signed.CanonicalizationAlgorithms = restrict(signed.CanonicalizationAlgorithms, TRANSFORMS);
}
