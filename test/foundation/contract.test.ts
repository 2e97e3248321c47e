/**
 * The published contract as served by the running gateway: the WSDL and its schemas with every location built
 * from the Host the client used, refusals for names that are not ours, every served document a valid schema, and
 * a generic SOAP client (node-soap) that loads the WSDL over HTTP and calls the gateway through it.
 */
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import soap from 'soap';
import { v1 as uuidv1 } from 'uuid';
import { NS } from '../../src/soap/namespaces.js';
import { childElements, parseDom, type Element } from '../../src/xml/dom.js';
import { SchemaSet } from '../../src/xml/schemas.js';
import { signedCall, useGateway } from '../support/gateway.js';
import { rawHttp } from './helpers.js';

const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const WSDL_SOAP11 = 'http://schemas.xmlsoap.org/wsdl/soap/';
const WSDL_SOAP12 = 'http://schemas.xmlsoap.org/wsdl/soap12/';
const XS = 'http://www.w3.org/2001/XMLSchema';
const OPERATIONS = [
  'Call',
  'SendRequest',
  'GetRequest',
  'SendResponse',
  'GetResponse',
  'Ack',
  'GetStatus',
  'GetIncomingQueueStatistics',
];
const CUSTOM_HOST = 'gateway.example:9999';
const CUSTOM_SERVICE = `http://${CUSTOM_HOST}/ws`;

function elementsNS(root: Element | import('@xmldom/xmldom').Document, ns: string, local: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, local)) as Element[];
}

/** Every schemaLocation attribute of the document (xs:import / xs:include in a schema or in WSDL types). */
function schemaLocations(xml: string): string[] {
  const doc = parseDom(xml);
  return [...elementsNS(doc, XS, 'import'), ...elementsNS(doc, XS, 'include')]
    .map((e) => e.getAttribute('schemaLocation'))
    .filter((v): v is string => v !== null);
}

