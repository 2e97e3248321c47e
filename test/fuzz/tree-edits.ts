/**
 * Structural edits of a well-formed message: drop, duplicate, reorder, move, wrap, rename or re-namespace an
 * element, replace its text with hostile strings, add attributes and comments. Each edit names its element by a
 * number taken modulo the count of elements (in document order), so the result stays well-formed XML and gets
 * past the parser to the envelope reader, the schema and the providers.
 */
import { DOMParser, XMLSerializer, type Document, type Element } from '@xmldom/xmldom';
import fc from 'fast-check';
import { NS } from '../../src/soap/namespaces.js';
import { ODD_UNICODE, anyString, applyTextEdit, textEdit as rawTextEdit } from './arbitraries.js';

export type TreeEdit =
  | { readonly op: 'drop'; readonly at: number }
  | { readonly op: 'duplicate'; readonly at: number }
  | { readonly op: 'swap'; readonly at: number }
  | { readonly op: 'move'; readonly at: number; readonly to: number }
  | { readonly op: 'wrap'; readonly at: number; readonly name: string; readonly uri: string }
  | { readonly op: 'rename'; readonly at: number; readonly name: string }
  | { readonly op: 'namespace'; readonly at: number; readonly uri: string }
  | { readonly op: 'text'; readonly at: number; readonly text: string }
  | { readonly op: 'attribute'; readonly at: number; readonly name: string; readonly value: string }
  | { readonly op: 'comment'; readonly at: number; readonly text: string };

/** Local names the schemas know, so a rename often lands on another valid-looking element. */
const KNOWN_NAMES = [
  'Envelope',
  'Header',
  'Body',
  'CallRequest',
  'SenderProvidedRequestData',
  'MessageID',
  'ReferenceMessageID',
  'TransactionCode',
  'MessagePrimaryContent',
  'TestMessage',
  'CallerInformationSystemSignature',
  'Signature',
  'SignedInfo',
  'Reference',
  'PingRequest',
  'Text',
  'CertificateStatusRequest',
  'CertificateNumber',
  'QrPayload',
  'WorkPostingRequest',
  'DailyRegistryRequest',
  'Transaction',
  'Cost',
  'CardStatusRequest',
  'CardRegistrationRequest',
  'Holder',
  'Pan',
  'Snils',
  'Reason',
  'SocialCardId',
  'EntryCheckRequest',
  'VenueCode',
  'PersonalToken',
  'Phone',
  'Code',
  'PositiveResultRequest',
  'Record',
  'ResultDate',
  'Withdraw',
];

const NAMESPACES = [
  NS.types,
  NS.basic,
  NS.sync,
  NS.ds,
  NS.soap11,
  NS.soap12,
  'urn://smev-gateway/services/ping/1.0',
  'urn://smev-gateway/services/certificates/1.0',
  'urn://smev-gateway/services/cards/1.0',
  'urn://smev-gateway/services/tests/1.0',
  'urn://example.test/other',
  '',
];

/** Values that sit on the edges of the schemas' types: numbers, dates, identifiers, tokens. */
const EDGE_VALUES = [
  '',
  ' ',
  '0',
  '-1',
  '+1',
  '00000000000000000001',
  '9007199254740991',
  '9007199254740993',
  '9223372036854775807',
  '9223372036854775808',
  '99999999999999999999999999',
  '1e3',
  '0x10',
  'NaN',
  'Infinity',
  ' 12 ',
  '2026-02-30',
  '2026-13-01',
  '0000-01-01',
  '9999-12-31',
  '-2026-01-01',
  '2026-1-1',
  '2026-01-01Z',
  '2026-01-01+14:00',
  '2026-01-01T00:00:00',
  'e4d1e8b0-e739-11f1-b571-8f91a6a0ebca',
  '00000000-0000-1000-8000-000000000000',
  'ffffffff-ffff-1fff-bfff-ffffffffffff',
  '470000000013',
  '2200700000000017',
  '987-654-321 83',
  '+79000000000',
  'SGC1:470000000013:37',
  'SGC1:::',
  'REG-1027700000020',
  '\u0664\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0661\u0663',
  '\uff14\uff17\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff11\uff13',
];

const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_VALUES) },
  { weight: 3, arbitrary: anyString },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...ODD_UNICODE), maxLength: 30 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('9', 'a', 'Я', ' ', '\u00a0', '\ud83d\ude00', '&', '<'),
        fc.integer({ min: 1, max: 200_000 }),
      )
      .map(([unit, times]) => unit.repeat(times)),
  },
);

const name = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...KNOWN_NAMES) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,12}$/) },
);
const at = fc.nat();

/** An element's text replaced by a hostile string: the edit that most often still passes the schema. */
export const textEdit: fc.Arbitrary<TreeEdit> = fc.record({
  op: fc.constant('text' as const),
  at,
  text: hostileText,
});

