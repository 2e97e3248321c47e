/**
 * The minimal inputs the fuzz properties found, each kept as a plain test of the fault it must now get.
 */
import { expect } from 'chai';
import { GatewayFault } from '../../src/soap/faults.js';
import { NS } from '../../src/soap/namespaces.js';
import { parseDom } from '../../src/xml/dom.js';
import { guardXml } from '../../src/xml/guard.js';
import { postSoapRaw, readFault } from '../foundation/helpers.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const LIMITS = { maxDepth: 64, maxAttributes: 256 };

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
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway();
  });
  after(() => gateway.stop());

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
});