describe('foundation: the published contract', () => {
  const xsdNames = readdirSync('xsd').filter((name) => name.endsWith('.xsd'));
  const gateway = useGateway();

  const get = (path: string, host?: string) =>
    rawHttp(gateway.url, { method: 'GET', path, ...(host ? { headers: { host } } : {}) });

  it('GET /ws?wsdl builds every schemaLocation and soap:address from the Host the client used', async () => {
    const response = await get('/ws?wsdl', CUSTOM_HOST);
    expect(response.status).to.equal(200);
    expect(response.headers['content-type']).to.match(/^text\/xml/);
    const locations = schemaLocations(response.body);
    expect(locations).to.have.length.of.at.least(4);
    for (const location of locations) {
      expect(location).to.match(
        new RegExp(`^${CUSTOM_SERVICE.replace(/[.?]/g, '\\$&')}\\?xsd=[\\w.-]+\\.xsd$`),
      );
      expect(xsdNames).to.include(decodeURIComponent(location.split('?xsd=')[1] ?? ''));
    }
    const doc = parseDom(response.body);
    const addresses = [
      ...elementsNS(doc, WSDL_SOAP11, 'address'),
      ...elementsNS(doc, WSDL_SOAP12, 'address'),
    ];
    expect(addresses).to.have.length(2);
    for (const address of addresses) expect(address.getAttribute('location')).to.equal(CUSTOM_SERVICE);
    expect(response.body).not.to.contain('localhost:8080');
  });

  it('GET /ws?WSDL answers the same WSDL; another Host gives other locations', async () => {
    const upper = await get('/ws?WSDL', CUSTOM_HOST);
    expect(upper.status).to.equal(200);
    const other = await get('/ws?wsdl', 'other.example:8443');
    expect(other.body).to.contain('http://other.example:8443/ws?xsd=');
    // The answer depends on the Host: a shared cache must not hand one client's WSDL to another.
    expect(other.headers.vary).to.match(/\bHost\b/i);
    expect((await get('/ws?xsd=gateway.xsd', CUSTOM_HOST)).headers.vary).to.match(/\bHost\b/i);
    expect(other.body).not.to.contain(CUSTOM_HOST);
    expect(upper.body).to.equal((await get('/ws?wsdl', CUSTOM_HOST)).body);
  });

  describe('with a configured public address', () => {
    const fixed = useGateway({ overrides: { publicUrl: 'https://smev.example.org' } });

    it('names that address whatever the Host, and so does not vary by Host', async () => {
      const response = await rawHttp(fixed.url, {
        method: 'GET',
        path: '/ws?wsdl',
        headers: { host: CUSTOM_HOST },
      });
      expect(response.status).to.equal(200);
      expect(response.body).to.contain('https://smev.example.org/ws?xsd=');
      expect(response.body).not.to.contain(CUSTOM_HOST);
      expect(response.headers.vary ?? '').not.to.match(/\bHost\b/i);
    });
  });

  it('a Host header that is not a host name is refused with 400', async () => {
    const response = await get('/ws?wsdl', 'evil.example/"><x');
    expect(response.status).to.equal(400);
  });

  it(`GET /ws?xsd=NAME serves each of the ${xsdNames.length} schemas with imports pointing back at the gateway`, async () => {
    expect(xsdNames).to.include.members([
      'gateway.xsd',
      'smev-message-exchange-types-1.1.xsd',
      'ping-1.0.xsd',
    ]);
    for (const name of xsdNames) {
      const response = await get(`/ws?xsd=${encodeURIComponent(name)}`, CUSTOM_HOST);
      expect(response.status, name).to.equal(200);
      expect(response.headers['content-type']).to.match(/^text\/xml/);
      const root = parseDom(response.body).documentElement as Element;
      expect(root.localName, name).to.equal('schema');
      expect(root.namespaceURI, name).to.equal(XS);
      for (const location of schemaLocations(response.body)) {
        expect(location, `${name} imports ${location}`).to.match(
          new RegExp(`^${CUSTOM_SERVICE.replace(/[.?]/g, '\\$&')}\\?xsd=[\\w.-]+\\.xsd$`),
        );
      }
    }
    // gateway.xsd imports every namespace: its served copy points at each schema the file imports, by name.
    const root = await get('/ws?xsd=gateway.xsd', CUSTOM_HOST);
    const fileImports = schemaLocations(readFileSync('xsd/gateway.xsd', 'utf8'));
    expect(fileImports.length).to.be.at.least(8);
    expect(schemaLocations(root.body)).to.deep.equal(
      fileImports.map((name) => `${CUSTOM_SERVICE}?xsd=${encodeURIComponent(name)}`),
    );
  });

  it('another method on /ws is 405 with Allow', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const response = await rawHttp(gateway.endpoint, {
        method,
        body: '<x/>',
        headers: { 'content-type': 'text/xml' },
      });
      expect(response.status, method).to.equal(405);
      expect(response.headers.allow).to.equal('GET, HEAD, POST');
    }
  });

  it('an unknown schema name is 404', async () => {
    const response = await get('/ws?xsd=nothing-1.0.xsd');
    expect(response.status).to.equal(404);
  });

  for (const name of [
    '../package.json',
    '..%2Fpackage.json',
    '../../etc/passwd',
    '/etc/passwd',
    'xsd/gateway.xsd',
    '%2e%2e/tsconfig.json',
  ]) {
    it(`a path-traversal name (${name}) is 404 and reveals nothing`, async () => {
      const response = await get(`/ws?xsd=${name}`);
      expect(response.status).to.equal(404);
      expect(response.body).not.to.contain('"dependencies"');
      expect(response.body).not.to.contain('root:');
      expect(response.body).not.to.contain('compilerOptions');
    });
  }

  it('every served XSD, and the schema embedded in the served WSDL, compiles with libxml2 with imports resolved among the served copies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'served-contract-'));
    try {
      // Save what the gateway serves, turning each served URL back into the file name it names.
      const local = (xml: string) =>
        xml.replace(
          /schemaLocation="[^"]*\?xsd=([^"]+)"/g,
          (_m, name: string) => `schemaLocation="${decodeURIComponent(name)}"`,
        );
      for (const name of xsdNames) {
        writeFileSync(join(dir, name), local((await get(`/ws?xsd=${encodeURIComponent(name)}`)).body));
      }
      for (const name of xsdNames) {
        const compiled = SchemaSet.compile(join(dir, name));
        compiled.dispose();
      }
      // The WSDL's types section: its xs:schema compiled on its own, importing the served schemas.
      const wsdl = parseDom(local((await get('/ws?wsdl')).body));
      const typesSchema = elementsNS(wsdl, XS, 'schema')[0];
      expect(typesSchema, 'the WSDL embeds an xs:schema').to.not.equal(undefined);
      const { XMLSerializer } = await import('@xmldom/xmldom');
      writeFileSync(
        join(dir, 'wsdl-types.xsd'),
        new XMLSerializer().serializeToString(typesSchema as Element),
      );
      const compiled = SchemaSet.compile(join(dir, 'wsdl-types.xsd'));
      compiled.dispose();
      // The served gateway.xsd still validates a real signed request.
      const set = SchemaSet.compile(join(dir, 'gateway.xsd'));
      try {
        expect(set.validate(signedCall().xml)).to.deep.equal([]);
      } finally {
        set.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the WSDL declares all eight operations with faults, in the port type and in both bindings', async () => {
    const doc = parseDom((await get('/ws?wsdl')).body);
    const definitions = doc.documentElement as Element;
    const portTypes = elementsNS(doc, WSDL_NS, 'portType');
    expect(portTypes).to.have.length(1);
    const operationsOf = (parent: Element) =>
      childElements(parent).filter((e) => e.localName === 'operation' && e.namespaceURI === WSDL_NS);
    const portOps = operationsOf(portTypes[0] as Element);
    expect(portOps.map((op) => op.getAttribute('name'))).to.have.members(OPERATIONS);
    const messages = new Set(elementsNS(doc, WSDL_NS, 'message').map((m) => m.getAttribute('name')));
    for (const op of portOps) {
      const faults = childElements(op).filter((e) => e.localName === 'fault');
      expect(faults, `${op.getAttribute('name')} declares faults`).to.have.length.of.at.least(1);
      for (const fault of faults) {
        expect(messages, `fault message ${fault.getAttribute('message')}`).to.include(
          (fault.getAttribute('message') ?? '').replace(/^tns:/, ''),
        );
      }
      for (const part of ['input', 'output']) {
        expect(
          childElements(op).filter((e) => e.localName === part),
          `${op.getAttribute('name')} ${part}`,
        ).to.have.length(1);
      }
    }
    const bindings = childElements(definitions).filter(
      (e) => e.localName === 'binding' && e.namespaceURI === WSDL_NS,
    );
    expect(bindings).to.have.length(2);
    const transports = bindings.map(
      (b) => childElements(b).find((e) => e.localName === 'binding')?.namespaceURI,
    );
    expect(transports).to.have.members([WSDL_SOAP11, WSDL_SOAP12]);
    for (const binding of bindings) {
      const ops = operationsOf(binding);
      expect(ops.map((op) => op.getAttribute('name'))).to.have.members(OPERATIONS);
      for (const op of ops) {
        const name = op.getAttribute('name');
        const soapOperation = childElements(op).find((e) => e.localName === 'operation');
        expect(soapOperation?.getAttribute('soapAction'), `${name} soapAction`).to.equal(`urn:${name}`);
        const portFaults = childElements(portOps.find((p) => p.getAttribute('name') === name) as Element)
          .filter((e) => e.localName === 'fault')
          .map((e) => e.getAttribute('name'));
        const boundFaults = childElements(op)
          .filter((e) => e.localName === 'fault')
          .map((e) => e.getAttribute('name'));
        expect(boundFaults, `${binding.getAttribute('name')} ${name} binds its faults`).to.have.members(
          portFaults,
        );
      }
    }
    // Every fault message part is an element the faults schema declares.
    const faultsXsd = parseDom((await get('/ws?xsd=smev-message-exchange-faults-1.1.xsd')).body);
    const faultElements = new Set(
      childElements(faultsXsd.documentElement as Element)
        .filter((e) => e.localName === 'element')
        .map((e) => e.getAttribute('name')),
    );
    for (const part of elementsNS(doc, WSDL_NS, 'part')) {
      const element = part.getAttribute('element') ?? '';
      if (element.startsWith('faults:')) expect(faultElements).to.include(element.slice('faults:'.length));
    }
  });

  describe('node-soap as a generic client', () => {
    let client: soap.Client;
    before(async () => {
      client = await soap.createClientAsync(`${gateway.endpoint}?wsdl`);
    });

    it('loads the WSDL (and its schemas) over HTTP and describes the eight operations on both ports', () => {
      const description = client.describe() as Record<string, Record<string, Record<string, unknown>>>;
      const service = description.SMEVMessageExchangeService;
      expect(service).to.not.equal(undefined);
      expect(Object.keys(service ?? {})).to.have.members([
        'SMEVMessageExchangeEndpoint',
        'SMEVMessageExchangeSoap12Endpoint',
      ]);
      for (const port of Object.values(service ?? {})) expect(Object.keys(port)).to.have.members(OPERATIONS);
      const call = service?.SMEVMessageExchangeEndpoint?.Call as
        { input: Record<string, unknown> } | undefined;
      expect(Object.keys(call?.input ?? {})).to.include('SenderProvidedRequestData');
    });

    it('sends a pre-signed CallRequest through node-soap and parses the PingResponse', async () => {
      const { xml, messageId } = signedCall();
      // The signature is detached over SenderProvidedRequestData with exclusive c14n, so the CallRequest element
      // keeps it valid in node-soap's own envelope.
      const start = xml.indexOf('<sync:CallRequest');
      const end = xml.indexOf('</sync:CallRequest>') + '</sync:CallRequest>'.length;
      const [result] = (await client.CallAsync({ _xml: xml.slice(start, end) })) as [CallResult];
      expect(client.lastRequest).to.contain(`<soap:Envelope xmlns:soap="${NS.soap11}"`);
      expect(result.Response.OriginalMessageId).to.equal(messageId);
      expect(result.Response.SenderProvidedResponseData.MessagePrimaryContent.PingResponse.Text).to.equal(
        'hello',
      );
      expect(result.Response.SenderProvidedResponseData.To).to.equal('DEMO_CONSUMER');
      expect(result.Response.MessageMetadata.MessageType).to.equal('RESPONSE');
      expect(result.SMEVSignature).to.not.equal(undefined);
    });

    it('an unsigned call built by node-soap from JS objects is answered with a SignatureVerificationFault (NoSignatureFound) that node-soap parses', async () => {
      const args = {
        SenderProvidedRequestData: {
          attributes: { Id: 'SIGNED_BY_CONSUMER' },
          MessageID: uuidv1(),
          MessagePrimaryContent: {
            $xml: '<ping:PingRequest xmlns:ping="urn://smev-gateway/services/ping/1.0"><ping:Text>hello</ping:Text></ping:PingRequest>',
          },
        },
      };
      let caught: unknown;
      try {
        await client.CallAsync(args);
      } catch (error) {
        caught = error;
      }
      const root = (caught as { root?: FaultRoot } | undefined)?.root;
      expect(root, String(caught)).to.not.equal(undefined);
      const fault = root?.Envelope.Body.Fault;
      expect(fault?.faultcode).to.equal('soap:Client');
      expect(fault?.detail?.SignatureVerificationFault?.Code).to.equal('NoSignatureFound');
      expect(client.lastRequest).to.contain('<ping:PingRequest');
    });
  });
});

interface CallResult {
  Response: {
    OriginalMessageId: string;
    SenderProvidedResponseData: { To: string; MessagePrimaryContent: { PingResponse: { Text: string } } };
    MessageMetadata: { MessageType: string };
  };
  SMEVSignature?: unknown;
}

interface FaultRoot {
  Envelope: {
    Body: { Fault: { faultcode: string; detail?: { SignatureVerificationFault?: { Code: string } } } };
  };
}
