/**
 * XMLDSig over xml-crypto, restricted to the algorithm table: verify a detached signature with a key the caller
 * has already bound to a registered system, and sign an element by its Id into a signature container.
 */
import { X509Certificate, type KeyLike, type KeyObject } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { GatewayFault } from '../soap/faults.js';
import type { Element } from '../xml/dom.js';
import { EXC_C14N, SIGNATURE_ALGORITHMS, applyAlgorithmTable } from './algorithms.js';
import type { SignatureElement } from './signature-element.js';

/**
 * Verify `signature` (already read and shape-checked) over `text`, the document as received, with `publicKey`.
 * Then prove the node the pipeline reads is the one that was verified: its canonical form must equal the
 * reference's verified canonical form byte for byte.
 */
export function verifyDetached(text: string, signature: SignatureElement, publicKey: KeyObject, signedBlock: Element): void {
  const signed = new SignedXml({ publicCert: publicKey });
  applyAlgorithmTable(signed);
  // readSignature has checked that no Id, ID or id value repeats; xml-crypto need only look for the one we use.
  signed.idAttributes = ['Id'];
  let verified: string | undefined;
  try {
    signed.loadSignature(signature.signature);
    if (signed.checkSignature(text)) verified = signed.getSignedReferences()[0];
  } catch (error) {
    // xml-crypto's own message may quote the whole SignatureValue; the first sentence says enough.
    const why = (error as Error).message.split(':')[0]?.slice(0, 200) ?? 'unknown';
    throw new GatewayFault('SignatureVerificationFault', `the signature does not verify (${why})`, {
      reason: 'SignatureIsInvalid',
      cause: error,
    });
  }
  if (verified === undefined) {
    throw new GatewayFault('SignatureVerificationFault', 'the signed content does not match its digest', {
      reason: 'SignatureIsInvalid',
    });
  }
  const read = signed.getCanonXml(signature.transforms as string[], signedBlock);
  if (read !== verified) {
    throw new GatewayFault('SignatureVerificationFault', 'the signed block read is not the block that was verified', {
      reason: 'IncorrectSignatureTarget',
    });
  }
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

/** Sign the element with `Id=id` (exc-c14n), appending the ds:Signature into the element named `container`. */
export function signDetached(xml: string, id: string, container: string, key: SigningKey): string {
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
  signed.addReference({ xpath: `//*[@Id='${id}']`, transforms: [EXC_C14N], digestAlgorithm: entry.digest });
  signed.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `//*[local-name(.)='${container}']`, action: 'append' },
  });
  return signed.getSignedXml();
}
