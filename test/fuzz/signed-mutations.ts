/**
 * Mutations of a validly signed Call request, aimed at the signature: character edits inside the parts the
 * signature covers or names (the signed block, SignedInfo, DigestValue, SignatureValue, the certificate) and
 * outside them; signature-wrapping shapes (duplicated, moved and wrapped blocks, signatures moved or doubled);
 * Id and Reference changes; algorithm swaps; namespace prefixes renamed and declarations added or moved;
 * comments, processing instructions, whitespace, character references and CDATA in various places; a swapped
 * certificate. Some of them leave what is signed unchanged (whitespace inside tags, an unused declaration, a
 * header block): the property allows those, and only those, to succeed.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Element } from '@xmldom/xmldom';
import fc from 'fast-check';
import { NS } from '../../src/soap/namespaces.js';
import { applyTextEdit, snippet, textEdit, type TextEdit } from './arbitraries.js';
import { applyTreeEdits, parseTree, serializeTree, treeEdit, type TreeEdit } from './tree-edits.js';

/** Where a character edit lands. */
export const REGIONS = [
  'anywhere',
  'beforeBlock',
  'signedBlock',
  'messageId',
  'payload',
  'signedInfo',
  'digestValue',
  'signatureValue',
  'certificate',
] as const;
export type Region = (typeof REGIONS)[number];

const INJECTIONS = [
  '<!-- c -->',
  '<?pi x?>',
  ' ',
  '\n',
  '\r\n',
  '\t',
  '\u00a0',
  '&#x20;',
  '&#10;',
  '<![CDATA[ ]]>',
  '<![CDATA[]]>',
  '<x:e xmlns:x="urn:x"/>',
];

const ALGORITHMS = [
  'http://www.w3.org/2001/10/xml-exc-c14n#',
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  'http://www.w3.org/2006/12/xml-c14n11',
  'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  'urn://smev-gov-ru/xmldsig/transform',
  'http://www.w3.org/TR/1999/REC-xpath-19991116',
  'http://www.w3.org/2000/09/xmldsig#sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmlenc#sha512',
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
  'urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256',
  '',
  'constructor',
  '__proto__',
];

const OTHER_CERTIFICATES = ['SOCCARD_28', 'PORTAL_26', 'REVOKED_SYSTEM', 'gateway', 'ca'];

export type Shape =
  | { readonly shape: 'duplicateBlock'; readonly into: 'header' | 'call' | 'payload' }
  | { readonly shape: 'wrapBlock'; readonly into: 'header' | 'call' | 'signature'; readonly text: string }
  | { readonly shape: 'moveSignature'; readonly into: 'block' | 'header' | 'payload' | 'body' }
  | { readonly shape: 'duplicate'; readonly what: string }
  | { readonly shape: 'remove'; readonly what: string }
  | { readonly shape: 'setId'; readonly on: string; readonly attribute: string; readonly value: string }
  | { readonly shape: 'referenceUri'; readonly value: string }
  | { readonly shape: 'algorithm'; readonly on: string; readonly value: string }
  | { readonly shape: 'renamePrefix'; readonly prefix: string; readonly to: string }
  | { readonly shape: 'declare'; readonly on: string; readonly declaration: string }
  | { readonly shape: 'moveDeclarations' }
  | { readonly shape: 'inject'; readonly where: Region; readonly at: number; readonly text: string }
  | { readonly shape: 'tagSpace'; readonly where: Region; readonly at: number; readonly space: string }
  | { readonly shape: 'charRef'; readonly where: 'payload' | 'messageId'; readonly at: number }
  | { readonly shape: 'cdata'; readonly where: 'payload' | 'messageId' }
  | { readonly shape: 'expandEmpty' }
  | { readonly shape: 'singleQuotes' }
  | { readonly shape: 'swapCertificate'; readonly system: string }
  | { readonly shape: 'headerBlock'; readonly mustUnderstand: boolean }
  | { readonly shape: 'declaration'; readonly value: string };

export type SignedMutation =
  | { readonly kind: 'text'; readonly region: Region; readonly edit: TextEdit }
  | { readonly kind: 'tree'; readonly edit: TreeEdit }
  | ({ readonly kind: 'shape' } & Shape);

