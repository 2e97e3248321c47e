/**
 * The oracle of the signature property: what a signature covers, read by a second parser. A mutated signed
 * message may be accepted only when its signed form equals the original's — the one signed block and the one
 * SignedInfo canonicalise (libxml2's exclusive c14n, then the SMEV transform for that profile) to the same text,
 * and the signature value and certificate are the same base64. libxml2 is not the parser the gateway reads with
 * (xmldom), so an acceptance that rests on the two parsers seeing different messages fails the property too.
 * libxml2 refuses to canonicalise a document with a relative namespace URI (as C14N allows); for those, and only
 * those, the form is xml-crypto's exclusive c14n over xmldom's tree.
 */
import { DOMParser, type Element } from '@xmldom/xmldom';
import { ParseOption, XmlC14NMode, XmlDocument, XmlLibError, type XmlNode } from 'libxml2-wasm';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { smevTransform } from '../../src/signature/smev-transform.js';
import { NS } from '../../src/soap/namespaces.js';

export type SigningProfile = 'xmldsig' | 'smev';

export interface SignedForm {
  readonly block: string;
  readonly signedInfo: string;
  readonly signatureValue: string;
  readonly certificate: string;
  /** The MessageID the block carries, as text. */
  readonly messageId: string;
}

const SAFE_PARSE = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE;
const XML_WHITESPACE = /[ \t\r\n]+/g;

/** The signed form of a message, or undefined when it has none (not XML, or not exactly one of each part). */
export function signedFormOf(xml: string, profile: SigningProfile): SignedForm | undefined {
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml, { option: SAFE_PARSE });
  } catch (error) {
    if (error instanceof XmlLibError) return undefined;
    throw error;
  }
  try {
    const ns = { t: NS.types, ds: NS.ds };
    const one = (xpath: string) => {
      const found = doc.find(xpath, ns);
      return found.length === 1 ? found[0] : undefined;
    };
    const block = one('//t:SenderProvidedRequestData');
    const signedInfo = one('//ds:SignedInfo');
    const signatureValue = one('//ds:SignatureValue');
    // The same certificate twice in X509Data is still one (the gateway reads the set).
    const certificates = new Set(
      doc.find('//ds:X509Certificate', ns).map((node) => node.content.replace(XML_WHITESPACE, '')),
    );
    const [certificate] = certificates.size === 1 ? certificates : [];
    const messageId = one('//t:SenderProvidedRequestData/t:MessageID');
    if (!block || !signedInfo || !signatureValue || !certificate || !messageId) return undefined;
    const exclusive = { mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0 };
    const canonical = (node: XmlNode, localName: string) => {
      try {
        return node.canonicalizeToString(exclusive);
      } catch (error) {
        if (!(error instanceof XmlLibError) && !/canonicali[sz]e/i.test(String(error))) throw error;
        return xmldomCanonical(xml, localName);
      }
    };
    const canonicalBlock = canonical(block, 'SenderProvidedRequestData');
    const canonicalSignedInfo = canonical(signedInfo, 'SignedInfo');
    if (canonicalBlock === undefined || canonicalSignedInfo === undefined) return undefined;
    let signedBlock = canonicalBlock;
    if (profile === 'smev') {
      try {
        signedBlock = smevTransform(canonicalBlock);
      } catch {
        // The SMEV transform refuses some content (an element in no namespace): then nothing is signed.
        return undefined;
      }
    }
    return {
      block: signedBlock,
      signedInfo: canonicalSignedInfo,
      signatureValue: signatureValue.content.replace(XML_WHITESPACE, ''),
      certificate,
      messageId: messageId.content,
    };
  } finally {
    doc.dispose();
  }
}

/** xml-crypto's exclusive c14n of the one element of this local name, over xmldom's tree. */
function xmldomCanonical(xml: string, localName: string): string | undefined {
  try {
    const doc = new DOMParser({
      onError: (level) => {
        if (level !== 'warning') throw new Error('not well-formed');
      },
    }).parseFromString(xml, 'text/xml');
    const found = doc.getElementsByTagNameNS(localName === 'SignedInfo' ? NS.ds : NS.types, localName);
    const element = found.length === 1 ? (found.item(0) as Element) : undefined;
    return element && new ExclusiveCanonicalization().process(element as never, {});
  } catch {
    return undefined;
  }
}

export function sameSignedForm(a: SignedForm | undefined, b: SignedForm | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.block === b.block &&
    a.signedInfo === b.signedInfo &&
    a.signatureValue === b.signatureValue &&
    a.certificate === b.certificate
  );
}

/** Which parts differ, for a failure message. */
export function formDifference(a: SignedForm | undefined, b: SignedForm | undefined): string {
  if (!a || !b) return `the ${a ? 'mutated' : 'original'} message has no signed form`;
  const parts = (['block', 'signedInfo', 'signatureValue', 'certificate'] as const).filter(
    (k) => a[k] !== b[k],
  );
  return parts
    .map((k) => `${k} ${JSON.stringify(a[k].slice(0, 200))} became ${JSON.stringify(b[k].slice(0, 200))}`)
    .join('; ');
}