export const treeEdit: fc.Arbitrary<TreeEdit> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at }),
  fc.record({ op: fc.constant('duplicate' as const), at }),
  fc.record({ op: fc.constant('swap' as const), at }),
  fc.record({ op: fc.constant('move' as const), at, to: fc.nat() }),
  fc.record({ op: fc.constant('wrap' as const), at, name, uri: fc.constantFrom(...NAMESPACES) }),
  fc.record({ op: fc.constant('rename' as const), at, name }),
  fc.record({ op: fc.constant('namespace' as const), at, uri: fc.constantFrom(...NAMESPACES) }),
  { weight: 3, arbitrary: textEdit },
  fc.record({
    op: fc.constant('attribute' as const),
    at,
    name: fc.constantFrom('Id', 'ID', 'id', 'xmlns', 'xmlns:ns2', 'mustUnderstand', 'a', 'xml:lang'),
    value: hostileText,
  }),
  fc.record({ op: fc.constant('comment' as const), at, text: fc.string({ maxLength: 10 }) }),
);

/**
 * Parse with xmldom, leniently: the edits need a tree. Undefined when even that fails (an earlier edit broke the
 * text): then the edit leaves the text as it is.
 */
export function parseTree(xml: string): Document | undefined {
  try {
    return new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml');
  } catch {
    return undefined;
  }
}

export function serializeTree(doc: Document): string {
  return new XMLSerializer().serializeToString(doc);
}

/** Apply the edits in turn to the elements of `root` (the root itself is never dropped or duplicated). */
export function applyTreeEdits(doc: Document, root: Element, edits: readonly TreeEdit[]): void {
  for (const edit of edits) {
    const all = [root, ...Array.from(root.getElementsByTagName('*'))];
    const pick = (n: number) => all[n % all.length] as Element;
    const target = pick(edit.at);
    const inner = target !== root;
    const parent = target.parentNode;
    switch (edit.op) {
      case 'drop':
        if (inner) parent?.removeChild(target);
        break;
      case 'duplicate':
        if (inner) parent?.insertBefore(target.cloneNode(true), target.nextSibling);
        break;
      case 'swap': {
        let previous = target.previousSibling;
        while (previous && previous.nodeType !== 1) previous = previous.previousSibling;
        if (inner && previous) parent?.insertBefore(target, previous);
        break;
      }
      case 'move': {
        const destination = pick(edit.to);
        // Never into itself or its own content.
        let inside = false;
        for (let node: typeof destination.parentNode = destination; node; node = node.parentNode) {
          inside ||= node === target;
        }
        if (inner && !inside) destination.appendChild(target);
        break;
      }
      case 'wrap':
        if (inner) {
          const wrapper = doc.createElementNS(edit.uri || null, edit.uri ? `w:${edit.name}` : edit.name);
          parent?.replaceChild(wrapper, target);
          wrapper.appendChild(target);
        }
        break;
      case 'rename':
      case 'namespace': {
        const uri = edit.op === 'namespace' ? edit.uri : target.namespaceURI;
        const local = edit.op === 'rename' ? edit.name : (target.localName ?? 'x');
        const qualified = uri ? `${target.prefix ?? 'r'}:${local}` : local;
        const replacement = doc.createElementNS(uri || null, qualified);
        for (const attr of Array.from(target.attributes)) {
          replacement.setAttributeNS(attr.namespaceURI, attr.name, attr.value);
        }
        while (target.firstChild) replacement.appendChild(target.firstChild);
        if (parent) parent.replaceChild(replacement, target);
        break;
      }
      case 'text':
        target.textContent = edit.text;
        break;
      case 'attribute':
        if (edit.name.startsWith('xmlns')) {
          target.setAttributeNS('http://www.w3.org/2000/xmlns/', edit.name, edit.value);
        } else if (edit.name.startsWith('xml:')) {
          target.setAttributeNS('http://www.w3.org/XML/1998/namespace', edit.name, edit.value);
        } else {
          target.setAttribute(edit.name, edit.value);
        }
        break;
      case 'comment':
        target.insertBefore(doc.createComment(edit.text.replace(/-/g, '_')), target.firstChild);
        break;
    }
  }
}

/** A whole message with its tree edited, serialised again. */
export function editMessage(xml: string, edits: readonly TreeEdit[]): string {
  const doc = parseTree(xml);
  const root = doc?.documentElement;
  if (!doc || !root) return xml;
  applyTreeEdits(doc, root, edits);
  return serializeTree(doc);
}

/** One example message with a few tree edits and a few text edits applied in turn (at least one edit). */
export function mutatedMessage(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(treeEdit, { maxLength: 4 }),
      fc.array(rawTextEdit, { maxLength: 2 }),
    )
    .filter(([, tree, text]) => tree.length + text.length > 0)
    .map(([seed, tree, text]) =>
      text.reduce((xml, edit) => applyTextEdit(xml, edit), tree.length ? editMessage(seed, tree) : seed),
    );
}