const region = fc.constantFrom(...REGIONS);
const ELEMENTS_OF_SIGNATURE = [
  'Signature',
  'SignedInfo',
  'CanonicalizationMethod',
  'SignatureMethod',
  'Reference',
  'Transforms',
  'Transform',
  'DigestMethod',
  'DigestValue',
  'SignatureValue',
  'KeyInfo',
  'X509Data',
  'X509Certificate',
];
const ID_TARGETS = ['block', 'MessageID', 'payload', 'CallRequest', 'Envelope', 'Signature', 'SignedInfo'];
const DECLARATION_TARGETS = ['Envelope', 'CallRequest', 'block', 'payload', 'Signature', 'SignedInfo'];
const DECLARATIONS = [
  'xmlns:z="urn:z"',
  'xmlns="urn:d"',
  'xmlns=""',
  `xmlns:ns2="${NS.types}"`,
  'xmlns:ns2="urn:other"',
  `xmlns:ns3="${NS.types}"`,
  `xmlns:ds="${NS.ds}"`,
  'xmlns:ds="urn:other"',
  'xmlns:ping="urn:other"',
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="false"',
  'xml:lang="ru"',
  'xml:space="preserve"',
  'xml:base="http://example.org/"',
];

const shape: fc.Arbitrary<Shape> = fc.oneof(
  fc.record({
    shape: fc.constant('duplicateBlock' as const),
    into: fc.constantFrom('header' as const, 'call' as const, 'payload' as const),
  }),
  fc.record({
    shape: fc.constant('wrapBlock' as const),
    into: fc.constantFrom('header' as const, 'call' as const, 'signature' as const),
    text: fc.constantFrom('evil', 'hello', 'hello '),
  }),
  fc.record({
    shape: fc.constant('moveSignature' as const),
    into: fc.constantFrom('block' as const, 'header' as const, 'payload' as const, 'body' as const),
  }),
  fc.record({ shape: fc.constant('duplicate' as const), what: fc.constantFrom(...ELEMENTS_OF_SIGNATURE) }),
  fc.record({ shape: fc.constant('remove' as const), what: fc.constantFrom(...ELEMENTS_OF_SIGNATURE) }),
  fc.record({
    shape: fc.constant('setId' as const),
    on: fc.constantFrom(...ID_TARGETS),
    attribute: fc.constantFrom('Id', 'ID', 'id', 'wsu:Id'),
    value: fc.constantFrom('SIGNED_BY_CONSUMER', 'OTHER', '', ' SIGNED_BY_CONSUMER', 'SIGNED_BY_CONSUMER\n'),
  }),
  fc.record({
    shape: fc.constant('referenceUri' as const),
    value: fc.constantFrom(
      '',
      '#',
      '#OTHER',
      '#SIGNED_BY_CONSUMER ',
      '#signed_by_consumer',
      '#xpointer(/)',
      "#xpointer(id('SIGNED_BY_CONSUMER'))",
      'http://example.org/#SIGNED_BY_CONSUMER',
      'SIGNED_BY_CONSUMER',
      '#SIGNED_BY_CONSUMER#SIGNED_BY_CONSUMER',
    ),
  }),
  fc.record({
    shape: fc.constant('algorithm' as const),
    on: fc.constantFrom('CanonicalizationMethod', 'SignatureMethod', 'DigestMethod', 'Transform'),
    value: fc.constantFrom(...ALGORITHMS),
  }),
  fc.record({
    shape: fc.constant('renamePrefix' as const),
    prefix: fc.constantFrom('soap', 'sync', 'ns2', 'ns3', 'ping', 'ds'),
    to: fc.constantFrom('x', 'ns1', 'ns2', 'ds', 'soap', 'SOAP-ENV', 'a.b-c'),
  }),
  fc.record({
    shape: fc.constant('declare' as const),
    on: fc.constantFrom(...DECLARATION_TARGETS),
    declaration: fc.constantFrom(...DECLARATIONS),
  }),
  fc.record({ shape: fc.constant('moveDeclarations' as const) }),
  fc.record({
    shape: fc.constant('inject' as const),
    where: region,
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...INJECTIONS), snippet),
  }),
  fc.record({
    shape: fc.constant('tagSpace' as const),
    where: region,
    at: fc.nat(),
    space: fc.constantFrom(' ', '\n', '\t', '\r\n', '  '),
  }),
  fc.record({
    shape: fc.constant('charRef' as const),
    where: fc.constantFrom('payload' as const, 'messageId' as const),
    at: fc.nat(),
  }),
  fc.record({
    shape: fc.constant('cdata' as const),
    where: fc.constantFrom('payload' as const, 'messageId' as const),
  }),
  fc.record({ shape: fc.constant('expandEmpty' as const) }),
  fc.record({ shape: fc.constant('singleQuotes' as const) }),
  fc.record({
    shape: fc.constant('swapCertificate' as const),
    system: fc.constantFrom(...OTHER_CERTIFICATES),
  }),
  fc.record({ shape: fc.constant('headerBlock' as const), mustUnderstand: fc.boolean() }),
  fc.record({
    shape: fc.constant('declaration' as const),
    value: fc.constantFrom(
      '',
      '<?xml version="1.0"?>',
      '<?xml version="1.0" encoding="utf-8" standalone="yes"?>',
      '\ufeff<?xml version="1.0" encoding="UTF-8"?>',
      '<?xml version="1.1" encoding="UTF-8"?>',
      '<?xml version="1.0" encoding="ISO-8859-1"?>',
      '\n',
    ),
  }),
);

