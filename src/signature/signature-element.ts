/**
 * Reads a detached `ds:Signature` and the signed block it must cover, refusing every shape that signature
 * wrapping needs: more than one SignedInfo or Reference, a reference that is not `#<Id of the signed block>`,
 * an Id that a Reference uses occurring twice, a second signed block, a signature inside the signed block, a
 * signature container holding anything but one ds:Signature, comments inside the signed text, algorithms outside
 * the table, KeyInfo without exactly one signing certificate. These checks run on the very tree the pipeline
 * reads, before any cryptography. An Id no Reference points at may repeat: real SMEV 3 messages put `Id="sigID"` on each of
 * their ds:Signature elements.
 */
import { contractOfTypesNs, NS } from '../soap/namespaces.js';
import { GatewayFault } from '../core/faults.js';
import { childElements, type Document, type Element, type Node } from '../xml/dom.js';
import {
  DIGEST_ALGORITHMS,
  ENVELOPED_SIGNATURE,
  EXC_C14N,
  SIGNATURE_ALGORITHMS,
  SIGNED_INFO_CANONICALIZATION,
  SMEV_TRANSFORM_URI,
  TRANSFORMS,
} from './algorithms.js';
import { isBase64 } from '../core/base64.js';
import { namesIssuer, readCertificateFacts, type CertificateFacts } from './pki/cert-facts.js';

export interface SignatureElement {
  readonly signature: Element;
  readonly signedInfo: Element;
  /** The base64 of DigestValue and of SignatureValue, without whitespace. */
  readonly digestValue: string;
  readonly signatureValue: string;
  readonly signatureMethod: string;
  readonly digestMethod: string;
  readonly transforms: readonly string[];
  /**
   * The PrefixLists of exclusive c14n's InclusiveNamespaces, in CanonicalizationMethod and in the Reference's
   * transform; empty when there is none (the gateway writes none).
   */
  readonly inclusivePrefixes: {
    readonly signedInfo: readonly string[];
    readonly reference: readonly string[];
  };
  /** The base64 DER of the signing certificate: the leaf of those in KeyInfo/X509Data. */
  readonly certificate: string;
}

const ID_ATTRIBUTES = new Set(['Id', 'ID', 'id']);
/** The only places a ds:Signature may stand in a message (SMEV 3 element names, types namespace). */
const SIGNATURE_CONTAINERS = new Set([
  'CallerInformationSystemSignature',
  'SenderInformationSystemSignature',
  'SMEVSignature',
  'PersonalSignature',
]);

const refuse = (reason: string, message: string): never => {
  throw new GatewayFault('SignatureVerificationFault', message, { reason });
};

export interface ReadOptions {
  /**
   * The signature must be the document's only one, save personal signatures (`PersonalSignature`), which the
   * gateway hands on unverified as SMEV 3 does: a request carries no second, unverified system signature
   * anywhere that a later reader could take for a checked one.
   */
  readonly sole?: boolean;
}

/**
 * @param container the element that holds the signature (e.g. `CallerInformationSystemSignature`)
 * @param signedBlock the element the pipeline reads and the signature must cover
 * Signed blocks of the same name and namespace may occur only once in the document.
 */
