/**
 * The gateway's WSDL declares, on each operation the official SMEV 3 1.1 WSDL defines, every fault the official
 * one declares there, under the official fault and message names, so stubs generated from either get the same
 * exception classes; and each fault message carries the official fault element. Its input and output messages
 * carry the official names, and it names the official Java package and offers MTOM as the official one does, so
 * `wsimport` makes the same classes from either.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { childElements, parseDom, type Element } from '../../src/xml/dom.js';
import { OFFICIAL_XSD } from '../support/official.js';

const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const OFFICIAL = `${OFFICIAL_XSD}/v1_1/smev-message-exchange-service-1.1.wsdl`;

interface Declared {
  /** operation → fault name → message name */
  readonly faults: Map<string, Map<string, string>>;
  /** operation → its input and output message names */
  readonly io: Map<string, string[]>;
  /** the jaxws:package name, and the policies the SOAP 1.1 binding refers to */
  readonly javaPackage: string | undefined;
  readonly soap11Policies: string[];
  /** message name → the local name of its part's element */
  readonly messages: Map<string, string>;
}

function declared(file: string): Declared {
  const doc = parseDom(readFileSync(file, 'utf8'));
  const definitions = doc.documentElement as Element;
  const wsdl = (parent: Element, name: string) =>
    childElements(parent).filter((e) => e.namespaceURI === WSDL_NS && e.localName === name);
  const messages = new Map<string, string>();
  for (const message of wsdl(definitions, 'message')) {
    const part = wsdl(message, 'part')[0];
    messages.set(
      message.getAttribute('name') ?? '',
      (part?.getAttribute('element') ?? '').replace(/^.*:/, ''),
    );
  }
  const faults = new Map<string, Map<string, string>>();
  const io = new Map<string, string[]>();
  for (const portType of wsdl(definitions, 'portType')) {
    for (const operation of wsdl(portType, 'operation')) {
      io.set(
        operation.getAttribute('name') ?? '',
        [...wsdl(operation, 'input'), ...wsdl(operation, 'output')].map(
          (e) => e.getAttribute('message') ?? '',
        ),
      );
      const byName = new Map<string, string>();
      for (const fault of wsdl(operation, 'fault'))
        byName.set(
          fault.getAttribute('name') ?? '',
          (fault.getAttribute('message') ?? '').replace(/^tns:/, ''),
        );
      faults.set(operation.getAttribute('name') ?? '', byName);
    }
  }
  const javaPackage =
    doc.getElementsByTagNameNS('http://java.sun.com/xml/ns/jaxws', 'package')[0]?.getAttribute('name') ??
    undefined;
  const soap11 = wsdl(definitions, 'binding').find(
    (b) => b.getAttribute('name') === 'SMEVMessageExchangeSoap11Binding',
  );
  const soap11Policies = soap11
    ? childElements(soap11)
        .filter((e) => e.localName === 'PolicyReference')
        .map((e) => e.getAttribute('URI') ?? '')
    : [];
  return { faults, messages, io, javaPackage, soap11Policies };
}

describe('contract: the gateway WSDL declares the official faults per operation', () => {
  const official = declared(OFFICIAL);
  const ours = declared('wsdl/smev-gateway.wsdl');

  for (const [operation, faults] of official.faults) {
    it(`${operation}: every official fault, with its official fault and message names and element`, () => {
      const mine = ours.faults.get(operation);
      expect(mine, `the gateway declares ${operation}`).to.not.equal(undefined);
      for (const [faultName, message] of faults) {
        expect(mine?.get(faultName), `${operation} declares ${faultName}`).to.equal(message);
        expect(ours.messages.get(message), `message ${message}`).to.equal(official.messages.get(message));
      }
    });
  }

  for (const [operation, messages] of official.io) {
    it(`${operation}: its input and output messages under the official names`, () => {
      expect(ours.io.get(operation)).to.deep.equal(messages);
    });
  }

  it('names the official Java package and offers MTOM on the SOAP 1.1 binding, as the official WSDL does', () => {
    expect(ours.javaPackage).to.equal(official.javaPackage).and.not.equal(undefined);
    expect(ours.soap11Policies).to.deep.equal(official.soap11Policies).and.deep.equal(['#MTOM_Policy']);
  });
});