export const signedMutation: fc.Arbitrary<SignedMutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('text' as const), region, edit: textEdit }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tree' as const), edit: treeEdit }) },
  { weight: 6, arbitrary: shape.map((s) => ({ kind: 'shape' as const, ...s })) },
);

/** The [from, to) range of a region in the text (content ranges exclude the tags), or undefined. */
export function regionRange(xml: string, where: Region): [number, number] | undefined {
  const element = (localName: string, content: boolean): [number, number] | undefined => {
    const open = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${localName}(?=[\\s/>])[^>]*>`).exec(xml);
    if (!open) return undefined;
    const close = new RegExp(`</(?:[A-Za-z_][\\w.-]*:)?${localName}\\s*>`, 'g');
    close.lastIndex = open.index + open[0].length;
    const end = close.exec(xml);
    if (!end) return undefined;
    return content ? [open.index + open[0].length, end.index] : [open.index, end.index + end[0].length];
  };
  switch (where) {
    case 'anywhere':
      return [0, xml.length];
    case 'beforeBlock': {
      const block = element('SenderProvidedRequestData', false);
      return block ? [0, block[0]] : undefined;
    }
    case 'signedBlock':
      return element('SenderProvidedRequestData', false);
    case 'messageId':
      return element('MessageID', true);
    case 'payload':
      return element('MessagePrimaryContent', true);
    case 'signedInfo':
      return element('SignedInfo', false);
    case 'digestValue':
      return element('DigestValue', true);
    case 'signatureValue':
      return element('SignatureValue', true);
    case 'certificate':
      return element('X509Certificate', true);
  }
}

function inRegion(xml: string, where: Region, apply: (from: number, to: number) => string): string {
  const range = regionRange(xml, where) ?? [0, xml.length];
  return apply(range[0], range[1]);
}

const certificateCache = new Map<string, string>();
function certificateOf(system: string): string {
  let der = certificateCache.get(system);
  if (der === undefined) {
    der = new X509Certificate(readFileSync(`certs-sample/${system}.crt.pem`)).raw.toString('base64');
    certificateCache.set(system, der);
  }
  return der;
}

/** The first element with this local name (namespace-blind: prefixes may have been renamed). */
function first(root: Element, localName: string): Element | undefined {
  const found = root.getElementsByTagNameNS('*', localName);
  return found.length ? (found.item(0) ?? undefined) : undefined;
}

/** Shapes that need the tree; they parse and serialise the message again (the serialiser may change it too). */
function applyTreeShape(xml: string, s: Shape): string {
  const doc = parseTree(xml);
  const root = doc?.documentElement;
  if (!doc || !root) return xml;
  const block = first(root, 'SenderProvidedRequestData');
  const signature = first(root, 'Signature');
  const header = first(root, 'Header');
  const call = first(root, 'CallRequest');
  const payload = first(root, 'MessagePrimaryContent');
  const place = (into: string): Element | undefined =>
    ({
      header,
      call,
      payload,
      block,
      body: first(root, 'Body'),
      signature: first(root, 'CallerInformationSystemSignature'),
    })[into];
  switch (s.shape) {
    case 'duplicateBlock': {
      const target = place(s.into);
      if (block && target) target.appendChild(block.cloneNode(true));
      break;
    }
    case 'wrapBlock': {
      // The classic wrapping attack: the signed original hidden in a wrapper, an altered copy where it was.
      const target = place(s.into);
      if (!block || !target) break;
      const altered = block.cloneNode(true) as Element;
      const text = first(altered, 'Text');
      if (text) text.textContent = s.text;
      block.parentNode?.replaceChild(altered, block);
      const wrapper = doc.createElementNS('urn://example.test/wrapper', 'w:Wrapper');
      wrapper.appendChild(block);
      target.appendChild(wrapper);
      break;
    }
    case 'moveSignature': {
      const target = place(s.into);
      if (signature && target) target.appendChild(signature);
      break;
    }
    case 'duplicate': {
      const element = first(root, s.what);
      if (element) element.parentNode?.insertBefore(element.cloneNode(true), element.nextSibling);
      break;
    }
    case 'remove': {
      const element = first(root, s.what);
      if (element) element.parentNode?.removeChild(element);
      break;
    }
    case 'setId': {
      const target = s.on === 'block' ? block : s.on === 'payload' ? payload?.firstChild : first(root, s.on);
      if (!target || target.nodeType !== 1) break;
      if (s.attribute === 'wsu:Id') {
        (target as Element).setAttributeNS(
          'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
          s.attribute,
          s.value,
        );
      } else {
        (target as Element).setAttribute(s.attribute, s.value);
      }
      break;
    }
    case 'referenceUri':
      first(root, 'Reference')?.setAttribute('URI', s.value);
      break;
    case 'algorithm':
      first(root, s.on)?.setAttribute('Algorithm', s.value);
      break;
    case 'headerBlock': {
      if (!header) break;
      const blockElement = doc.createElementNS('urn://example.test/header', 'h:Trace');
      blockElement.textContent = 'x';
      if (s.mustUnderstand)
        blockElement.setAttributeNS(root.namespaceURI, `${root.prefix}:mustUnderstand`, '1');
      header.appendChild(blockElement);
      break;
    }
    default:
      return xml;
  }
  return serializeTree(doc);
}

/** Apply one mutation to a signed message. */
export function applySignedMutation(xml: string, m: SignedMutation): string {
  if (m.kind === 'text') return inRegion(xml, m.region, (from, to) => applyTextEdit(xml, m.edit, from, to));
  if (m.kind === 'tree') {
    const doc = parseTree(xml);
    if (!doc?.documentElement) return xml;
    applyTreeEdits(doc, doc.documentElement, [m.edit]);
    return serializeTree(doc);
  }
  switch (m.shape) {
    case 'renamePrefix': {
      const from = m.prefix.replace(/[.-]/g, '\\$&');
      return xml
        .replace(new RegExp(`<(/?)${from}:`, 'g'), `<$1${m.to}:`)
        .replace(new RegExp(`xmlns:${from}=`, 'g'), `xmlns:${m.to}=`);
    }
    case 'declare': {
      const name = m.on === 'block' ? 'SenderProvidedRequestData' : m.on === 'payload' ? 'PingRequest' : m.on;
      const open = new RegExp(`<((?:[A-Za-z_][\\w.-]*:)?${name})(?=[\\s/>])`).exec(xml);
      if (!open) return xml;
      const at = open.index + open[0].length;
      return `${xml.slice(0, at)} ${m.declaration}${xml.slice(at)}`;
    }
    case 'moveDeclarations': {
      const declarations: string[] = [];
      const without = xml.replace(
        /<((?:[\w.-]+:)?CallRequest)([^>]*)>/,
        (_all, name: string, rest: string) => {
          const kept = rest.replace(/\s+xmlns:(ns2|ns3)="[^"]*"/g, (declaration) => {
            declarations.push(declaration);
            return '';
          });
          return `<${name}${kept}>`;
        },
      );
      return without.replace(/<((?:[\w.-]+:)?Envelope)(?=[\s>])/, `<$1${declarations.join('')}`);
    }
    case 'inject':
      return inRegion(xml, m.where, (from, to) => {
        const at = from + (m.at % (to - from + 1));
        return xml.slice(0, at) + m.text + xml.slice(at);
      });
    case 'tagSpace':
      // Whitespace before the `>` or `/>` of a tag in the region: never changes the document's infoset.
      return inRegion(xml, m.where, (from, to) => {
        const ends: number[] = [];
        for (let i = from; i < to; i++) {
          if (xml[i] === '>') ends.push(xml[i - 1] === '/' ? i - 1 : i);
        }
        if (!ends.length) return xml;
        const at = ends[m.at % ends.length] as number;
        return xml.slice(0, at) + m.space + xml.slice(at);
      });
    case 'charRef':
      return inRegion(xml, m.where, (from, to) => {
        if (to <= from) return xml;
        const at = from + (m.at % (to - from));
        const char = xml[at] as string;
        if (/[<>&]/.test(char)) return xml;
        return `${xml.slice(0, at)}&#x${(char.codePointAt(0) ?? 32).toString(16)};${xml.slice(at + 1)}`;
      });
    case 'cdata': {
      const name = m.where === 'payload' ? 'Text' : 'MessageID';
      return xml.replace(
        new RegExp(`(<(?:[\\w.-]+:)?${name}>)([^<]*)(</)`),
        (_all, open: string, text: string, close: string) => `${open}<![CDATA[${text}]]>${close}`,
      );
    }
    case 'expandEmpty':
      return xml.replace(/<((?:[\w.-]+:)?[\w.-]+)([^<>]*?)\/>/g, '<$1$2></$1>');
    case 'singleQuotes':
      return xml.replace(/ (Id|URI|Algorithm)="([^"']*)"/g, " $1='$2'");
    case 'swapCertificate':
      return xml.replace(
        /(<(?:[\w.-]+:)?X509Certificate>)[^<]*(<)/,
        (_all, open: string, close: string) => `${open}${certificateOf(m.system)}${close}`,
      );
    case 'declaration':
      return m.value + xml.replace(/^<\?xml[^>]*\?>/, '');
    default:
      return applyTreeShape(xml, m);
  }
}
