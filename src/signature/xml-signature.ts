/**
 * XMLDSig over xml-crypto, restricted to the algorithm table: verify a detached signature with a key the caller
 * has already bound to a registered system, and (for clients) sign an element by its Id into a signature
 * container with xml-crypto's computeSignature.
 */
import { X509Certificate, timingSafeEqual, type KeyLike, type KeyObject } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { GatewayFault } from '../soap/faults.js';
import { childElements, type Element } from '../xml/dom.js';
import {
  ENVELOPED_SIGNATURE,
  EXC_C14N,
  SIGNATURE_ALGORITHMS,
  SMEV_TRANSFORM_URI,
  applyAlgorithmTable,
} from './algorithms.js';
import type { SignatureElement } from './signature-element.js';

/**
 * Verify `signature` (already read and shape-checked by readSignature) over `signedBlock` — the very node the
 * pipeline reads — with `publicKey`, as XMLDSig core validation says: the reference's transforms applied to the
 * block give the digest in SignedInfo, and the canonical SignedInfo verifies under the signature algorithm.
 * Canonicalisation, digests and signature algorithms are xml-crypto's, restricted to the algorithm table. The
 * shape checks leave exactly one SignedInfo and one Reference, no comments, and known algorithms only, so there is
 * no second reading of the message to disagree with this one.
 */
export function verifyDetached(
  signature: SignatureElement,
  publicKey: KeyObject,
  signedBlock: Element,
): void {
  const [signedInfo, signatureValue] = childElements(signature.signature);
  const reference = signedInfo ? childElements(signedInfo)[2] : undefined;
  const digestValue = reference ? childElements(reference).at(-1)?.textContent : undefined;
  if (!signedInfo || !signatureValue || !digestValue) {
    throw new GatewayFault('SignatureVerificationFault', 'the signature is incomplete', {
      reason: 'PoorSOAPEnvelopeFormat',
    });
  }
  const tables = algorithmTables();
  let content: unknown = signedBlock;
  for (const transform of signature.transforms) {
    // The enveloped-signature transform removes nothing here: the signature sits outside the signed block.
    if (transform === ENVELOPED_SIGNATURE) continue;
    content = tables.transform(transform).process(content as never, {});
  }
  if (typeof content !== 'string') content = tables.transform(EXC_C14N).process(content as never, {});
  const digest = tables.digest(signature.digestMethod).getHash(content as string);
  if (!sameDigest(digest, digestValue)) {
    throw new GatewayFault('SignatureVerificationFault', 'the signed content does not match its digest', {
      reason: 'SignatureIsInvalid',
    });
  }
  const canonicalSignedInfo = tables.transform(EXC_C14N).process(signedInfo as never, {});
  let valid = false;
  try {
    valid = tables
      .signature(signature.signatureMethod)
      .verifySignature(
        canonicalSignedInfo,
        publicKey,
        (signatureValue.textContent ?? '').replace(/\s+/g, ''),
      );
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new GatewayFault(
      'SignatureVerificationFault',
      'the signature value does not verify with the certificate',
      { reason: 'SignatureIsInvalid' },
    );
  }
}

function sameDigest(computed: string, stated: string): boolean {
  const [a, b] = [Buffer.from(computed, 'base64'), Buffer.from(stated.replace(/\s+/g, ''), 'base64')];
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/** xml-crypto's implementations of the table's algorithms, taken from a SignedXml restricted to the table. */
function algorithmTables() {
  const signed = new SignedXml();
  applyAlgorithmTable(signed);
  const pick = <T>(table: Record<string, new () => T>, uri: string, what: string): T => {
    const Implementation = Object.hasOwn(table, uri) ? table[uri] : undefined;
    if (!Implementation) {
      throw new GatewayFault(
        'SignatureVerificationFault',
        `the ${what} algorithm "${uri.slice(0, 120)}" is not accepted`,
        { reason: 'SignatureIsInvalid' },
      );
    }
    return new Implementation();
  };
  return {
    transform: (uri: string) => pick(signed.CanonicalizationAlgorithms, uri, 'transform'),
    digest: (uri: string) => pick(signed.HashAlgorithms, uri, 'digest'),
    signature: (uri: string) => pick(signed.SignatureAlgorithms, uri, 'signature'),
  };
}

export interface SigningKey {
  readonly privateKey: KeyLike;
  readonly certificatePem: string;
  readonly signatureAlgorithm: string;
}

/** KeyInfo content per certificate: xml-crypto would re-read the PEM on every signature. */
const keyInfoCache = new Map<string, string>();

function keyInfoFor(certificatePem: string): string {
  let content = keyInfoCache.get(certificatePem);
  if (content === undefined) {
    const der = new X509Certificate(certificatePem).raw.toString('base64');
    content = `<ds:X509Data><ds:X509Certificate>${der}</ds:X509Certificate></ds:X509Data>`;
    if (keyInfoCache.size > 100) keyInfoCache.clear();
    keyInfoCache.set(certificatePem, content);
  }
  return content;
}

/**
 * Sign the element with `Id=id`, appending the ds:Signature into the element named `container`. The profile
 * `xmldsig` uses exclusive c14n alone (any XMLDSig tool verifies it); `smev` adds the SMEV transform after it,
 * as SMEV 3 clients do.
 */
export function signDetached(
  xml: string,
  id: string,
  container: string,
  key: SigningKey,
  profile: 'xmldsig' | 'smev' = 'xmldsig',
): string {
  const entry = SIGNATURE_ALGORITHMS[key.signatureAlgorithm];
  if (!entry) throw new Error(`signature algorithm ${key.signatureAlgorithm} is not in the table`);
  const keyInfo = keyInfoFor(key.certificatePem);
  const signed = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.certificatePem,
    signatureAlgorithm: key.signatureAlgorithm,
    canonicalizationAlgorithm: EXC_C14N,
    getKeyInfoContent: () => keyInfo,
  });
  applyAlgorithmTable(signed);
  const transforms = profile === 'smev' ? [EXC_C14N, SMEV_TRANSFORM_URI] : [EXC_C14N];
  signed.addReference({ xpath: `//*[@Id='${id}']`, transforms, digestAlgorithm: entry.digest });
  signed.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `//*[local-name(.)='${container}']`, action: 'append' },
  });
  return signed.getSignedXml();
}