export function readSignature(
  doc: Document,
  container: Element | undefined,
  signedBlock: Element,
  options: ReadOptions = {},
): SignatureElement {
  const blockName = signedBlock.localName ?? '';
  if (!container)
    return refuse('NoSignatureFound', `the message is not signed: ${blockName} has no signature beside it`);
  const [signature, ...extra] = childElements(container);
  if (!signature || extra.length || !isDs(signature, 'Signature')) {
    return refuse('PoorSOAPEnvelopeFormat', 'the signature container must hold exactly one ds:Signature');
  }
  if (container.parentNode !== signedBlock.parentNode && !headerBesideBody(container, signedBlock)) {
    return refuse(
      'IncorrectSignatureTarget',
      'the signature must sit beside the signed block, not inside it',
    );
  }
  checkDocumentShape(doc, signedBlock, signature, options);

  const [signedInfo, signatureValue, keyInfo, ...rest] = childElements(signature);
  if (keyInfo === undefined)
    return refuse('CertificateIsNotFound', 'the signature carries no KeyInfo with the certificate');
  if (
    !isDs(signedInfo, 'SignedInfo') ||
    !isDs(signatureValue, 'SignatureValue') ||
    !isDs(keyInfo, 'KeyInfo') ||
    rest.length
  ) {
    return refuse(
      'PoorSOAPEnvelopeFormat',
      'ds:Signature must hold SignedInfo, SignatureValue and KeyInfo, nothing else',
    );
  }
  const [c14n, method, reference, ...more] = childElements(signedInfo);
  if (
    !isDs(c14n, 'CanonicalizationMethod') ||
    !isDs(method, 'SignatureMethod') ||
    !isDs(reference, 'Reference')
  ) {
    return refuse(
      'PoorSOAPEnvelopeFormat',
      'SignedInfo must hold CanonicalizationMethod, SignatureMethod and one Reference',
    );
  }
  if (more.length) return refuse('IncorrectSignatureTarget', 'the signature must hold exactly one Reference');
  algorithmIn(c14n, { [SIGNED_INFO_CANONICALIZATION]: {} }, 'canonicalization');
  const signatureMethod = algorithmIn(method, SIGNATURE_ALGORITHMS, 'signature');

  const blockId = elementId(signedBlock);
  const uri = reference.getAttribute('URI');
  if (!uri || !uri.startsWith('#') || uri.length < 2) {
    return refuse(
      'IncorrectSignatureTarget',
      `the Reference URI "${uri ?? ''}" must name the signed block by its Id`,
    );
  }
  if (!blockId || uri !== `#${blockId}`) {
    return refuse('IncorrectSignatureTarget', `the Reference ${uri} does not point at ${blockName}`);
  }
  const refParts = childElements(reference);
  const transformsElement = refParts[0] && isDs(refParts[0], 'Transforms') ? refParts.shift() : undefined;
  const [digestMethod, digestValue, ...tail] = refParts;
  if (!isDs(digestMethod, 'DigestMethod') || !isDs(digestValue, 'DigestValue') || tail.length) {
    return refuse('PoorSOAPEnvelopeFormat', 'Reference must hold Transforms, DigestMethod and DigestValue');
  }
  const transformElements = transformsElement ? childElements(transformsElement) : [];
  const transforms = transformElements.map((t) =>
    isDs(t, 'Transform')
      ? algorithmIn(t, TRANSFORMS, 'transform')
      : refuse('PoorSOAPEnvelopeFormat', 'unexpected element in Transforms'),
  );
  // The two signing profiles: exclusive c14n, then optionally the SMEV transform, which reads c14n's output. An
  // enveloped-signature transform may come first (it removes nothing here). Any other order would hand the text
  // one transform produced to a transform that reads a tree.
  const chain = transforms[0] === ENVELOPED_SIGNATURE ? transforms.slice(1) : transforms;
  if (chain[0] !== SIGNED_INFO_CANONICALIZATION) {
    return refuse('SignatureIsInvalid', 'the Reference must be canonicalised with exclusive c14n');
  }
  if (chain.length > 2 || (chain.length === 2 && chain[1] !== SMEV_TRANSFORM_URI)) {
    return refuse(
      'SignatureIsInvalid',
      'the Reference transforms must be exclusive c14n, optionally followed by the SMEV transform',
    );
  }

  const certificate = signingCertificate(keyInfo);
  const c14nTransform = transformElements[transforms.indexOf(EXC_C14N)];
  return {
    signature,
    signedInfo,
    digestValue: base64Text(digestValue, 'SignatureIsInvalid'),
    signatureValue: base64Text(signatureValue, 'SignatureIsInvalid'),
    signatureMethod,
    digestMethod: algorithmIn(digestMethod, DIGEST_ALGORITHMS, 'digest'),
    transforms,
    inclusivePrefixes: {
      signedInfo: prefixList(c14n),
      reference: c14nTransform ? prefixList(c14nTransform) : [],
    },
    certificate,
  };
}

/** XMLDSig 4.4.4 lets X509Data carry the signing certificate's chain; real chains are two or three long. */
const MAX_CERTIFICATES = 10;

/**
 * The signing certificate in KeyInfo's one X509Data: the only certificate there, or, when its chain comes with it
 * (xmlsec1 from a PKCS#12 holding the CA, .NET's WholeChain), the one leaf, the certificate that names itself
 * issuer of none of the others. The others are never used: the trust store builds the path from its own CAs, the
 * leaf's key alone is checked against SignatureValue, and the registry is asked about the leaf alone. A set with
 * no leaf or with two (which would leave open which certificate the signature is checked with) is refused.
 */
