/**
 * XMLDSig restricted to the algorithm table: verify a detached signature with a key the caller has already bound
 * to a registered system, and (for clients) sign an element by its Id into a signature container.
 */
import { timingSafeEqual } from 'node:crypto';
import { GatewayFault } from '../core/faults.js';
import { parseDom, type Document, type Element } from '../xml/dom.js';
import { contractOfTypesNs } from '../soap/namespaces.js';
import {
  DIGEST_ALGORITHMS,
  EXC_C14N,
  SIGNATURE_ALGORITHMS,
  SMEV_TRANSFORM_URI,
  tableEntry,
} from './algorithms.js';
import { keyFamily, type PublicKey } from './keys.js';
import type { CheckedCertificate, TrustStore } from './pki/trust-store.js';
import { readSignature, type ReadOptions, type SignatureElement } from './signature-element.js';
import type { SigningKey } from './signing-key.js';
import { signTree } from './tree-signer.js';
import type { SmevEscaping } from './smev-transform.js';
import { canonical, transformedContent } from './transforms.js';

export type { SigningKey };

const refuse = (reason: string, message: string): never => {
  throw new GatewayFault('SignatureVerificationFault', message, { reason });
};

/**
 * Verify `signature` (already read and shape-checked by readSignature) over `signedBlock` — the very node the
 * pipeline reads — with `publicKey`, as XMLDSig core validation says: the canonical SignedInfo verifies under the
 * signature algorithm, and the reference's transforms applied to the block give the digest in SignedInfo. The
 * algorithm must be one for the certificate's key (no GOST name over an RSA certificate, nor the reverse), and the
 * digest one that goes with it. The shape checks leave exactly one SignedInfo and one Reference, no comments, and
 * known algorithms only, so there is no second reading of the message to disagree with this one.
 */
export function verifyDetached(
  signature: SignatureElement,
  publicKey: PublicKey,
  signedBlock: Element,
): void {
  const { signedInfo, digestValue, signatureValue } = signature;
  const method = tableEntry(SIGNATURE_ALGORITHMS, signature.signatureMethod);
  const digestAlgorithm = tableEntry(DIGEST_ALGORITHMS, signature.digestMethod);
  if (!method || !digestAlgorithm) {
    return refuse('SignatureIsInvalid', 'the signature or digest algorithm is not accepted');
  }
  const family = keyFamily(publicKey);
  if (family !== method.family) {
    return refuse(
      'SignatureIsInvalid',
      `the signature algorithm ${signature.signatureMethod} needs a ${method.family} key; the certificate holds ${family ?? 'another kind of'} key`,
    );
  }
  if (!method.digests.includes(signature.digestMethod)) {
    return refuse(
      'SignatureIsInvalid',
      `the digest ${signature.digestMethod} does not go with the signature algorithm ${signature.signatureMethod}`,
    );
  }
  // The signature value first: it costs one public-key operation, while the digest costs the transforms of the
  // whole block, which a sender without the key must not be able to make the gateway compute (XMLDSig 3.2 leaves
  // the order of the two checks open).
  const valid = method.verify(
    publicKey,
    Buffer.from(canonical(signedInfo, signature.inclusivePrefixes.signedInfo), 'utf8'),
    Buffer.from(signatureValue, 'base64'),
  );
  if (!valid) {
    return refuse('SignatureIsInvalid', 'the signature value does not verify with the certificate');
  }
  const digestOf = (escaping: SmevEscaping) => {
    try {
      return digestAlgorithm.hash(
        Buffer.from(
          transformedContent(
            signature.transforms,
            signedBlock,
            escaping,
            signature.inclusivePrefixes.reference,
          ),
          'utf8',
        ),
      );
    } catch (error) {
      if (error instanceof GatewayFault) throw error;
      return refuse('SignatureIsInvalid', 'the reference transforms cannot be applied to the signed block');
    }
  };
  // The SMEV transform's output in the reference form first; clients on Java's older writer escape it otherwise,
  // and their signatures are as good (the two forms differ only in how the same characters are written).
  const matches =
    sameDigest(digestOf('reference'), digestValue) ||
    (signature.transforms.includes(SMEV_TRANSFORM_URI) && sameDigest(digestOf('legacy'), digestValue));
  if (!matches) {
    refuse('SignatureIsInvalid', 'the signed content does not match its digest');
  }
}

function sameDigest(computed: Buffer, stated: string): boolean {
  const b = Buffer.from(stated, 'base64');
  return computed.length === b.length && computed.length > 0 && timingSafeEqual(computed, b);
}

/**
 * Sign the one element with `Id=id` (for clients, which wrote the document themselves), appending the
 * ds:Signature into the one element named `container` in the types namespace, with the
 * algorithm of the key. The profile `xmldsig` uses exclusive c14n alone (any XMLDSig tool verifies it); `smev`
 * adds the SMEV transform after it, as SMEV 3 clients do.
 */
export function signDetached(
  xml: string,
  id: string,
  container: string,
  key: SigningKey,
  profile: 'xmldsig' | 'smev' = 'xmldsig',
): string {
  const transforms = profile === 'smev' ? [EXC_C14N, SMEV_TRANSFORM_URI] : [EXC_C14N];
  const doc = parseDom(xml);
  const targets: Element[] = [];
  const all = doc.getElementsByTagNameNS('*', '*');
  for (let i = 0; i < all.length; i++) {
    const element = all.item(i) as Element;
    if (element.getAttribute('Id') === id) targets.push(element);
  }
  const containers = Array.from(doc.getElementsByTagNameNS('*', container)).filter((element) =>
    contractOfTypesNs(element.namespaceURI),
  );
  const [target] = targets;
  const [slot] = containers;
  if (!target || !slot || targets.length > 1 || containers.length > 1) {
    throw new Error(`the document must hold exactly one element with Id ${id} and one ${container}`);
  }
  return signTree(doc, [{ target, container: slot }], key, transforms);
}

/**
 * The whole check of one detached signature, as every reader of signed XML makes it: the signature's shape first
 * (readSignature: no wrapping), then its certificate against the trust store at the message's moment, then the
 * cryptography with that certificate's key. Returns the checked certificate.
 */
export function checkSignature(
  doc: Document,
  container: Element | undefined,
  signedBlock: Element,
  trust: TrustStore,
  at: Date,
  options: ReadOptions = {},
): CheckedCertificate {
  const signature = readSignature(doc, container, signedBlock, options);
  const certificate = trust.check(signature.certificate, at);
  verifyDetached(signature, certificate.publicKey, signedBlock);
  return certificate;
}
