/**
 * Schema and identifier checks through the real endpoint: schema errors come back as InvalidContent with where
 * libxml2 found them; unknown payloads, non-v1 MessageIDs and stale ones each have their own fault. Every request
 * here is validly signed, so the fault is the check under test and not the signature.
 */
import { expect } from 'chai';
import { v1 as uuidv1, v4 as uuidv4 } from 'uuid';
import { NS } from '../../src/soap/namespaces.js';
import { SOAP11, SOAP12 } from '../../src/soap/version.js';
import { childElements, type Element } from '../../src/xml/dom.js';
import { SchemaSet } from '../../src/xml/schemas.js';
import { signedCall, signedCallWith, useGateway } from '../support/gateway.js';
import { postSoapRaw, readFault, type RawResponse } from './helpers.js';

const PING_NS = 'urn://smev-gateway/services/ping/1.0';

/** Break the one-line request onto one line per element so that line numbers mean something. */
const oneElementPerLine = (xml: string) => xml.replace(/></g, '>\n<');

/** 1-based line of the first occurrence of `needle` in `text`. */
function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`${needle} not found`);
  return text.slice(0, at).split('\n').length;
}

describe('foundation: validation and identifiers', () => {
  let schemas: SchemaSet;
  const gateway = useGateway();
  before(() => {
    schemas = SchemaSet.compile('xsd/gateway.xsd');
  });
  after(() => {
    schemas.dispose();
  });

  function expectFault(response: RawResponse, code: string, element = code, schemaValid = true) {
    if (schemaValid) expect(schemas.validate(response.body), 'the fault is schema-valid').to.deep.equal([]);
    const fault = readFault(response.body);
    expect(fault.code, response.body).to.equal(code);
    expect(fault.element).to.equal(element);
    return fault;
  }

  function validationErrors(detail: Element) {
    return childElements(detail)
      .filter((e) => e.localName === 'ValidationError' && e.namespaceURI === NS.faults)
      .map((e) => ({
        // The official schema gives ValidationError one attribute; the column and element close the text.
        line: e.getAttribute('errorPosition'),
        errorPosition: e.getAttribute('errorPosition'),
        column: /\(column (\d+)/.exec(e.textContent ?? '')?.[1] ?? null,
        element: /element ([^)]+)\)$/.exec((e.textContent ?? '').trim())?.[1] ?? null,
        message: (e.textContent ?? '').trim(),
      }));
  }

  it('a signed PingRequest without Text is InvalidContent; the ValidationError carries the line and names the element', async () => {
    const { xml } = signedCallWith(oneElementPerLine, {
      payload: `<ping:PingRequest xmlns:ping="${PING_NS}"/>`,
    });
    const response = await postSoapRaw(gateway.endpoint, xml);
    expect(response.status).to.equal(500);
    const fault = expectFault(response, 'InvalidContent');
    const errors = validationErrors(fault.detail);
    expect(errors).to.have.length.of.at.least(1);
    const [first] = errors;
    expect(first?.message).to.contain('PingRequest');
    expect(first?.message).to.match(/Missing child element|Expected is/);
    expect(first?.message).to.contain('Text');
    const expectedLine = lineOf(xml, '<ping:PingRequest');
    expect(expectedLine).to.be.above(1);
    expect(first?.line).to.equal(String(expectedLine));
    expect(first?.errorPosition).to.equal(String(expectedLine));
    expect(first?.element).to.contain('PingRequest');
    expect(fault.reason).to.contain('PingRequest');
  });

  it('the same problem in SOAP 1.2 is InvalidContent with HTTP 400', async () => {
    const { xml } = signedCall({ version: SOAP12, payload: `<ping:PingRequest xmlns:ping="${PING_NS}"/>` });
    const response = await postSoapRaw(gateway.endpoint, xml, SOAP12);
    expect(response.status).to.equal(400);
    const fault = expectFault(response, 'InvalidContent');
    expect(fault.soapCode).to.equal('soap:Sender');
    expect(validationErrors(fault.detail)[0]?.line).to.equal('1');
  });

  it('a Text over 1000 characters is InvalidContent naming Text', async () => {
    const { xml } = signedCall({
      payload: `<ping:PingRequest xmlns:ping="${PING_NS}"><ping:Text>${'a'.repeat(1001)}</ping:Text></ping:PingRequest>`,
    });
    const fault = expectFault(await postSoapRaw(gateway.endpoint, xml), 'InvalidContent');
    const [first] = validationErrors(fault.detail);
    expect(first?.message).to.contain('Text');
    expect(first?.message).to.match(/length|maxLength/);
  });

  it('a wrong element order in SenderProvidedRequestData is InvalidContent at the misplaced element', async () => {
    const { xml } = signedCallWith((unsigned) => {
      // Move MessageID after MessagePrimaryContent.
      const messageId = /<ns2:MessageID>[^<]*<\/ns2:MessageID>/.exec(unsigned)?.[0];
      if (!messageId) throw new Error('no MessageID');
      return oneElementPerLine(
        unsigned
          .replace(messageId, '')
          .replace('</ns3:MessagePrimaryContent>', `</ns3:MessagePrimaryContent>${messageId}`),
      );
    });
    expect(xml.indexOf('<ns2:MessageID>')).to.be.above(xml.indexOf('<ns3:MessagePrimaryContent>'));
    const response = await postSoapRaw(gateway.endpoint, xml);
    expect(response.status).to.equal(500);
    const fault = expectFault(response, 'InvalidContent');
    const [first] = validationErrors(fault.detail);
    expect(first?.message).to.contain('MessagePrimaryContent');
    expect(first?.message).to.match(/not expected/);
    expect(first?.message).to.contain('MessageID');
    expect(first?.line).to.equal(String(lineOf(xml, '<ns3:MessagePrimaryContent')));
  });

  const UNKNOWN_PAYLOAD =
    '<u:WhoAmI xmlns:u="urn://example.test/unknown-service/1.0"><u:Q>1</u:Q></u:WhoAmI>';

  it('a payload of an unknown namespace is BusinessDataTypeIsNotSupported', async () => {
    const { xml } = signedCall({ payload: UNKNOWN_PAYLOAD });
    const response = await postSoapRaw(gateway.endpoint, xml);
    expect(response.status).to.equal(500);
    // Schema validity of this fault is checked (and currently fails) in the skipped test below.
    const fault = expectFault(
      response,
      'BusinessDataTypeIsNotSupported',
      'BusinessDataTypeIsNotSupported',
      false,
    );
    expect(fault.reason).to.contain('urn://example.test/unknown-service/1.0');
    expect(fault.reason).to.contain('WhoAmI');
  });

  it('a known namespace with an unknown root element is BusinessDataTypeIsNotSupported too', async () => {
    const { xml } = signedCall({
      payload: `<ping:PingResponse xmlns:ping="${PING_NS}"><ping:Text>x</ping:Text><ping:ReceivedAt>2026-01-01T00:00:00Z</ping:ReceivedAt></ping:PingResponse>`,
    });
    const response = await postSoapRaw(gateway.endpoint, xml);
    const fault = expectFault(
      response,
      'BusinessDataTypeIsNotSupported',
      'BusinessDataTypeIsNotSupported',
      false,
    );
    expect(fault.reason).to.contain('PingResponse');
  });

  // SMEV's BusinessDataTypeIsNotSupported names the root element and its namespace in two required children.
  it('the BusinessDataTypeIsNotSupported fault is schema-valid and names the root element and namespace', async () => {
    const { xml } = signedCall({ payload: UNKNOWN_PAYLOAD });
    const response = await postSoapRaw(gateway.endpoint, xml);
    const fault = expectFault(response, 'BusinessDataTypeIsNotSupported');
    const text = (name: string) =>
      childElements(fault.detail).find((e) => e.localName === name && e.namespaceURI === NS.faults)
        ?.textContent;
    expect(text('RootElementLocalName')).to.equal('WhoAmI');
    expect(text('RootElementNamespaceURI')).to.equal('urn://example.test/unknown-service/1.0');
  });

  it('a signed MessageID that is a v4 UUID is InvalidMessageIdFormat', async () => {
    const messageId = uuidv4();
    const { xml } = signedCall({ messageId });
    const response = await postSoapRaw(gateway.endpoint, xml);
    expect(response.status).to.equal(500);
    const fault = expectFault(response, 'InvalidMessageIdFormat');
    expect(fault.reason).to.contain(messageId);
  });

  it('a signed MessageID that is not lowercase is refused (schema pattern: InvalidContent)', async () => {
    const { xml } = signedCall({ messageId: uuidv1().toUpperCase() });
    expectFault(await postSoapRaw(gateway.endpoint, xml), 'InvalidContent');
  });

  it('a signed v1 MessageID 10 minutes old is StaleMessageId', async () => {
    const messageId = uuidv1({ msecs: Date.now() - 600_000 });
    const { xml } = signedCall({ messageId });
    const response = await postSoapRaw(gateway.endpoint, xml);
    expect(response.status).to.equal(500);
    const fault = expectFault(response, 'StaleMessageId');
    expect(fault.reason).to.match(/behind/);
  });

  it('a signed v1 MessageID 10 minutes in the future is StaleMessageId', async () => {
    const { xml } = signedCall({ messageId: uuidv1({ msecs: Date.now() + 600_000 }) });
    const fault = expectFault(await postSoapRaw(gateway.endpoint, xml), 'StaleMessageId');
    expect(fault.reason).to.match(/ahead/);
  });

  it('a signed v1 MessageID 2 minutes old is within the window and answered', async () => {
    const { xml } = signedCall({ messageId: uuidv1({ msecs: Date.now() - 120_000 }) });
    const response = await postSoapRaw(gateway.endpoint, xml, SOAP11);
    expect(response.status, response.body).to.equal(200);
  });
});
