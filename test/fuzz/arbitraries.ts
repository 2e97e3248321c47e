/**
 * Generators of hostile input: arbitrary strings, XML-ish token soups, and edits of valid messages. Edits keep
 * their positions as plain numbers taken modulo the text's length when applied, so fast-check shrinks them
 * towards small edits at the start of the text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { NS } from '../../src/soap/namespaces.js';

/** Characters that break parsers and encoders in different ways. */
export const ODD_UNICODE = [
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000b',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u202e',
  '\u200b',
  '\u200d',
  '\ufeff',
  '\ufffe',
  '\uffff',
  '\ud800',
  '\udfff',
  '\ud83d\ude00',
  'e\u0301',
  '\uff11\uff12',
  '\u0664\u0667',
  '\u0130',
  '\u1e9e',
  '\r\n',
  '\r',
  '\t',
  ' ',
  ']]>',
  '&',
  '<',
  '>',
  '"',
  "'",
];

/** Fragments of XML syntax, well-formed or not, that recombine into near-XML. */
export const XML_TOKENS = [
  '<',
  '>',
  '</',
  '/>',
  '=',
  '"',
  "'",
  '<a>',
  '</a>',
  '<a/>',
  '<a b="c">',
  '<p:a xmlns:p="urn:p">',
  '</p:a>',
  '<q:a>',
  ' xmlns="urn:d"',
  ' xmlns=""',
  ' xmlns:p="urn:p"',
  ' xmlns:p=""',
  ' xmlns:xml="urn:x"',
  ' xml:lang="en"',
  ' Id="SIGNED_BY_CONSUMER"',
  ' a="1" a="2"',
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<?xml version="1.1"?>',
  '<?xml version="1.0" encoding="UTF-16"?>',
  '<?pi data?>',
  '<!-- c -->',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<![CDATA[x]]>',
  '<!DOCTYPE a>',
  '<!DOCTYPE a [<!ENTITY e "x">]>',
  '<!ENTITY e SYSTEM "file:///etc/passwd">',
  '&e;',
  '&amp;',
  '&lt;',
  '&#x41;',
  '&#0;',
  '&#x110000;',
  '&#65;',
  '&#xD800;',
  '&',
  `<soap:Envelope xmlns:soap="${NS.soap11}">`,
  `<soap:Envelope xmlns:soap="${NS.soap12}">`,
  '</soap:Envelope>',
  '<soap:Header>',
  '</soap:Header>',
  '<soap:Body>',
  '</soap:Body>',
  `<sync:CallRequest xmlns:sync="${NS.sync}">`,
  '</sync:CallRequest>',
  `<ns2:SenderProvidedRequestData xmlns:ns2="${NS.types}" Id="SIGNED_BY_CONSUMER">`,
  '</ns2:SenderProvidedRequestData>',
  '<ns2:MessageID>',
  '</ns2:MessageID>',
  `<ds:Signature xmlns:ds="${NS.ds}">`,
  '</ds:Signature>',
  'soap:mustUnderstand="1"',
  '\n',
  ' ',
  '\t',
];

const oddUnicode = fc.constantFrom(...ODD_UNICODE);
const xmlToken = fc.constantFrom(...XML_TOKENS);

/** A short piece of text to insert: a token, an odd character, or a few arbitrary code units. */
export const snippet: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: xmlToken },
  { weight: 2, arbitrary: oddUnicode },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 6 }) },
);

/** Arbitrary strings of every sort: ASCII, any code point, lone surrogates. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom(...ODD_UNICODE), maxLength: 50 }),
);

/** Token soup: XML syntax fragments, names and odd characters strung together. */
export const tokenSoup: fc.Arbitrary<string> = fc
  .array(fc.oneof({ weight: 5, arbitrary: xmlToken }, { weight: 1, arbitrary: snippet }), {
    maxLength: 60,
  })
  .map((parts) => parts.join(''));

export type TextEdit =
  | { readonly op: 'insert'; readonly at: number; readonly text: string }
  | { readonly op: 'delete'; readonly at: number; readonly length: number }
  | { readonly op: 'replace'; readonly at: number; readonly length: number; readonly text: string }
  | { readonly op: 'duplicate'; readonly at: number; readonly length: number }
  | { readonly op: 'truncate'; readonly at: number };

const position = fc.nat();
const span = fc.integer({ min: 1, max: 64 });

