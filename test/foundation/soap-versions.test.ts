/**
 * SOAP 1.1 and 1.2 through the real endpoint: each is answered in the version asked, faults take each version's
 * shape, and every envelope-level refusal is a fault with its own code that is itself valid against the schema set.
 */
import { expect } from 'chai';
import { readCallAnswer } from '../../src/client/answer.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { NS } from '../../src/soap/namespaces.js';
import { SOAP11, SOAP12, type SoapVersion } from '../../src/soap/version.js';
import { SchemaSet } from '../../src/xml/schemas.js';
import { parseDom, type Element } from '../../src/xml/dom.js';
import { signedCall, signedCallWith, useGateway } from '../support/gateway.js';
import { postSoapRaw, rawHttp, readFault, withHeaderBlocks, type RawResponse } from './helpers.js';

describe('foundation: SOAP 1.1 and 1.2', () => {
  let schemas: SchemaSet;
  const gateway = useGateway();
  before(() => {
    schemas = SchemaSet.compile('xsd/gateway.xsd');
  });
  after(() => {
    schemas.dispose();
  });

  /** The answer is a fault of `version`, valid against the published schema set; returns it read. */
  function expectFault(response: RawResponse, version: SoapVersion, code: string) {
    expect(response.headers['content-type'], 'content type of the fault').to.match(
      new RegExp(`^${version.mediaType.replace('+', '\\+')};\\s*charset=utf-8`, 'i'),
    );
    expect(schemas.validate(response.body), 'the fault is valid against xsd/gateway.xsd').to.deep.equal([]);
    const fault = readFault(response.body);
    expect(fault.envelopeNs).to.equal(version.envelopeNs);
    expect(fault.code, `detail code in ${response.body}`).to.equal(code);
    return fault;
  }

  /** A QName in element text resolves against the element's in-scope namespaces. */
  function resolveQName(
    xml: string,
    path: (root: Element) => Element | undefined,
  ): { ns: string | null; local: string } {
    const element = path(parseDom(xml).documentElement as Element);
    if (!element) throw new Error('no such element');
    const [prefix = '', local = ''] = (element.textContent ?? '').trim().split(':');
    return { ns: element.lookupNamespaceURI(prefix), local };
  }

  for (const version of [SOAP11, SOAP12]) {
    it(`answers a SOAP ${version.name} ping in SOAP ${version.name}: envelope namespace and Content-Type`, async () => {
      const { xml } = signedCall({ version });
      const response = await postSoapRaw(gateway.endpoint, xml, version);
      expect(response.status).to.equal(200);
      expect(response.headers['content-type']).to.match(
        new RegExp(`^${version.mediaType.replace('+', '\\+')}; charset=utf-8$`, 'i'),
      );
      const envelope = parseDom(response.body).documentElement as Element;
      expect(envelope.localName).to.equal('Envelope');
      expect(envelope.namespaceURI).to.equal(version.envelopeNs);
      const answer = readCallAnswer(response.body, loadTrustStore(gateway.config));
      expect(answer.kind).to.equal('answer');
      expect(schemas.validate(response.body)).to.deep.equal([]);
    });
  }

  it('SOAP 1.1 fault: faultcode soap:Client, faultstring, detail with the SMEV fault element; HTTP 500', async () => {
    const { xml } = signedCall({ version: SOAP11 });
    expect((await postSoapRaw(gateway.endpoint, xml, SOAP11)).status).to.equal(200);
    const again = await postSoapRaw(gateway.endpoint, xml, SOAP11);
    expect(again.status).to.equal(500);
    const fault = expectFault(again, SOAP11, 'MessageIsAlreadySent');
    expect(fault.soapCode).to.equal('soap:Client');
    expect(resolveQName(again.body, (root) => root.getElementsByTagName('faultcode')[0])).to.deep.equal({
      ns: NS.soap11,
      local: 'Client',
    });
    expect(fault.reason).to.match(/already accepted/);
    expect(fault.element).to.equal('MessageIsAlreadySent');
  });

  it('SOAP 1.2 fault: Code/Value soap:Sender, Subcode naming the SMEV fault, Reason/Text with xml:lang; HTTP 400', async () => {
    const { xml } = signedCall({ version: SOAP12 });
    expect((await postSoapRaw(gateway.endpoint, xml, SOAP12)).status).to.equal(200);
    const again = await postSoapRaw(gateway.endpoint, xml, SOAP12);
    expect(again.status).to.equal(400);
    const fault = expectFault(again, SOAP12, 'MessageIsAlreadySent');
    expect(fault.soapCode).to.equal('soap:Sender');
    const value = (root: Element) => root.getElementsByTagNameNS(NS.soap12, 'Value')[0];
    const subValue = (root: Element) => root.getElementsByTagNameNS(NS.soap12, 'Value')[1];
    expect(resolveQName(again.body, value)).to.deep.equal({ ns: NS.soap12, local: 'Sender' });
    expect(resolveQName(again.body, subValue)).to.deep.equal({
      ns: NS.faults,
      local: 'MessageIsAlreadySent',
    });
    expect(fault.subcode).to.equal('f:MessageIsAlreadySent');
    const text = parseDom(again.body).getElementsByTagNameNS(NS.soap12, 'Text')[0];
    expect(text?.getAttributeNS('http://www.w3.org/XML/1998/namespace', 'lang')).to.equal('en');
    expect(fault.reason).to.match(/already accepted/);
  });

  it('a SOAP 1.2 envelope sent as text/xml (SOAP 1.1) is a VersionMismatch fault with Upgrade', async () => {
    const { xml } = signedCall({ version: SOAP12 });
    const response = await postSoapRaw(gateway.endpoint, xml, SOAP11);
    expect(response.status).to.equal(500);
    const fault = expectFault(response, SOAP11, 'VersionMismatch');
    expect(fault.soapCode).to.equal('soap:VersionMismatch');
    expectUpgrade(response.body);
  });

  it('an envelope of an unknown namespace sent as SOAP 1.2 is a SOAP 1.2 VersionMismatch fault with Upgrade', async () => {
    const response = await postSoapRaw(
      gateway.endpoint,
      '<e:Envelope xmlns:e="urn://example.test/soap-3"><e:Body/></e:Envelope>',
      SOAP12,
    );
    expect(response.status).to.equal(500);
    const fault = expectFault(response, SOAP12, 'VersionMismatch');
    expect(fault.soapCode).to.equal('soap:VersionMismatch');
    expectUpgrade(response.body);
  });

  it('a SOAP 1.1 envelope sent as application/soap+xml (SOAP 1.2) is a SOAP 1.1 VersionMismatch fault with Upgrade', async () => {
    const { xml } = signedCall({ version: SOAP11 });
    const response = await postSoapRaw(gateway.endpoint, xml, SOAP12);
    expect(response.status).to.equal(500);
    // SOAP 1.2 part 1, appendix A: the fault is a SOAP 1.1 one, which the SOAP 1.1 sender can read.
    const fault = expectFault(response, SOAP11, 'VersionMismatch');
    expect(fault.soapCode).to.equal('soap:VersionMismatch');
    expectUpgrade(response.body);
  });

  /** The Upgrade header block (SOAP 1.2 part 1, 5.4.7) names both envelopes the gateway speaks, 1.2 first. */
  function expectUpgrade(xml: string): void {
    const doc = parseDom(xml);
    const supported = Array.from(doc.getElementsByTagNameNS(NS.soap12, 'SupportedEnvelope')) as Element[];
    const header = doc.getElementsByTagNameNS(NS.soap12, 'Upgrade').item(0)?.parentNode as
      Element | undefined;
    expect(header?.localName).to.equal('Header');
    expect(
      supported.map((element) => {
        const [prefix = '', local = ''] = (element.getAttribute('qname') ?? '').split(':');
        return `{${element.lookupNamespaceURI(prefix) ?? ''}}${local}`;
      }),
    ).to.deep.equal([`{${NS.soap12}}Envelope`, `{${NS.soap11}}Envelope`]);
  }

  it('application/json is refused with HTTP 415 and a SOAP fault', async () => {
    const response = await rawHttp(gateway.endpoint, {
      body: JSON.stringify({ ping: 'hello' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).to.equal(415);
    const fault = expectFault(response, SOAP11, 'UnsupportedMediaType');
    expect(fault.soapCode).to.equal('soap:Client');
    expect(fault.reason).to.contain('application/json');
  });

  it('a request with no Content-Type at all is refused with HTTP 415 and a SOAP fault', async () => {
    const response = await rawHttp(gateway.endpoint, { body: signedCall().xml });
    expect(response.status).to.equal(415);
    expectFault(response, SOAP11, 'UnsupportedMediaType');
  });

  it('a charset other than UTF-8 in the Content-Type is refused with HTTP 415', async () => {
    const response = await rawHttp(gateway.endpoint, {
      body: signedCall().xml,
      headers: { 'content-type': 'text/xml; charset=windows-1251', soapaction: '"urn:Call"' },
    });
    expect(response.status).to.equal(415);
    expectFault(response, SOAP11, 'UnsupportedMediaType');
  });

  it('a SOAP 1.2 request with a charset other than UTF-8 is refused in SOAP 1.2, which its client reads', async () => {
    for (const contentType of [
      'application/soap+xml; charset=windows-1251; action="urn:Call"',
      'multipart/related; type="application/xop+xml"; start-info="application/soap+xml; charset=koi8-r"',
    ]) {
      const response = await rawHttp(gateway.endpoint, {
        body: signedCall({ version: SOAP12 }).xml,
        headers: { 'content-type': contentType },
      });
      expect(response.status, contentType).to.equal(415);
      expect(expectFault(response, SOAP12, 'UnsupportedMediaType').soapCode, contentType).to.equal(
        'soap:Sender',
      );
    }
  });

  it('a parameter given twice in the Content-Type (action, charset) is refused with HTTP 415', async () => {
    for (const contentType of [
      'application/soap+xml; action="urn:Call"; action="urn:Ack"',
      'application/soap+xml; charset=utf-8; action="urn:Call"; Charset=utf-8',
    ]) {
      const response = await rawHttp(gateway.endpoint, {
        body: signedCall({ version: SOAP12 }).xml,
        headers: { 'content-type': contentType },
      });
      expect(response.status, contentType).to.equal(415);
      // The media type still names SOAP 1.2, so the refusal speaks it.
      expect(expectFault(response, SOAP12, 'UnsupportedMediaType').reason).to.contain('twice');
    }
  });

  it('a SOAPAction naming another operation (SOAP 1.1) is a fault', async () => {
    const response = await postSoapRaw(gateway.endpoint, signedCall().xml, SOAP11, 'urn:SendRequest');
    expect(response.status).to.equal(500);
    const fault = expectFault(response, SOAP11, 'PoorSOAPEnvelopeFormat');
    expect(fault.reason).to.contain('urn:SendRequest');
  });

  it('an action parameter naming another operation (SOAP 1.2) is a fault', async () => {
    const response = await postSoapRaw(
      gateway.endpoint,
      signedCall({ version: SOAP12 }).xml,
      SOAP12,
      'urn:GetStatus',
    );
    expect(response.status).to.equal(400);
    const fault = expectFault(response, SOAP12, 'PoorSOAPEnvelopeFormat');
    expect(fault.soapCode).to.equal('soap:Sender');
  });

  it('a header block with mustUnderstand="1" is a MustUnderstand fault (SOAP 1.1)', async () => {
    const { xml } = signedCallWith((x) =>
      withHeaderBlocks(x, '<x:Trace xmlns:x="urn://example.test/trace" soap:mustUnderstand="1">t</x:Trace>'),
    );
    const response = await postSoapRaw(gateway.endpoint, xml, SOAP11);
    expect(response.status).to.equal(500);
    const fault = expectFault(response, SOAP11, 'MustUnderstand');
    expect(fault.soapCode).to.equal('soap:MustUnderstand');
    expect(fault.reason).to.contain('Trace');
  });

  it('a header block with mustUnderstand="true" is a MustUnderstand fault (SOAP 1.2)', async () => {
    const { xml } = signedCallWith(
      (x) =>
        withHeaderBlocks(
          x,
          '<x:Trace xmlns:x="urn://example.test/trace" soap:mustUnderstand="true">t</x:Trace>',
        ),
      { version: SOAP12 },
    );
    const response = await postSoapRaw(gateway.endpoint, xml, SOAP12);
    expect(response.status).to.equal(500);
    const fault = expectFault(response, SOAP12, 'MustUnderstand');
    expect(fault.soapCode).to.equal('soap:MustUnderstand');
    // SOAP 1.2 part 1, 5.4.8: a NotUnderstood header block names the block by its qualified name.
    const notUnderstood = parseDom(response.body).getElementsByTagNameNS(NS.soap12, 'NotUnderstood');
    expect(notUnderstood.length).to.equal(1);
    const element = notUnderstood.item(0)!;
    const [prefix = '', local] = (element.getAttribute('qname') ?? '').split(':');
    expect([element.lookupNamespaceURI(prefix), local]).to.deep.equal(['urn://example.test/trace', 'Trace']);
  });

  it('mustUnderstand with whitespace around its xs:boolean value still marks the block (SOAP 1.1 and 1.2)', async () => {
    for (const [version, flag] of [
      [SOAP11, ' 1 '],
      [SOAP12, ' true '],
      [SOAP12, '&#9;1&#10;'],
    ] as const) {
      const { xml } = signedCallWith(
        (x) =>
          withHeaderBlocks(
            x,
            `<x:Trace xmlns:x="urn://example.test/trace" soap:mustUnderstand="${flag}">t</x:Trace>`,
          ),
        { version },
      );
      const response = await postSoapRaw(gateway.endpoint, xml, version);
      expect(response.status, `${version.name} "${flag}"`).to.equal(500);
      expect(expectFault(response, version, 'MustUnderstand').soapCode).to.equal('soap:MustUnderstand');
    }
  });

  it('mustUnderstand binds only blocks for the gateway: one for another actor or role is not processed', async () => {
    const next12 = 'http://www.w3.org/2003/05/soap-envelope/role';
    const cases = [
      [SOAP11, ' soap:actor="urn://example.test/someone-else"', 200],
      [SOAP11, ' soap:actor="http://schemas.xmlsoap.org/soap/actor/next"', 500],
      [SOAP11, ' soap:actor=" http://schemas.xmlsoap.org/soap/actor/next "', 500],
      [SOAP12, ` soap:role="${next12}/none"`, 200],
      [SOAP12, ' soap:role="urn://example.test/someone-else"', 200],
      [SOAP12, ` soap:role="${next12}/next"`, 500],
      [SOAP12, ` soap:role="${next12}/ultimateReceiver"`, 500],
      // An attribute of the other version's name is no target: the block is for the gateway.
      [SOAP12, ' soap:actor="urn://example.test/someone-else"', 500],
    ] as const;
    for (const [version, target, status] of cases) {
      const flag = version === SOAP11 ? '1' : 'true';
      const { xml } = signedCallWith(
        (x) =>
          withHeaderBlocks(
            x,
            `<x:Trace xmlns:x="urn://example.test/trace" soap:mustUnderstand="${flag}"${target}>t</x:Trace>`,
          ),
        { version },
      );
      const response = await postSoapRaw(gateway.endpoint, xml, version);
      expect(response.status, `${version.name}${target}: ${response.body}`).to.equal(status);
      if (status === 500) expectFault(response, version, 'MustUnderstand');
    }
  });

  it('a header block with mustUnderstand="0" is ignored and the call answered', async () => {
    const { xml } = signedCallWith((x) =>
      withHeaderBlocks(x, '<x:Trace xmlns:x="urn://example.test/trace" soap:mustUnderstand="0">t</x:Trace>'),
    );
    const response = await postSoapRaw(gateway.endpoint, xml, SOAP11);
    expect(response.status, response.body).to.equal(200);
  });

  for (const version of [SOAP11, SOAP12]) {
    it(`accepts a SOAP ${version.name} envelope with no Header (SMEV demands one; this gateway does not)`, async () => {
      const { xml } = signedCallWith((x) => x.replace('<soap:Header/>', ''), { version });
      expect(xml).not.to.contain('Header>');
      expect(xml).not.to.contain('<soap:Header');
      const response = await postSoapRaw(gateway.endpoint, xml, version);
      expect(response.status, response.body).to.equal(200);
      expect(readCallAnswer(response.body, loadTrustStore(gateway.config)).kind).to.equal('answer');
    });
  }

  it('two elements in Body are a fault', async () => {
    const { xml } = signedCallWith((x) =>
      x.replace(
        '</sync:CallRequest></soap:Body>',
        '</sync:CallRequest><x:Extra xmlns:x="urn://example.test/x"/></soap:Body>',
      ),
    );
    const response = await postSoapRaw(gateway.endpoint, xml, SOAP11);
    expect(response.status).to.equal(500);
    const fault = expectFault(response, SOAP11, 'PoorSOAPEnvelopeFormat');
    expect(fault.reason).to.contain('exactly one element, found 2');
  });

  it('an empty Body is a fault', async () => {
    const xml = `<soap:Envelope xmlns:soap="${NS.soap12}"><soap:Body/></soap:Envelope>`;
    const response = await postSoapRaw(gateway.endpoint, xml, SOAP12);
    expect(response.status).to.equal(400);
    expectFault(response, SOAP12, 'PoorSOAPEnvelopeFormat');
  });

  it('a document that is not a SOAP envelope is a fault', async () => {
    const response = await postSoapRaw(gateway.endpoint, '<hello xmlns="urn://example.test/x"/>', SOAP11);
    expect(response.status).to.equal(500);
    expectFault(response, SOAP11, 'PoorSOAPEnvelopeFormat');
  });

  it('a Body element that is no operation of the gateway is an UnknownOperation fault', async () => {
    const xml = `<soap:Envelope xmlns:soap="${NS.soap11}"><soap:Body><x:Other xmlns:x="urn://example.test/x"/></soap:Body></soap:Envelope>`;
    const response = await postSoapRaw(gateway.endpoint, xml, SOAP11);
    expect(response.status).to.equal(500);
    const fault = expectFault(response, SOAP11, 'UnknownOperation');
    expect(fault.element).to.equal('UnknownMessageType');
  });
});
