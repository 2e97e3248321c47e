/**
 * The minimal inputs the fuzz properties found, each kept as a plain test of the fault it must now get.
 */
import { expect } from 'chai';
import { writeFault } from '../../src/soap/fault-writer.js';
import { GatewayFault } from '../../src/core/faults.js';
import { NS } from '../../src/soap/namespaces.js';
import { parseDom } from '../../src/xml/dom.js';
import { guardXml } from '../../src/xml/guard.js';
import { postSoapRaw, readFault } from '../foundation/helpers.js';
import { buildCallRequest, signCallRequest } from '../../src/client/request.js';
import { EXC_C14N, SMEV_TRANSFORM_URI } from '../../src/signature/algorithms.js';
import { SOAP11, SOAP12 } from '../../src/soap/version.js';
import { PING_PAYLOAD, sampleKey, signedCall, useGateway } from '../support/gateway.js';

const LIMITS = { maxDepth: 64, maxAttributes: 256, maxNodes: 100_000 };
const PING_NS = 'urn://smev-gateway/services/ping/1.0';

function faultOf(run: () => unknown): GatewayFault {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(GatewayFault);
    return error as GatewayFault;
  }
  throw new Error('expected a GatewayFault, nothing was thrown');
}

describe('fuzz findings', () => {
  const gateway = useGateway();

  describe('an undeclared namespace prefix (the gate is namespace-blind, xmldom is not)', () => {
    const UNDECLARED = `<soap:Envelope xmlns:soap="${NS.soap11}"><soap:Body><x:a/></soap:Body></soap:Envelope>`;

    it('passes the gate, and the DOM parse refuses it with MalformedXml, not a ParseError', () => {
      expect(() => guardXml(UNDECLARED, LIMITS)).not.to.throw();
      expect(faultOf(() => parseDom(UNDECLARED)).code).to.equal('MalformedXml');
      expect(faultOf(() => parseDom('<p:a/>')).code).to.equal('MalformedXml');
    });

    it('is answered as a client fault, not as an internal failure', async () => {
      const answer = await postSoapRaw(gateway.endpoint, UNDECLARED);
      const fault = readFault(answer.body);
      expect(fault.soapCode).to.equal('soap:Client');
      expect(fault.element).to.equal('InvalidContent');
      expect(fault.code).to.equal('MalformedXml');
    });
  });

  describe('Reference transforms in another order than the signing profiles', () => {
    const transform = (uri: string) => `<ds:Transform Algorithm="${uri}"/>`;
    const smevSigned = () =>
      signCallRequest(
        buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD }).xml,
        sampleKey('DEMO_CONSUMER'),
        'smev',
      );

    for (const [name, chain] of [
      ['the SMEV transform before exclusive c14n', [SMEV_TRANSFORM_URI, EXC_C14N]],
      ['exclusive c14n twice', [EXC_C14N, EXC_C14N]],
      ['the SMEV transform twice after c14n', [EXC_C14N, SMEV_TRANSFORM_URI, SMEV_TRANSFORM_URI]],
    ] as const) {
      it(`${name}: refused as SignatureIsInvalid, not an internal failure`, async () => {
        const xml = smevSigned().replace(
          transform(EXC_C14N) + transform(SMEV_TRANSFORM_URI),
          chain.map(transform).join(''),
        );
        expect(xml).to.contain(chain.map(transform).join(''));
        const fault = readFault((await postSoapRaw(gateway.endpoint, xml)).body);
        expect(fault.soapCode).to.equal('soap:Client');
        expect(fault.element).to.equal('SignatureVerificationFault');
        expect(fault.code).to.equal('SignatureIsInvalid');
      });
    }
  });

  describe('stray characters in base64 values (skipped by Node, let through by libxml2)', () => {
    for (const [element, stray, code] of [
      ['SignatureValue', '&lt;', 'SignatureIsInvalid'],
      ['SignatureValue', '!', 'SignatureIsInvalid'],
      ['SignatureValue', '\u00a0', 'SignatureIsInvalid'],
      ['X509Certificate', '.', 'CertificateIsMalformed'],
      ['X509Certificate', '\u00a0', 'CertificateIsMalformed'],
      ['DigestValue', '_', 'SignatureIsInvalid'],
    ] as const) {
      const label = stray === '\u00a0' ? 'a no-break space' : JSON.stringify(stray);
      it(`${label} in ${element} is refused as ${code}`, async () => {
        const { xml } = signedCall();
        const mutated = xml.replace(`<ds:${element}>`, `<ds:${element}>${stray}`);
        expect(mutated).not.to.equal(xml);
        const fault = readFault((await postSoapRaw(gateway.endpoint, mutated)).body);
        expect(fault.element).to.equal('SignatureVerificationFault');
        expect(fault.code).to.equal(code);
      });
    }

    it('XML whitespace inside the base64 values is still accepted', async () => {
      const { xml } = signedCall();
      const wrapped = xml.replace(
        /(<ds:(SignatureValue|X509Certificate)>)([^<]+)/g,
        (_all, open: string, _name: string, value: string) =>
          `${open}\n${value.replace(/(.{64})/g, '$1\r\n\t ')}\n`,
      );
      const answer = await postSoapRaw(gateway.endpoint, wrapped);
      expect(answer.status, answer.body).to.equal(200);
    });
  });

  describe('text that looks like a reference (xmlbuilder2 writes `&name;` and `&#n;` as they are)', () => {
    const TEXTS = ['a&e;b', 'a&#0;b', 'a&#65;b', '&amp;', '&lt;x&gt;'];
    const ping = (text: string) =>
      `<ping:PingRequest xmlns:ping="urn://smev-gateway/services/ping/1.0"><ping:Text>${text
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')}</ping:Text></ping:PingRequest>`;

    it('a fault whose message quotes such text is well-formed and says the text exactly', () => {
      for (const text of TEXTS) {
        const fault = new GatewayFault('InvalidContent', `bad ${text}`, {
          errors: [{ message: `value ${text}`, element: 'x' }],
          fields: [['RootElementLocalName', text]],
        });
        for (const version of [SOAP11, SOAP12]) {
          const doc = parseDom(writeFault(fault, version));
          expect(doc.getElementsByTagNameNS(NS.basic, 'Description')[0]?.textContent).to.equal(`bad ${text}`);
          expect(doc.getElementsByTagNameNS(NS.faults, 'ValidationError')[0]?.textContent).to.equal(
            `value ${text} (element x)`,
          );
        }
      }
    });

    it('the client keeps such text in the payload it signs', () => {
      for (const text of TEXTS) {
        const { xml } = buildCallRequest({ version: SOAP11, payload: ping(text) });
        expect(parseDom(xml).getElementsByTagNameNS(PING_NS, 'Text')[0]?.textContent).to.equal(text);
      }
    });

    it('a ping echoes such text exactly in its signed answer', async () => {
      for (const text of TEXTS) {
        const answer = await postSoapRaw(gateway.endpoint, signedCall({ payload: ping(text) }).xml);
        expect(answer.status, answer.body).to.equal(200);
        const echoed = parseDom(answer.body).getElementsByTagNameNS(PING_NS, 'Text')[0]?.textContent;
        expect(echoed).to.equal(text);
      }
    });
  });

  describe('U+FFFD (xmldom warns of it as a possible encoding problem)', () => {
    it('parses: it is a character XML allows', () => {
      expect(parseDom('<a b="\ufffd">\ufffd</a>').documentElement?.textContent).to.equal('\ufffd');
    });

    it('a ping with it is answered and echoes it', async () => {
      const payload = `<ping:PingRequest xmlns:ping="${PING_NS}"><ping:Text>a\ufffdb</ping:Text></ping:PingRequest>`;
      const answer = await postSoapRaw(gateway.endpoint, signedCall({ payload }).xml);
      expect(answer.status, answer.body).to.equal(200);
      expect(parseDom(answer.body).getElementsByTagNameNS(PING_NS, 'Text')[0]?.textContent).to.equal(
        'a\ufffdb',
      );
    });
  });

  describe('U+0085, U+2028 and U+2029 (xmldom turned them into LF, as XML 1.1 does)', () => {
    it('stay themselves in the tree, as in XML 1.0; CR LF and CR still become LF', () => {
      const doc = parseDom('<a b="x\u2028y">1\u00852\u20283\u20294\r\n5\r6</a>');
      expect(doc.documentElement?.textContent).to.equal('1\u00852\u20283\u20294\n5\n6');
    });

    for (const [name, separator] of [
      ['U+2028', '\u2028'],
      ['U+0085', '\u0085'],
    ] as const) {
      it(`a signed LF replaced by ${name} no longer verifies`, async () => {
        const payload = `<ping:PingRequest xmlns:ping="${PING_NS}"><ping:Text>a\nb</ping:Text></ping:PingRequest>`;
        const { xml } = signedCall({ payload });
        expect((await postSoapRaw(gateway.endpoint, signedCall({ payload }).xml)).status).to.equal(200);
        const mutated = xml.replace('a\nb', `a${separator}b`);
        expect(mutated).not.to.equal(xml);
        const fault = readFault((await postSoapRaw(gateway.endpoint, mutated)).body);
        expect(fault.code).to.equal('SignatureIsInvalid');
      });
    }
  });

  describe('a schema-valid number the codec cannot read exactly (beyond the safe integer range)', () => {
    it('is refused as InvalidContent, a client fault, not an internal failure', async () => {
      const payload =
        '<cert:DailyRegistryRequest xmlns:cert="urn://smev-gateway/services/certificates/1.0">' +
        '<cert:RegistryDate>2026-11-23</cert:RegistryDate><cert:Transaction>' +
        '<cert:TransactionId>DEMO-2026-0001</cert:TransactionId>' +
        '<cert:CertificateNumber>470000000013</cert:CertificateNumber><cert:Cost>3450000</cert:Cost>' +
        '</cert:Transaction><cert:TotalCount>1</cert:TotalCount>' +
        '<cert:TotalCost>9223372036854775807</cert:TotalCost></cert:DailyRegistryRequest>';
      const fault = readFault((await postSoapRaw(gateway.endpoint, signedCall({ payload }).xml)).body);
      expect(fault.soapCode).to.equal('soap:Client');
      expect(fault.element).to.equal('InvalidContent');
      expect(fault.reason).to.contain('TotalCost');
    });
  });
});