function signingCertificate(keyInfo: Element): string {
  const x509Data = childElements(keyInfo).filter((e) => isDs(e, 'X509Data'));
  const elements = x509Data.flatMap((data) => childElements(data).filter((e) => isDs(e, 'X509Certificate')));
  if (elements.length === 0)
    return refuse('CertificateIsNotFound', 'KeyInfo carries no X509Data/X509Certificate');
  if (x509Data.length > 1) return refuse('PoorSOAPEnvelopeFormat', 'KeyInfo must carry one X509Data');
  if (elements.length > MAX_CERTIFICATES) {
    return refuse(
      'PoorSOAPEnvelopeFormat',
      `X509Data carries ${elements.length} certificates; at most ${MAX_CERTIFICATES} (the signing certificate and its chain) are accepted`,
    );
  }
  // The same certificate twice is still one.
  const certificates = new Set(elements.map((e) => base64Text(e, 'CertificateIsMalformed')));
  const [only, ...others] = certificates;
  if (only !== undefined && others.length === 0) return only;
  const facts = [...certificates].map((base64): [string, CertificateFacts] => {
    try {
      return [base64, readCertificateFacts(Buffer.from(base64, 'base64'))];
    } catch {
      return refuse('CertificateIsMalformed', 'an X509Certificate in KeyInfo is not a certificate');
    }
  });
  const leaves = facts.filter(
    ([, parent]) => !facts.some(([, child]) => child !== parent && namesIssuer(child, parent)),
  );
  const [leaf, ...more] = leaves;
  if (!leaf || more.length) {
    return refuse(
      'PoorSOAPEnvelopeFormat',
      `the certificates in X509Data must be one signing certificate and its chain; ${leaves.length} of them issue none of the others`,
    );
  }
  return leaf[0];
}

/**
 * The Id a Reference names the element by: `Id`, or `wsu:Id` (a signed fault's SOAP Body: SOAP 1.2 lets the Body
 * carry no unqualified attribute).
 */
export function elementId(element: Element): string | null {
  return element.getAttribute('Id') || element.getAttributeNS(NS.wsu, 'Id') || null;
}

/**
 * A signed fault: the SOAP Body is signed, its signature stands in the Header beside it (the official fault
 * elements take no Id and the SOAP Fault no extra element), so the signature is still outside what it covers.
 */
function headerBesideBody(container: Element, block: Element): boolean {
  const header = container.parentNode as Element | null;
  const soap = block.namespaceURI;
  return (
    (soap === NS.soap11 || soap === NS.soap12) &&
    block.localName === 'Body' &&
    header?.localName === 'Header' &&
    header.namespaceURI === soap &&
    header.parentNode === block.parentNode
  );
}

/**
 * The base64 content of a DigestValue, SignatureValue or X509Certificate, without its whitespace. Anything else
 * is refused: Node's base64 decoder skips stray characters (and libxml2's schema check lets them through), so a
 * value with one would verify here and fail in every other XMLDSig tool that reads the logged message.
 */
function base64Text(element: Element, reason: string): string {
  const text = (element.textContent ?? '').replace(/[ \t\r\n]+/g, '');
  if (!text || !isBase64(text)) {
    return refuse(reason, `ds:${element.localName} is not base64`);
  }
  return text;
}

function isDs(element: Element | undefined, localName: string): element is Element {
  return element !== undefined && element.localName === localName && element.namespaceURI === NS.ds;
}

function algorithmIn(element: Element, table: Record<string, unknown>, what: string): string {
  const algorithm = element.getAttribute('Algorithm') ?? '';
  if (!Object.hasOwn(table, algorithm)) {
    return refuse('SignatureIsInvalid', `the ${what} algorithm "${algorithm.slice(0, 120)}" is not accepted`);
  }
  // Exclusive c14n takes one parameter, InclusiveNamespaces; the other algorithms take none.
  const [parameter, ...more] = childElements(element);
  if (parameter && (algorithm !== EXC_C14N || more.length || !isInclusiveNamespaces(parameter))) {
    const takes = algorithm === EXC_C14N ? 'only one ec:InclusiveNamespaces' : 'no parameter';
    return refuse(
      'SignatureIsInvalid',
      `the ${what} algorithm ${algorithm} takes ${takes}; ${parameter.tagName.slice(0, 120)} is not accepted`,
    );
  }
  return algorithm;
}

const isInclusiveNamespaces = (element: Element) =>
  element.localName === 'InclusiveNamespaces' && element.namespaceURI === EXC_C14N;

