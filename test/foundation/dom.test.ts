/**
 * `importInto`, the gateway's deep import of a node into another document (xmldom's importNode copies every
 * enumerable property of every node, ten times slower): the copy must be the very tree importNode makes, since
 * imported blocks carry signatures that are checked over their canonical form. And `serializeNode`: the text a
 * tree is written as parses back to the same tree, carriage returns included.
 */
import { expect } from 'chai';
import { DOMImplementation, XMLSerializer } from '@xmldom/xmldom';
import { canonical } from '../../src/signature/transforms.js';
import { importInto, parseDom, serializeNode, serializeXml, type Element } from '../../src/xml/dom.js';

const SOURCE =
  '<p:Block xmlns:p="urn:p" xmlns="urn:default" xmlns:q="urn:q" Id="B" q:kind="x" xml:lang="ru">' +
  '<Item q:n="1">a &amp; b<![CDATA[<raw>]]><!-- note --><?target data?></Item>' +
  '<q:Other xmlns:p="urn:p2"><p:Inner/><Plain xmlns="">text</Plain></q:Other></p:Block>';

function imported(how: 'importNode' | 'importInto', source: Element): Element {
  const doc = new DOMImplementation().createDocument('urn:holder', 'h:Holder', null);
  const holder = doc.documentElement as Element;
  holder.appendChild(how === 'importNode' ? doc.importNode(source, true) : importInto(doc, source));
  return holder.firstChild as Element;
}

describe('foundation: importing a tree into another document', () => {
  it('gives the tree importNode gives: the same serialisation, the same canonical form, owned by the target', () => {
    const source = parseDom(SOURCE).documentElement as Element;
    const ours = imported('importInto', source);
    const theirs = imported('importNode', source);
    const serialized = (e: Element) => new XMLSerializer().serializeToString(e);
    expect(serialized(ours)).to.equal(serialized(theirs));
    expect(canonical(ours)).to.equal(canonical(theirs));
    expect(ours.ownerDocument).to.equal(ours.parentNode?.ownerDocument);
    expect(ours.getAttributeNodeNS('urn:q', 'kind')?.value).to.equal('x');
    expect(ours.getElementsByTagNameNS('urn:p2', 'Inner').length).to.equal(1);
    // The source is left as it was.
    expect(source.ownerDocument?.documentElement).to.equal(source);
  });

  it('copies a tree 20,000 elements deep without running out of stack', () => {
    const deep = `<a>${'<b>'.repeat(20_000)}${'</b>'.repeat(20_000)}</a>`;
    const copy = imported('importInto', parseDom(deep).documentElement as Element);
    let depth = 0;
    for (let node: Element | null = copy; node; node = node.firstChild as Element | null) depth++;
    expect(depth).to.equal(20_001);
  });
});

describe('foundation: serialising a tree so that it parses back to the same tree', () => {
  // A CR written as a reference in text, in a CDATA section and in an attribute; a parser reads a raw CR as LF.
  const SOURCE =
    '<p:Block xmlns:p="urn:p" Id="B" note="a&#13;b&#10;c&#9;d">line 1&#13;\nline 2 &lt;&amp;&gt;' +
    '<p:Item><![CDATA[x\r<y>]]></p:Item><p:Item>no CR here, <![CDATA[nor here]]></p:Item></p:Block>';

  it('keeps carriage returns in text, CDATA sections and attributes, so the canonical form is the same', () => {
    const source = parseDom(SOURCE).documentElement as Element;
    expect(source.textContent).to.contain('line 1\r\nline 2');
    const text = serializeNode(source);
    const again = parseDom(text).documentElement as Element;
    expect(again.textContent).to.equal(source.textContent);
    expect(again.getAttribute('note')).to.equal('a\rb\nc\td');
    expect(canonical(again)).to.equal(canonical(source));
    // Re-serialising what was read back gives the same text: nothing drifts from one relay to the next.
    expect(serializeNode(again)).to.equal(text);
    // What xmldom alone writes loses the CR (the reason serializeNode exists).
    const plain = parseDom(new XMLSerializer().serializeToString(source)).documentElement as Element;
    expect(canonical(plain)).to.not.equal(canonical(source));
  });

  it('writes text and CDATA without a CR as xmldom does, and a whole document with its declaration', () => {
    const doc = parseDom('<?xml version="1.0" encoding="UTF-8"?><a b="1">t &amp; <![CDATA[c]]></a>');
    expect(serializeNode(doc)).to.equal(new XMLSerializer().serializeToString(doc));
    expect(serializeXml(parseDom('<a>x&#13;</a>'))).to.equal(
      '<?xml version="1.0" encoding="UTF-8"?><a>x&#xD;</a>',
    );
  });
});
