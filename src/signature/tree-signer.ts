/**
 * Detached XMLDSig signatures made on a tree, for the gateway's own answers: the answer is parsed once, each
 * signed element is canonicalised with xml-crypto's exclusive c14n, its signature is built in the tree beside
 * it, and the tree is serialised once. The same signature xml-crypto's computeSignature makes, without its
 * re-parse and XPath lookups per signature (most of the signing cost on the hot path). Verification stays with
 * xml-crypto's checkSignature, and the interop tests check these signatures with xmlsec1.
 */
import { sign as cryptoSign } from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { NS } from '../soap/namespaces.js';
import type { Document, Element } from '../xml/dom.js';
import { parseDom, serializeXml } from '../xml/dom.js';
import { DIGEST_ALGORITHMS, EXC_C14N, SIGNATURE_ALGORITHMS, SHA256 } from './algorithms.js';
import type { SigningKey } from './xml-signature.js';
import { createHash } from 'node:crypto';

const c14n = new ExclusiveCanonicalization();

/** Node's hash name for each digest URI of the table that the tree signer can make. */
const NODE_DIGESTS: Record<string, string> = { [SHA256]: 'sha256' };

export interface TreeSignature {
  /** The element to sign; it must carry `Id`. */
  readonly target: Element;
  /** The empty container the ds:Signature goes into. */
  readonly container: Element;
}

export function signTree(doc: Document, signatures: readonly TreeSignature[], key: SigningKey): string {
  const entry = SIGNATURE_ALGORITHMS[key.signatureAlgorithm];
  const digestName = entry && NODE_DIGESTS[entry.digest];
  if (!entry || !digestName || !(entry.digest in DIGEST_ALGORITHMS)) {
    throw new Error(`the tree signer cannot sign with ${key.signatureAlgorithm}`);
  }
  const certificate = certificateBase64(key.certificatePem);
  // In order: a later signature may cover an element holding an earlier one.
  for (const { target, container } of signatures) {
    const id = target.getAttribute('Id');
    if (!id) throw new Error('the element to sign has no Id');
    const digest = createHash(digestName).update(c14n.process(target, {}), 'utf8').digest('base64');
    const el = (name: string, parent: Element, algorithm?: string) => {
      const child = doc.createElementNS(NS.ds, `ds:${name}`);
      if (algorithm) child.setAttribute('Algorithm', algorithm);
      parent.appendChild(child);
      return child;
    };
    const signature = doc.createElementNS(NS.ds, 'ds:Signature');
    container.appendChild(signature);
    const signedInfo = el('SignedInfo', signature);
    el('CanonicalizationMethod', signedInfo, EXC_C14N);
    el('SignatureMethod', signedInfo, key.signatureAlgorithm);
    const reference = el('Reference', signedInfo);
    reference.setAttribute('URI', `#${id}`);
    el('Transform', el('Transforms', reference), EXC_C14N);
    el('DigestMethod', reference, entry.digest);
    el('DigestValue', reference).appendChild(doc.createTextNode(digest));
    const value = cryptoSign(digestName, Buffer.from(c14n.process(signedInfo, {}), 'utf8'), key.privateKey);
    el('SignatureValue', signature).appendChild(doc.createTextNode(value.toString('base64')));
    el('X509Certificate', el('X509Data', el('KeyInfo', signature))).appendChild(
      doc.createTextNode(certificate),
    );
  }
  return serializeXml(doc);
}

/** Sign the elements of `doc` found by Id into the named containers, and serialise it. */
export function signAnswerTree(
  doc: Document,
  targets: ReadonlyArray<{ id: string; container: string }>,
  key: SigningKey,
): string {
  const byId = new Map<string, Element>();
  const containers = new Map<string, Element>();
  const all = doc.getElementsByTagNameNS('*', '*');
  for (let i = 0; i < all.length; i++) {
    const element = all.item(i) as Element;
    const id = element.getAttribute('Id');
    if (id) byId.set(id, element);
    if (element.namespaceURI === NS.types) containers.set(element.localName ?? '', element);
  }
  return signTree(
    doc,
    targets.map(({ id, container }) => {
      const target = byId.get(id);
      const slot = containers.get(container);
      if (!target || !slot) throw new Error(`the answer has no element with Id ${id} or no ${container}`);
      return { target, container: slot };
    }),
    key,
  );
}

const certificates = new Map<string, string>();
function certificateBase64(pem: string): string {
  let der = certificates.get(pem);
  if (der === undefined) {
    der = new X509Certificate(pem).raw.toString('base64');
    if (certificates.size > 100) certificates.clear();
    certificates.set(pem, der);
  }
  return der;
}

/** The same, for an answer that arrives as text (faults, written by the fault writer). */
export function signAnswerXml(
  xml: string,
  targets: ReadonlyArray<{ id: string; container: string }>,
  key: SigningKey,
): string {
  return signAnswerTree(parseDom(xml), targets, key);
}
