/**
 * The two ways through the hardened gate: the strict saxes scan before the tree, or the tree built under a watch
 * when cheap checks show the text needs no scan. Which way a text takes, and that both refuse what the gate
 * refuses; the endpoint's refusals are in hardening.test.ts, the agreement of the two ways is fuzzed in
 * test/fuzz/parser.test.ts.
 */
import { expect } from 'chai';
import { GatewayFault } from '../../src/core/faults.js';
import { parseDom, serializeXml } from '../../src/xml/dom.js';
import { guardXml, parseWithinLimits } from '../../src/xml/guard.js';
import { signedCall } from '../support/gateway.js';

const LIMITS = { maxDepth: 4, maxAttributes: 3, maxNodes: 10 };

function refusal(text: string, limits = LIMITS): GatewayFault {
  try {
    parseWithinLimits(text, limits);
  } catch (error) {
    expect(error).to.be.instanceOf(GatewayFault);
    return error as GatewayFault;
  }
  throw new Error(`${text} was accepted`);
}

describe('foundation: the ways through the XML gate', () => {
  it('a signed call is built under the watch alone, into the tree the strict way builds', () => {
    const limits = { maxDepth: 64, maxAttributes: 256, maxNodes: 100_000 };
    const { xml } = signedCall();
    const { doc, strict } = parseWithinLimits(xml, limits);
    expect(strict).to.equal(false);
    guardXml(xml, limits);
    expect(serializeXml(doc)).to.equal(serializeXml(parseDom(xml)));
  });

  it('the watch refuses nesting past the depth limit and any processing instruction, with their place', () => {
    const deep = refusal('<a><b><c><d><e/></d></c></b></a>');
    expect(deep.code).to.equal('XmlTooDeep');
    expect(deep.message).to.contain('line 1');
    expect(parseWithinLimits('<a><b><c><d/></c></b></a>', LIMITS).strict).to.equal(false);
    // An element's end brings the depth back, a self-closing one's too: siblings do not add up.
    expect(parseWithinLimits('<a><b><c/><c/><c/></b><b></b></a>', LIMITS).strict).to.equal(false);
    const instruction = refusal('<a>\n<?evil do-something?></a>');
    expect(instruction.code).to.equal('ForbiddenXmlConstruct');
    expect(instruction.message).to.contain('<?evil?> at line 2');
  });

  it('a plain declaration passes the watch: version 1.0, UTF-8 or none, standalone', () => {
    for (const declaration of [
      '<?xml version="1.0"?>',
      "<?xml version='1.0' encoding='utf-8'?>",
      '<?xml version="1.0" encoding="UTF8" standalone="yes"?>',
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>',
    ]) {
      expect(parseWithinLimits(`${declaration}<a/>`, LIMITS).strict, declaration).to.equal(false);
    }
  });

  it('more "<" than the node limit, or "=" than the attribute limit, take the strict gate first', () => {
    expect(refusal(`<a>${'<b/>'.repeat(10)}</a>`).code).to.equal('TooManyNodes');
    expect(refusal(`<a>${'<!---->'.repeat(10)}</a>`).code).to.equal('TooManyNodes');
    expect(refusal('<a w="1" x="2" y="3" z="4"/>').code).to.equal('TooManyAttributes');
    // Counts only route: a text within the limits is accepted, the strict way.
    const equalsInText = parseWithinLimits('<a x="1">a=b=c=d</a>', LIMITS);
    expect(equalsInText.strict).to.equal(true);
    expect(equalsInText.doc.documentElement?.textContent).to.equal('a=b=c=d');
    expect(parseWithinLimits(`<a><![CDATA[${'<'.repeat(20)}]]></a>`, LIMITS).strict).to.equal(true);
  });

  it('what xmldom would read before a watch could judge it takes the strict gate first', () => {
    expect(refusal('<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>').code).to.equal('DoctypeForbidden');
    expect(refusal('<!doctype a><a/>').code).to.equal('MalformedXml');
    expect(refusal('<a>\u0001</a>').code).to.equal('MalformedXml');
    expect(refusal('<a>\uD800</a>').code).to.equal('MalformedXml');
    expect(refusal('<?xml version="1.1"?><a/>').message).to.contain('XML version 1.1');
    expect(refusal('<?xml version="1.0" encoding="windows-1251"?><a/>').message).to.contain('windows-1251');
    expect(refusal('<?xml-stylesheet href="x.xsl"?><a/>').code).to.equal('ForbiddenXmlConstruct');
    // The same checks only route: a DOCTYPE quoted in a CDATA section is content, and accepted the strict way.
    const quoted = parseWithinLimits('<a><![CDATA[<!DOCTYPE html>]]></a>', LIMITS);
    expect(quoted.strict).to.equal(true);
    expect(quoted.doc.documentElement?.textContent).to.equal('<!DOCTYPE html>');
  });
});