export const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: position, text: snippet }),
  fc.record({ op: fc.constant('delete' as const), at: position, length: span }),
  fc.record({ op: fc.constant('replace' as const), at: position, length: span, text: snippet }),
  fc.record({ op: fc.constant('duplicate' as const), at: position, length: span }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
);

/** Apply an edit inside [from, to) of `text` (the whole text when the range is not given). */
export function applyTextEdit(text: string, edit: TextEdit, from = 0, to = text.length): string {
  const width = to - from;
  const at = from + (edit.at % (width + 1));
  const end = (length: number) => Math.min(to, at + length);
  switch (edit.op) {
    case 'insert':
      return text.slice(0, at) + edit.text + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(end(edit.length));
    case 'replace':
      return text.slice(0, at) + edit.text + text.slice(end(edit.length));
    case 'duplicate':
      return (
        text.slice(0, end(edit.length)) + text.slice(at, end(edit.length)) + text.slice(end(edit.length))
      );
    case 'truncate':
      return text.slice(0, at);
  }
}

/** The committed valid example messages: the contract fixtures and the signature attack corpus. */
export function exampleMessages(): string[] {
  const read = (dir: string, keep: (name: string) => boolean) =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.xml') && keep(name))
      .sort()
      .map((name) => readFileSync(join(dir, name), 'utf8'));
  return [
    ...read('test/fixtures/contract', (name) => name.startsWith('valid-')),
    ...read('test/fixtures/attacks', () => true),
  ];
}

/** The business payloads in `examples/`, by service (ping, certificates, cards, tests). */
export function examplePayloads(): Record<string, string[]> {
  const read = (dir: string) =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.xml'))
      .sort()
      .map((name) => readFileSync(join(dir, name), 'utf8').trim());
  return {
    ping: [readFileSync('examples/ping.xml', 'utf8').trim()],
    certificates: read('examples/certificates'),
    cards: read('examples/cards'),
    tests: read('examples/tests'),
  };
}

interface XmlNode {
  readonly prefix: string;
  readonly name: string;
  readonly declare: boolean;
  readonly uri: string;
  readonly attributes: ReadonlyArray<readonly [string, string]>;
  readonly children: ReadonlyArray<XmlNode | string>;
}

const PREFIXES = ['', '', 'a', 'soap', 'ns2', 'ns3', 'ds', 'xml', 'xmlns'];
const URIS = [NS.soap11, NS.soap12, NS.types, NS.basic, NS.sync, NS.ds, 'urn:p', ''];
const ATTRIBUTE_NAMES = ['Id', 'id', 'a', 'b:c', 'xmlns', 'xmlns:a', 'xml:lang', 'soap:mustUnderstand'];

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function render(node: XmlNode | string): string {
  if (typeof node === 'string') return node;
  const qname = node.prefix ? `${node.prefix}:${node.name}` : node.name;
  const declaration = node.declare
    ? node.prefix
      ? ` xmlns:${node.prefix}="${node.uri}"`
      : ` xmlns="${node.uri}"`
    : '';
  const attributes = node.attributes.map(([name, value]) => ` ${name}="${escapeText(value)}"`).join('');
  const content = node.children.map(render).join('');
  return `<${qname}${declaration}${attributes}>${content}</${qname}>`;
}

/**
 * Random element trees with random prefixes, namespace declarations (sometimes missing, sometimes illegal),
 * attributes, text, comments and CDATA: mostly well-formed XML whose namespaces are wrong in many ways.
 */
export const xmlDocument: fc.Arbitrary<string> = fc
  .letrec<{ node: XmlNode; child: XmlNode | string }>((tie) => ({
    node: fc.record({
      prefix: fc.constantFrom(...PREFIXES),
      name: fc.constantFrom('Envelope', 'Header', 'Body', 'CallRequest', 'SenderProvidedRequestData', 'x'),
      declare: fc.boolean(),
      uri: fc.constantFrom(...URIS),
      attributes: fc.array(fc.tuple(fc.constantFrom(...ATTRIBUTE_NAMES), fc.string({ maxLength: 8 })), {
        maxLength: 3,
      }),
      children: fc.array(tie('child'), { maxLength: 4 }),
    }),
    child: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string({ maxLength: 10 }).map(escapeText),
      fc.constantFrom('<!-- c -->', '<![CDATA[<x>]]>', '&#x41;', '&amp;', ' '),
      tie('node'),
    ),
  }))
  .node.map((root) => `<?xml version="1.0" encoding="UTF-8"?>${render(root)}`);