/**
 * The PrefixList of the ec:InclusiveNamespaces in an exclusive c14n CanonicalizationMethod or Transform (already
 * checked by algorithmIn to be its only element): prefixes, and `#default` for the default namespace (Exclusive
 * XML Canonicalization 1.0, section 3). The element holds nothing else, as its schema says.
 */
function prefixList(element: Element): readonly string[] {
  const [parameter] = childElements(element);
  if (!parameter) return [];
  const attributes = Array.from(parameter.attributes).filter(
    (a) => a.name !== 'xmlns' && !a.name.startsWith('xmlns:'),
  );
  const content = Array.from(parameter.childNodes).some(
    (n) => n.nodeType !== 3 || /[^ \t\r\n]/.test(n.nodeValue ?? ''),
  );
  if (content || attributes.some((a) => a.name !== 'PrefixList')) {
    return refuse(
      'SignatureIsInvalid',
      'ec:InclusiveNamespaces holds a PrefixList attribute and nothing else',
    );
  }
  const prefixes = (parameter.getAttribute('PrefixList') ?? '').split(/[ \t\r\n]+/).filter(Boolean);
  const odd = prefixes.find((p) => p !== '#default' && /[:#]/.test(p));
  if (odd !== undefined) {
    return refuse('SignatureIsInvalid', `the PrefixList names "${odd.slice(0, 64)}", which is no prefix`);
  }
  return prefixes;
}

/**
 * One walk over the whole document: every Id a Reference uses (and the signed block's) occurs once, the signed
 * block occurs once, no comment hides in the signed block or the signature, every ds:Signature stands directly
 * in a signature container, and every signature container holds one ds:Signature and nothing else.
 */
function checkDocumentShape(
  doc: Document,
  signedBlock: Element,
  signature: Element,
  options: ReadOptions,
): void {
  const ids = new Map<string, number>();
  const referenced = new Set<string>([signedBlock.getAttribute('Id') ?? '']);
  let blocks = 0;
  const walk = (node: Node, insideSigned: boolean) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      // Comments and processing instructions may split signed text without changing its canonical form.
      if ((child.nodeType === 8 || child.nodeType === 7) && insideSigned) {
        refuse(
          'SignatureIsInvalid',
          'comments and processing instructions are not accepted inside signed content',
        );
      }
      if (child.nodeType !== 1) continue;
      const element = child as Element;
      for (let i = 0; i < element.attributes.length; i++) {
        const attr = element.attributes.item(i);
        if (attr && ID_ATTRIBUTES.has(attr.localName ?? ''))
          ids.set(attr.value, (ids.get(attr.value) ?? 0) + 1);
      }
      if (element.namespaceURI === NS.ds && element.localName === 'Reference') {
        const uri = element.getAttribute('URI') ?? '';
        if (uri.startsWith('#')) referenced.add(uri.slice(1));
      }
      if (contractOfTypesNs(element.namespaceURI) && SIGNATURE_CONTAINERS.has(element.localName ?? '')) {
        const held = childElements(element);
        if (held.length !== 1 || !isDs(held[0], 'Signature')) {
          refuse('PoorSOAPEnvelopeFormat', `${element.localName} must hold exactly one ds:Signature`);
        }
      }
      if (element.localName === signedBlock.localName && element.namespaceURI === signedBlock.namespaceURI)
        blocks++;
      if (element.localName === 'Signature' && element.namespaceURI === NS.ds) {
        const parent = element.parentNode as Element | null;
        if (
          !parent ||
          !contractOfTypesNs(parent.namespaceURI) ||
          !SIGNATURE_CONTAINERS.has(parent.localName ?? '')
        ) {
          refuse('IncorrectSignatureTarget', 'a ds:Signature stands outside any signature container');
        }
        if (options.sole && element !== signature && parent?.localName !== 'PersonalSignature') {
          refuse(
            'PoorSOAPEnvelopeFormat',
            `a second signature, in ${parent?.localName ?? 'the document'}, is not accepted: the message carries one system signature`,
          );
        }
      }
      walk(element, insideSigned || element === signedBlock || element === signature);
    }
  };
  walk(doc, false);
  for (const id of referenced) {
    if ((ids.get(id) ?? 0) > 1)
      refuse('IncorrectSignatureTarget', `the Id "${id.slice(0, 64)}" occurs more than once`);
  }
  if (blocks !== 1) {
    refuse(
      'IncorrectSignatureTarget',
      `the message holds ${blocks} ${signedBlock.localName} elements; exactly one is accepted`,
    );
  }
}
