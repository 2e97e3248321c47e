/**
 * Detached XMLDSig signatures made on a tree, for the gateway's answers and faults and for its client's requests:
 * the document is parsed once, each signed element is transformed (exclusive c14n, then the SMEV transform in the
 * `smev` profile), its signature is built in the tree beside it with the key's algorithm from the table, and the
 * tree is serialised once. The same signature xml-crypto's computeSignature makes, without its re-parse and XPath
 * lookups per signature (most of the signing cost on the hot path); the interop tests check these signatures with
 * xmlsec1 (RSA) and OpenSSL's GOST engine.
 */
import { NS } from '../soap/namespaces.js';
import type { Attr, Document, Element, Node } from '../xml/dom.js';
import { serializeXml } from '../xml/dom.js';
import { DIGEST_ALGORITHMS, EXC_C14N, SIGNATURE_ALGORITHMS, tableEntry } from './algorithms.js';
import { certificateDer } from './pki/thumbprint.js';
import type { SigningKey } from './signing-key.js';
import { elementId } from './signature-element.js';
import { canonical, transformedContent } from './transforms.js';

/** Attributes XMLDSig tools treat as Ids (xml-crypto, xmlsec1 with --id-attr, SMEV clients). */
const ID_ATTRIBUTES = ['Id', 'ID', 'id'] as const;

/**
 * One signature to make: the very element a writer created and the container it created for the signature, never
 * elements looked up by Id, so content that passes through the gateway cannot stand in for them.
 */
export interface TreeSignature {
  /** The element to sign; it must carry `Id`. */
  readonly target: Element;
  /** The empty container the ds:Signature goes into. */
  readonly container: Element;
}

/** Reference transforms when no profile says otherwise: exclusive c14n alone. */
const XMLDSIG_TRANSFORMS: readonly string[] = [EXC_C14N];

export function signTree(
  doc: Document,
  signatures: readonly TreeSignature[],
  key: SigningKey,
  transforms: readonly string[] = XMLDSIG_TRANSFORMS,
): string {
  const entry = tableEntry(SIGNATURE_ALGORITHMS, key.signatureAlgorithm);
  const digestMethod = entry?.digests[0];
  const digestAlgorithm =
    digestMethod === undefined ? undefined : tableEntry(DIGEST_ALGORITHMS, digestMethod);
  if (!entry || !digestMethod || !digestAlgorithm) {
    throw new Error(`the signer cannot sign with ${key.signatureAlgorithm}`);
  }
  const certificate = certificateBase64(key.certificatePem);
  const ids = signatures.map(({ target }) => elementId(target));
  requireUniqueIds(doc, ids);
  // In order: a later signature may cover an element holding an earlier one.
  for (const [i, { target, container }] of signatures.entries()) {
    const id = ids[i] as string;
    const digest = digestAlgorithm.hash(Buffer.from(transformedContent(transforms, target), 'utf8'));
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
    const transformsElement = el('Transforms', reference);
    for (const transform of transforms) el('Transform', transformsElement, transform);
    el('DigestMethod', reference, digestMethod);
    el('DigestValue', reference).appendChild(doc.createTextNode(digest.toString('base64')));
    const value = entry.sign(key.privateKey, Buffer.from(canonical(signedInfo), 'utf8'));
    el('SignatureValue', signature).appendChild(doc.createTextNode(value.toString('base64')));
    el('X509Certificate', el('X509Data', el('KeyInfo', signature))).appendChild(
      doc.createTextNode(certificate),
    );
  }
  return serializeXml(doc);
}

const certificates = new Map<string, string>();
function certificateBase64(pem: string): string {
  let der = certificates.get(pem);
  if (der === undefined) {
    const raw = certificateDer(pem);
    if (raw === undefined) throw new Error('the signing certificate is not PEM');
    der = raw.toString('base64');
    if (certificates.size > 100) certificates.clear();
    certificates.set(pem, der);
  }
  return der;
}

/**
 * Every Id the signer points a Reference at must name one element in the whole document: a verifier that
 * resolves `#Id` to another element with the same Id (the last one, or the first) would check something else.
 * One walk of the tree counts them all.
 */
function requireUniqueIds(doc: Document, ids: readonly (string | null)[]): void {
  const counts = new Map<string, number>();
  for (const id of ids) {
    if (!id) throw new Error('the element to sign has no Id');
    counts.set(id, 0);
  }
  const pending: Node[] = doc.documentElement ? [doc.documentElement] : [];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (node.nodeType !== 1) continue;
    const { attributes } = node as Element;
    for (let i = 0; i < attributes.length; i++) {
      const attribute = attributes.item(i) as Attr;
      const count = counts.get(attribute.value);
      if (count !== undefined && isIdAttribute(attribute)) counts.set(attribute.value, count + 1);
    }
    for (let child = node.firstChild; child; child = child.nextSibling) pending.push(child);
  }
  for (const [id, count] of counts) {
    if (count !== 1) throw new Error(`the Id ${id} occurs ${count} times in the document to sign`);
  }
}

const isIdAttribute = (attribute: Attr) =>
  (ID_ATTRIBUTES as readonly string[]).includes(attribute.name) ||
  (attribute.namespaceURI === NS.wsu && attribute.localName === 'Id');
