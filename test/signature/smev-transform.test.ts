import { createHash, generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { DOMParser } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import { ExclusiveCanonicalization, SignedXml } from 'xml-crypto';
import {
  SMEV_TRANSFORM_URI,
  SmevTransformAlgorithm,
  registerSmevTransform,
  smevTransform,
  smevTransformNode,
} from '../../src/signature/smev-transform.js';

const TYPES = 'urn://x-artefacts-smev-gov-ru/services/message-exchange/types/1.1';
const BASIC = 'urn://x-artefacts-smev-gov-ru/services/message-exchange/types/basic/1.1';
const CERTS = 'urn://smev-gateway/services/certificates/1.0';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';

describe('smevTransform', () => {
  describe('one rule per case', () => {
    it('numbers prefixes ns1, ns2, … in order of first use, whatever the source prefixes and declaration order', () => {
      // urn:b is declared first on the root but first used by Child, so urn:a (the root's) is ns1, urn:b ns2;
      // Leaf reuses ns1 from its ancestor.
      const input = '<a:Root xmlns:b="urn:b" xmlns:a="urn:a"><b:Child><a:Leaf>x</a:Leaf></b:Child></a:Root>';
      expect(smevTransform(input)).to.equal(
        '<ns1:Root xmlns:ns1="urn:a"><ns2:Child xmlns:ns2="urn:b"><ns1:Leaf>x</ns1:Leaf></ns2:Child></ns1:Root>',
      );
    });

    it('drops unused declarations and declares a namespace where it is first needed', () => {
      // urn:unused is never used: gone. urn:b is declared on the root but used only by Deep: declared there.
      const input =
        '<a:Root xmlns:a="urn:a" xmlns:b="urn:b" xmlns:unused="urn:unused"><a:Mid><b:Deep/></a:Mid></a:Root>';
      expect(smevTransform(input)).to.equal(
        '<ns1:Root xmlns:ns1="urn:a"><ns1:Mid><ns2:Deep xmlns:ns2="urn:b"></ns2:Deep></ns1:Mid></ns1:Root>',
      );
    });

    it('gives default-namespace elements a prefix', () => {
      // The default namespace becomes ns1; no xmlns="…" is written.
      expect(smevTransform('<Root xmlns="urn:d"><Child/></Root>')).to.equal(
        '<ns1:Root xmlns:ns1="urn:d"><ns1:Child></ns1:Child></ns1:Root>',
      );
    });

    it('merges two source prefixes for one URI into the prefix already declared in the output', () => {
      // b is another name for urn:x, which the output already declares as ns1 on the parent.
      expect(smevTransform('<a:Root xmlns:a="urn:x"><b:Child xmlns:b="urn:x"/></a:Root>')).to.equal(
        '<ns1:Root xmlns:ns1="urn:x"><ns1:Child></ns1:Child></ns1:Root>',
      );
    });

    it('re-declares a URI in a sibling subtree under the next number (the counter never goes back)', () => {
      // urn:s is declared on X (ns2); X's declaration is not visible in B's subtree, so Y declares urn:s again,
      // and, as in SMEV's SmevTransformSpi, the counter goes on: ns3, not ns2.
      const input =
        '<r:Root xmlns:r="urn:r" xmlns:s="urn:s"><r:A><s:X>1</s:X></r:A><r:B><s:Y>2</s:Y></r:B></r:Root>';
      expect(smevTransform(input)).to.equal(
        '<ns1:Root xmlns:ns1="urn:r">' +
          '<ns1:A><ns2:X xmlns:ns2="urn:s">1</ns2:X></ns1:A>' +
          '<ns1:B><ns3:Y xmlns:ns3="urn:s">2</ns3:Y></ns1:B>' +
          '</ns1:Root>',
      );
    });

    it('orders attributes: namespaced by URI then local name, then plain ones by local name; declarations first', () => {
      // Sorted namespaced attributes: urn:a c, urn:a m, urn:e q, urn:z k; then plain A before b (code units).
      // Declarations: the element's own (urn:e → ns1), then the attributes' in that order: urn:a → ns2,
      // urn:e already ns1, urn:z → ns3.
      const input =
        '<e:El xmlns:e="urn:e" xmlns:z="urn:z" xmlns:a="urn:a" z:k="1" b="2" a:m="3" A="4" a:c="5" e:q="6"/>';
      expect(smevTransform(input)).to.equal(
        '<ns1:El xmlns:ns1="urn:e" xmlns:ns2="urn:a" xmlns:ns3="urn:z" ' +
          'ns2:c="5" ns2:m="3" ns1:q="6" ns3:k="1" A="4" b="2"></ns1:El>',
      );
    });

    it('reuses an ancestor declaration for an attribute namespace', () => {
      // urn:a is declared for the root's attribute; the child's attribute in urn:a needs no new declaration.
      const input = '<e:R xmlns:e="urn:e" xmlns:a="urn:a" a:x="1"><e:C a:y="2"/></e:R>';
      expect(smevTransform(input)).to.equal(
        '<ns1:R xmlns:ns1="urn:e" xmlns:ns2="urn:a" ns2:x="1"><ns1:C ns2:y="2"></ns1:C></ns1:R>',
      );
    });

    it('sorts names by UTF-16 code units, as Java String.compareTo in the reference implementation does', () => {
      // U+FF61 < U+10000 by code point, but U+10000 is the surrogate pair D800 DC00, which sorts before FF61.
      const input = '<e:R xmlns:e="urn:e" a\uFF61="1" a\u{10000}="2"/>';
      expect(smevTransform(input)).to.equal('<ns1:R xmlns:ns1="urn:e" a\u{10000}="2" a\uFF61="1"></ns1:R>');
    });

    it('treats an xml: attribute like any namespaced attribute, as the reference implementation does', () => {
      const input = '<e:R xmlns:e="urn:e" xml:lang="ru"/>';
      expect(smevTransform(input)).to.equal(
        '<ns1:R xmlns:ns1="urn:e" xmlns:ns2="http://www.w3.org/XML/1998/namespace" ns2:lang="ru"></ns1:R>',
      );
    });

    it('drops whitespace-only text and keeps other text exactly, leading and inner spaces included', () => {
      // The indentation and the blank C go; B keeps its spaces; mixed content keeps " tail"; NBSP is not XML
      // whitespace, so an NBSP-only text stays.
      const input =
        '<a:R xmlns:a="urn:a">\n  <a:B>  text  with spaces </a:B>\n\t<a:C> \r\n </a:C>\n' +
        '  <a:M>mixed <a:I>inner</a:I> tail</a:M><a:N>\u00A0</a:N>\n</a:R>';
      expect(smevTransform(input)).to.equal(
        '<ns1:R xmlns:ns1="urn:a"><ns1:B>  text  with spaces </ns1:B><ns1:C></ns1:C>' +
          '<ns1:M>mixed <ns1:I>inner</ns1:I> tail</ns1:M><ns1:N>\u00A0</ns1:N></ns1:R>',
      );
    });

    it('writes every element as a start and an end tag', () => {
      // Both <E/> and <F></F> come out as <…></…>.
      expect(smevTransform('<a:R xmlns:a="urn:a"><a:E/><a:F></a:F></a:R>')).to.equal(
        '<ns1:R xmlns:ns1="urn:a"><ns1:E></ns1:E><ns1:F></ns1:F></ns1:R>',
      );
    });

    it('drops the XML declaration, processing instructions and comments', () => {
      // Everything outside the root goes; inside, the comment and PI between x and z go, leaving "xz".
      const input =
        '<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet href="s.xsl"?>\n<!-- c -->' +
        '<a:R xmlns:a="urn:a"><!-- inside --><?pi data?>x<!--y-->z</a:R>\n<!-- after -->';
      expect(smevTransform(input)).to.equal('<ns1:R xmlns:ns1="urn:a">xz</ns1:R>');
    });

    const escapingInput =
      '<a:R xmlns:a="urn:a" v="&amp;&lt;&gt;&quot;\'&#x9;&#xA;&#xD;">a &amp; b &lt; c &gt; d "q" \'s\' x&#xD;y</a:R>';

    it('escapes as the reference (Woodstox) writes: & < in text, > as is, CR as &#xd;; & < " LF CR in attributes', () => {
      expect(smevTransform(escapingInput)).to.equal(
        '<ns1:R xmlns:ns1="urn:a" v="&amp;&lt;>&quot;\'\t&#xa;&#xd;">' +
          'a &amp; b &lt; c > d "q" \'s\' x&#xd;y</ns1:R>',
      );
    });

    it('the older Java writer form (legacy): > and the c14n attribute escapes, CR in text as is', () => {
      expect(smevTransform(escapingInput, 'legacy')).to.equal(
        '<ns1:R xmlns:ns1="urn:a" v="&amp;&lt;>&quot;\'&#x9;&#xA;&#xD;">' +
          'a &amp; b &lt; c &gt; d "q" \'s\' x\ry</ns1:R>',
      );
    });

    describe('reference escaping of > in text, case by case', () => {
      const cases: Array<[string, string, string]> = [
        ['in the middle of a text', '<a:R xmlns:a="urn:a">a &gt; b</a:R>', 'a > b'],
        ['as the first character of a text node', '<a:R xmlns:a="urn:a">&gt;a</a:R>', '&gt;a'],
        ['after ]', '<a:R xmlns:a="urn:a">a]&gt;b</a:R>', 'a]&gt;b'],
        ['after ]] (the end of a CDATA section)', '<a:R xmlns:a="urn:a">]]&gt;</a:R>', ']]&gt;'],
        ['a lone > text', '<a:R xmlns:a="urn:a">&gt;</a:R>', '&gt;'],
        ['two in a row, not first', '<a:R xmlns:a="urn:a">x&gt;&gt;</a:R>', 'x>>'],
        ['first after a child element (a new text node)', '<a:R xmlns:a="urn:a"><a:E/>&gt;x</a:R>', '&gt;x'],
        ['CDATA joined to the text before it', '<a:R xmlns:a="urn:a">x<![CDATA[>]]></a:R>', 'x>'],
        ['CR in text', '<a:R xmlns:a="urn:a">a&#xD;b</a:R>', 'a&#xd;b'],
        ['LF and tab in text, as they are', '<a:R xmlns:a="urn:a">a&#xA;&#x9;b</a:R>', 'a\n\tb'],
      ];
      for (const [name, input, text] of cases) {
        it(name, () => {
          const out = smevTransform(input);
          const body = out.replace(/^<ns1:R xmlns:ns1="urn:a">/, '').replace(/<\/ns1:R>$/, '');
          expect(body.replace('<ns1:E></ns1:E>', '')).to.equal(text);
          // The same from the tree the pipeline reads.
          const root = new DOMParser().parseFromString(input, 'text/xml').documentElement;
          expect(smevTransformNode(root as never)).to.equal(out);
        });
      }
    });

    describe('reference escaping of attribute values and namespace URIs, case by case', () => {
      const cases: Array<[string, string, string]> = [
        ['LF', 'a&#xA;b', 'a&#xa;b'],
        ['CR', 'a&#xD;b', 'a&#xd;b'],
        ['tab, as it is', 'a&#x9;b', 'a\tb'],
        ['> as it is', 'a&gt;b', 'a>b'],
        ['quote', 'a&quot;b', 'a&quot;b'],
        ['apostrophe, as it is', "a'b", "a'b"],
        ['ampersand and <', 'a&amp;&lt;b', 'a&amp;&lt;b'],
      ];
      for (const [name, value, written] of cases) {
        it(name, () => {
          expect(smevTransform(`<a:R xmlns:a="urn:a" v="${value}"/>`)).to.equal(
            `<ns1:R xmlns:ns1="urn:a" v="${written}"></ns1:R>`,
          );
        });
      }
      it('a namespace URI with a quote is escaped in its declaration', () => {
        expect(smevTransform('<a:R xmlns:a="urn:a&quot;b"/>')).to.equal(
          '<ns1:R xmlns:ns1="urn:a&quot;b"></ns1:R>',
        );
      });
    });

    it('keeps non-ASCII text as characters (the output is UTF-8, not character references)', () => {
      const out = smevTransform('<a:R xmlns:a="urn:a">Иванов &#x416;</a:R>');
      expect(out).to.equal('<ns1:R xmlns:ns1="urn:a">Иванов Ж</ns1:R>');
      expect(Buffer.from(out, 'utf8').includes(Buffer.from('Иванов', 'utf8'))).to.equal(true);
    });
  });

  describe('bad input', () => {
    it('rejects a root element in no namespace with a clear error', () => {
      expect(() => smevTransform('<Root/>')).to.throw(Error, /element <Root> is in no namespace/);
    });

    it('rejects a nested element in no namespace, including one that undeclares the default', () => {
      expect(() => smevTransform('<a:R xmlns:a="urn:a"><Plain/></a:R>')).to.throw(
        /<Plain> is in no namespace/,
      );
      expect(() => smevTransform('<R xmlns="urn:a"><P xmlns=""/></R>')).to.throw(/<P> is in no namespace/);
    });

    it('rejects malformed XML, an unbound prefix and a DOCTYPE', () => {
      expect(() => smevTransform('<a:R xmlns:a="urn:a"><a:B></a:R>')).to.throw();
      expect(() => smevTransform('<x:R/>')).to.throw(/prefix/i);
      expect(() => smevTransform('<!DOCTYPE R [<!ENTITY e "x">]><R xmlns="urn:a">&e;</R>')).to.throw(
        /DOCTYPE/,
      );
      expect(() => smevTransform('')).to.throw();
    });
  });

  describe('a realistic SenderProvidedRequestData', () => {
    // What a client might send: its own prefixes, indentation, a self-closed TestMessage and an unused
    // declaration (faults) on the signed element.
    const envelope = `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Header/>
  <soap:Body>
    <tns:SendRequestRequest xmlns:tns="${TYPES}">
      <tns:SenderProvidedRequestData Id="SIGNED_BY_CONSUMER"
          xmlns:b="${BASIC}" xmlns:f="urn://x-artefacts-smev-gov-ru/services/message-exchange/types/faults/1.1">
        <tns:MessageID>db0486d0-3c08-11e5-95e2-d00d1e04b3a6</tns:MessageID>
        <b:MessagePrimaryContent>
          <CertificateRequest xmlns="${CERTS}" kind="birth">
            <Person>
              <LastName>Иванов</LastName>
              <FirstName>Иван</FirstName>
            </Person>
            <Snils>112-233-445 95</Snils>
          </CertificateRequest>
        </b:MessagePrimaryContent>
        <tns:TestMessage/>
      </tns:SenderProvidedRequestData>
      <tns:CallerInformationSystemSignature/>
    </tns:SendRequestRequest>
  </soap:Body>
</soap:Envelope>`;

    // Derived by hand: types → ns1 (the element's own, on it), Id is plain; basic → ns2 on
    // MessagePrimaryContent; the business namespace (default in the source) → ns3 on CertificateRequest;
    // faults is unused and vanishes; indentation goes; TestMessage gets an end tag.
    const expected =
      `<ns1:SenderProvidedRequestData xmlns:ns1="${TYPES}" Id="SIGNED_BY_CONSUMER">` +
      '<ns1:MessageID>db0486d0-3c08-11e5-95e2-d00d1e04b3a6</ns1:MessageID>' +
      `<ns2:MessagePrimaryContent xmlns:ns2="${BASIC}">` +
      `<ns3:CertificateRequest xmlns:ns3="${CERTS}" kind="birth">` +
      '<ns3:Person><ns3:LastName>Иванов</ns3:LastName><ns3:FirstName>Иван</ns3:FirstName></ns3:Person>' +
      '<ns3:Snils>112-233-445 95</ns3:Snils>' +
      '</ns3:CertificateRequest></ns2:MessagePrimaryContent>' +
      '<ns1:TestMessage></ns1:TestMessage>' +
      '</ns1:SenderProvidedRequestData>';

    function signedElement(xml: string): Element {
      const doc = new DOMParser().parseFromString(xml, 'text/xml');
      const el = doc.getElementsByTagNameNS(TYPES, 'SenderProvidedRequestData')[0];
      if (!el) throw new Error('test fixture has no SenderProvidedRequestData');
      return el;
    }

    it('gives the hand-derived output from the exc-c14n form of the signed element', () => {
      const el = signedElement(envelope);
      const c14n = new ExclusiveCanonicalization().process(el, {}).toString();
      expect(c14n).to.contain('xmlns:tns='); // exc-c14n keeps source prefixes; the transform renames them
      expect(smevTransform(c14n)).to.equal(expected);
    });

    it('gives the same output from a DOM node as from its serialisation', () => {
      // The node still resolves tns from its (unserialised) ancestor: the DOM path reads resolved URIs.
      expect(smevTransformNode(signedElement(envelope))).to.equal(expected);
    });
  });

  describe('xml-crypto adapter', () => {
    it('names the SMEV algorithm and accepts a string or a DOM node', () => {
      const algo = new SmevTransformAlgorithm();
      expect(algo.getAlgorithmName()).to.equal('urn://smev-gov-ru/xmldsig/transform');
      expect(SMEV_TRANSFORM_URI).to.equal('urn://smev-gov-ru/xmldsig/transform');
      const xml = '<a:R xmlns:a="urn:a"><a:E/></a:R>';
      const out = '<ns1:R xmlns:ns1="urn:a"><ns1:E></ns1:E></ns1:R>';
      expect(algo.process(xml)).to.equal(out);
      const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
      expect(algo.process(root)).to.equal(out);
      expect(() => algo.process(42)).to.throw(TypeError);
    });

    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

    const request =
      `<tns:SendRequestRequest xmlns:tns="${TYPES}" xmlns:b="${BASIC}">` +
      '<tns:SenderProvidedRequestData Id="SIGNED_BY_CONSUMER">' +
      '<tns:MessageID>db0486d0-3c08-11e5-95e2-d00d1e04b3a6</tns:MessageID>' +
      `<b:MessagePrimaryContent><c:CertificateRequest xmlns:c="${CERTS}" kind="birth">` +
      '<c:LastName>Иванов</c:LastName></c:CertificateRequest></b:MessagePrimaryContent>' +
      '</tns:SenderProvidedRequestData>' +
      '<tns:CallerInformationSystemSignature/>' +
      '</tns:SendRequestRequest>';

    function sign(xml: string): string {
      const sig = new SignedXml({
        privateKey: privatePem,
        signatureAlgorithm: RSA_SHA256,
        canonicalizationAlgorithm: EXC_C14N,
      });
      registerSmevTransform(sig);
      sig.addReference({
        xpath: "//*[@Id='SIGNED_BY_CONSUMER']",
        transforms: [EXC_C14N, SMEV_TRANSFORM_URI],
        digestAlgorithm: SHA256,
      });
      sig.computeSignature(xml, {
        prefix: 'ds',
        location: { reference: "//*[local-name()='CallerInformationSystemSignature']", action: 'append' },
      });
      return sig.getSignedXml();
    }

    function verify(xml: string, register = true): { valid: boolean; signed: string[] } {
      const v = new SignedXml({ publicCert: publicPem });
      if (register) registerSmevTransform(v);
      const doc = new DOMParser().parseFromString(xml, 'text/xml');
      const signature = doc.getElementsByTagNameNS(DSIG, 'Signature')[0];
      if (!signature) throw new Error('no signature in the test document');
      v.loadSignature(signature);
      try {
        return { valid: v.checkSignature(xml), signed: v.getSignedReferences() };
      } catch {
        // xml-crypto throws on some failed references and returns false on others; both mean "not valid".
        return { valid: false, signed: [] };
      }
    }

    const expectedSigned =
      `<ns1:SenderProvidedRequestData xmlns:ns1="${TYPES}" Id="SIGNED_BY_CONSUMER">` +
      '<ns1:MessageID>db0486d0-3c08-11e5-95e2-d00d1e04b3a6</ns1:MessageID>' +
      `<ns2:MessagePrimaryContent xmlns:ns2="${BASIC}"><ns3:CertificateRequest xmlns:ns3="${CERTS}" kind="birth">` +
      '<ns3:LastName>Иванов</ns3:LastName></ns3:CertificateRequest></ns2:MessagePrimaryContent>' +
      '</ns1:SenderProvidedRequestData>';

    it('signs with [exc-c14n, smev], writes both transforms, and the digest is over the SMEV form', () => {
      const signed = sign(request);
      expect(signed).to.contain(
        `<ds:Transform Algorithm="${EXC_C14N}"/><ds:Transform Algorithm="${SMEV_TRANSFORM_URI}"/>`,
      );
      const digest = /<ds:DigestValue>([^<]+)<\/ds:DigestValue>/.exec(signed)?.[1];
      expect(digest).to.equal(createHash('sha256').update(expectedSigned, 'utf8').digest('base64'));
    });

    it('verifies its own signature, and the signed reference is the SMEV form', () => {
      const result = verify(sign(request));
      expect(result.valid).to.equal(true);
      expect(result.signed).to.deep.equal([expectedSigned]);
    });

    it('still verifies after re-indentation and prefix renaming of the signed element', () => {
      // Exactly what the transform is for: both change the exc-c14n octets but not the SMEV form.
      const reworded = sign(request)
        .replaceAll('<tns:', '<x:')
        .replaceAll('</tns:', '</x:')
        .replace('xmlns:tns=', 'xmlns:x=')
        .replace('<x:MessageID>', '\n    <x:MessageID>');
      expect(reworded).to.contain('<x:SenderProvidedRequestData').and.to.contain('\n    <x:MessageID>');
      expect(reworded).to.not.equal(sign(request));
      expect(verify(reworded).valid).to.equal(true);
    });

    it('fails verification when the signed content changes', () => {
      const tampered = sign(request).replace('Иванов', 'Петров');
      expect(verify(tampered).valid).to.equal(false);
    });

    it('fails verification when an attribute of the signed content changes', () => {
      const tampered = sign(request).replace('kind="birth"', 'kind="death"');
      expect(verify(tampered).valid).to.equal(false);
    });

    it('cannot verify without the transform registered', () => {
      const v = new SignedXml({ publicCert: publicPem });
      const signed = sign(request);
      const signature = new DOMParser()
        .parseFromString(signed, 'text/xml')
        .getElementsByTagNameNS(DSIG, 'Signature')[0];
      if (!signature) throw new Error('no signature in the test document');
      v.loadSignature(signature);
      expect(() => v.checkSignature(signed)).to.throw(/not supported/);
      expect(verify(signed, false).valid).to.equal(false);
    });
  });
});
