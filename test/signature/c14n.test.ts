/**
 * Exclusive c14n as the gateway runs it (src/signature/c14n.ts): namespace URIs and attribute values escaped as
 * the specification requires, every attribute but namespace declarations kept, code-point order. Each case is
 * checked against libxml2's own exclusive c14n (`xmllint --exc-c14n`), and the namespace case as the attack it
 * stops: two trees that differ in an element's namespace must not share a canonical form.
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { canonical } from '../../src/signature/transforms.js';
import { parseDom, type Element } from '../../src/xml/dom.js';

function xmllintExcC14n(xml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'c14n-'));
  try {
    const file = join(dir, 'in.xml');
    writeFileSync(file, xml);
    return execFileSync('xmllint', ['--exc-c14n', file]).toString('utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const root = (xml: string) => parseDom(xml).documentElement as Element;

/**
 * What xmlsec1 digests for the element with Id="t" under exclusive c14n with an InclusiveNamespaces `prefixList`
 * (its pre-digest data, signing a Reference to it). libxml2's c14n applied by xmlsec1 to the node set; python's
 * lxml is no peer here: it drops a prefix its document does not spell, `#default` among them.
 */
function xmlsec1ExcC14n(xml: string, prefixList: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'c14n-'));
  try {
    const template =
      '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>' +
      '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>' +
      '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>' +
      '<ds:Reference URI="#t"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#">' +
      `<ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="${prefixList}"/>` +
      '</ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>' +
      '<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature>';
    const file = join(dir, 'in.xml');
    writeFileSync(file, xml.replace(/(<\/[\w:]+>)$/, `${template}$1`));
    const target = targetOf(xml);
    const run = spawnSync(
      process.env.XMLSEC1 ?? 'xmlsec1',
      [
        '--sign',
        '--privkey-pem',
        'certs-sample/DEMO_CONSUMER.key.pem',
        '--id-attr:Id',
        target.namespaceURI ? `${target.namespaceURI}:${target.localName}` : (target.localName ?? ''),
        '--store-references',
        '--output',
        join(dir, 'out.xml'),
        file,
      ],
      { encoding: 'utf8' },
    );
    const data = /PreDigest data - start buffer:\n([^]*?)\n== PreDigest data - end buffer/.exec(run.stdout);
    if (run.status !== 0 || !data?.[1]) throw new Error(`xmlsec1: ${run.stderr}${run.error?.message ?? ''}`);
    return data[1];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function targetOf(xml: string): Element {
  const all = parseDom(xml).getElementsByTagNameNS('*', '*');
  for (let i = 0; i < all.length; i++)
    if (all.item(i)?.getAttribute('Id') === 't') return all.item(i) as Element;
  throw new Error('no element with Id="t"');
}

describe('exclusive c14n', () => {
  // libxml2 refuses namespace names that are not URIs, so these are written out by the rules of c14n (a
  // namespace node is rendered as an attribute: & < " tab LF CR escaped).
  const byTheRules: Array<[string, string, string]> = [
    [
      'a quote in a namespace URI',
      '<p:A xmlns:p="urn:x&quot;y"><p:B/></p:A>',
      '<p:A xmlns:p="urn:x&quot;y"><p:B></p:B></p:A>',
    ],
    [
      'a quote in the default namespace URI',
      '<A xmlns="urn:x&quot;y"><B/></A>',
      '<A xmlns="urn:x&quot;y"><B></B></A>',
    ],
    [
      '& and < in a namespace URI',
      '<p:A xmlns:p="urn:x&amp;y&lt;z"/>',
      '<p:A xmlns:p="urn:x&amp;y&lt;z"></p:A>',
    ],
    [
      'tab, LF and CR in a namespace URI',
      '<p:A xmlns:p="urn:x&#x9;&#xA;&#xD;y"/>',
      '<p:A xmlns:p="urn:x&#x9;&#xA;&#xD;y"></p:A>',
    ],
    [
      'non-ASCII names, values and namespace URIs',
      '<Ж:А xmlns:Ж="urn:ж" ё="Ё">текст</Ж:А>',
      '<Ж:А xmlns:Ж="urn:ж" ё="Ё">текст</Ж:А>',
    ],
  ];
  for (const [name, xml, expected] of byTheRules) {
    it(`${name}: escaped as an attribute value`, () => {
      expect(canonical(root(xml))).to.equal(expected);
    });
  }

  const cases: Array<[string, string]> = [
    ['an attribute whose name begins with xmlns', '<A xmlnsX="kept" xmlns-y="kept too"/>'],
    ['attributes in code-point order (upper case before lower case)', '<A b="1" B="2" a="3" _="4"/>'],
    [
      'namespaced attributes by URI, then local name, after the unqualified ones',
      '<A xmlns:z="urn:a" xmlns:y="urn:b" y:a="1" z:b="2" z:a="3" c="4"/>',
    ],
    [
      'namespace URIs that share a prefix of their text',
      '<A xmlns:p="urn:ab" xmlns:q="urn:a" q:bc="1" p:c="2"/>',
    ],
    ['attribute values with every escaped character', '<A v="&amp;&lt;&gt;&quot;&#x9;&#xA;&#xD;\'"/>'],
    ['text with every escaped character', '<A>&amp;&lt;&gt;&#xD;"\'</A>'],
    ['non-ASCII names and values', '<Ж:А xmlns:Ж="http://example.org/zh" ё="Ё">текст</Ж:А>'],
    ['an element leaving the default namespace', '<A xmlns="urn:d"><B xmlns=""><C/></B></A>'],
    [
      'a default namespace and a prefix for the same URI',
      '<A xmlns="urn:d" xmlns:p="urn:d"><p:B p:c="1"/></A>',
    ],
    [
      'a prefix rebound in a child and back in a grandchild',
      '<p:A xmlns:p="urn:1"><p:B xmlns:p="urn:2"><p:C xmlns:p="urn:1"/></p:B><q:D xmlns:q="urn:1" q:a="x"/></p:A>',
    ],
    ['siblings each declaring what they use', '<A><p:B xmlns:p="urn:1"/><p:C xmlns:p="urn:1" p:a="1"/></A>'],
    ['processing instructions inside the element', '<A><?pi  some data?><?empty?></A>'],
    ['CDATA sections, an empty one too', '<A><![CDATA[x<y>&]]><![CDATA[]]>z</A>'],
  ];
  for (const [name, xml] of cases) {
    it(`${name}: as libxml2 writes it`, () => {
      expect(canonical(root(xml))).to.equal(xmllintExcC14n(xml));
    });
  }

  // Exclusive XML Canonicalization 1.0, section 3: a listed prefix's namespace is rendered as inclusive c14n
  // renders it, used or not: on the apex when in scope there (declared on an ancestor outside the subtree too),
  // below it where it is declared anew with another URI. `#default` is the default namespace.
  const inclusiveCases: Array<[string, string, string]> = [
    [
      'a prefix in scope from an ancestor, not visibly used',
      'sync',
      '<r:Root xmlns:r="urn:r" xmlns:sync="urn:sync"><r:A Id="t"><r:B>t</r:B></r:A></r:Root>',
    ],
    [
      'a listed prefix declared again below the apex, with another URI and with the same',
      'sync',
      '<r:Root xmlns:r="urn:r" xmlns:sync="urn:sync"><r:A Id="t"><r:B xmlns:sync="urn:other"><r:C xmlns:sync="urn:other"/></r:B><r:D xmlns:sync="urn:sync"/></r:A></r:Root>',
    ],
    [
      '#default in scope at a prefixed apex, left by a child',
      '#default',
      '<Root xmlns="urn:d"><p:A xmlns:p="urn:p" Id="t"><B xmlns=""/><p:C/></p:A></Root>',
    ],
    [
      '#default changed and left by prefixed descendants',
      '#default',
      '<Root xmlns="urn:d"><p:A xmlns:p="urn:p" Id="t"><p:B xmlns="urn:e"><p:C xmlns=""/></p:B></p:A></Root>',
    ],
    [
      '#default and a visibly used prefix',
      '#default p',
      '<Root xmlns="urn:d"><p:A xmlns:p="urn:p" Id="t"><B/></p:A></Root>',
    ],
    [
      'a prefix declared only below the apex, and one in scope nowhere',
      'q zz',
      '<Root><p:A xmlns:p="urn:p" Id="t"><p:B xmlns:q="urn:q"><p:C/></p:B></p:A></Root>',
    ],
    [
      'a prefix used only in a QName attribute value',
      't',
      '<Root xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:t="urn:t"><p:A xmlns:p="urn:p" Id="t" xsi:type="t:T"/></Root>',
    ],
    [
      'xml listed (never rendered)',
      'xml t p',
      '<Root xmlns:t="urn:t"><p:A xmlns:p="urn:p" Id="t" xml:lang="ru"/></Root>',
    ],
    [
      'an unprefixed apex, a prefixed child leaving the default namespace',
      '#default t',
      '<Root xmlns="urn:d" xmlns:t="urn:t"><A Id="t"><t:B xmlns=""><C/></t:B></A></Root>',
    ],
    [
      'several listed prefixes, one redeclared below',
      '#default a b',
      '<Root xmlns="urn:d" xmlns:a="urn:a" xmlns:b="urn:b"><A Id="t"><x:B xmlns:x="urn:x" xmlns:a="urn:a2"><C xmlns="urn:d"/></x:B></A></Root>',
    ],
  ];
  for (const [name, prefixList, xml] of inclusiveCases) {
    it(`InclusiveNamespaces PrefixList="${prefixList}", ${name}: as xmlsec1 digests it`, () => {
      const ours = canonical(targetOf(xml), prefixList.split(' '));
      expect(ours).to.equal(xmlsec1ExcC14n(xml, prefixList));
      // In every case the list changes what is signed.
      expect(ours === canonical(targetOf(xml))).to.equal(false);
    });
  }

  it('a namespace moved through a character reference no longer shares the canonical form (the attack)', () => {
    // The signed element: A in urn:x, with an attribute in urn:y.
    const signed = '<p:A xmlns:p="urn:x" xmlns:q="urn:y" q:z="1"/>';
    // The forgery: A moved into another namespace, whose URI spells the rest of the signed start tag.
    const moved = '<p:A xmlns:p="urn:x&quot; xmlns:q=&quot;urn:y&quot; q:z=&quot;1"/>';
    expect(root(moved).namespaceURI).to.not.equal(root(signed).namespaceURI);
    // xml-crypto's own canonicalisation writes the URI unescaped: the two trees read alike.
    const plain = new ExclusiveCanonicalization();
    expect(plain.process(root(moved) as never, {})).to.equal(plain.process(root(signed) as never, {}));
    // The gateway's does not.
    expect(canonical(root(moved))).to.not.equal(canonical(root(signed)));
    expect(canonical(root(moved))).to.equal(
      '<p:A xmlns:p="urn:x&quot; xmlns:q=&quot;urn:y&quot; q:z=&quot;1"></p:A>',
    );
  });

  it('an attribute named like a namespace declaration is signed, not dropped', () => {
    const a = canonical(root('<A xmlnsX="1"/>'));
    const b = canonical(root('<A xmlnsX="2"/>'));
    expect(a).to.not.equal(b);
  });

  it('costs about what parsing costs, however many namespaces a deep element holds over many children', () => {
    // Each level uses 120 namespaces of its own (an attribute in each), then 60,000 children sit at the bottom. A
    // walk that copies and searches the namespaces in scope for every child costs seconds here; a signature check
    // reaches c14n with any trusted certificate, before the signature value is known to be good.
    let open = '';
    let close = '';
    let n = 0;
    for (let level = 0; level < 56; level++) {
      let attributes = '';
      for (let i = 0; i < 120; i++, n++) attributes += ` xmlns:p${n}="urn:${n}" p${n}:a="1"`;
      open += `<p${n - 1}:e${attributes}>`;
      close = `</p${n - 1}:e>${close}`;
    }
    const xml = `${open}${'<p0:x/>'.repeat(60_000)}${close}`;
    let started = performance.now();
    const doc = parseDom(xml);
    const parseMs = performance.now() - started;
    started = performance.now();
    const text = canonical(doc.documentElement as Element);
    const c14nMs = performance.now() - started;
    expect(text.endsWith('</p119:e>')).to.equal(true);
    expect(c14nMs).to.be.below(Math.max(3 * parseMs, 300));
  });
});
