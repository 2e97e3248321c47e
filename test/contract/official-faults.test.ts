/**
 * Every fault the gateway can write, in both SOAP versions and each contract version, carries in its detail an
 * element that validates against the official SMEV 3 faults schema of that version (libxml2), and the gateway's
 * own code stays readable: in `basic:Code`, or at the head of the fault string of the faults the schema leaves
 * empty.
 */
import { expect } from 'chai';
import { XMLSerializer } from '@xmldom/xmldom';
import { FAULT_SHAPES, SIGNATURE_FAULT_CODES } from '../../src/soap/fault-details.js';
import { FAULTS, GatewayFault, type FaultCode } from '../../src/core/faults.js';
import { Contract } from '../../src/soap/contract.js';
import { OPERATIONS } from '../../src/soap/operations.js';
import { faultCodeOf } from '../../src/soap/fault-code.js';
import { writeFault } from '../../src/soap/fault-writer.js';
import {
  EXCHANGE_1_1,
  EXCHANGE_1_2,
  EXCHANGE_1_3,
  NS,
  type ExchangeNamespaces,
} from '../../src/soap/namespaces.js';
import { SOAP11, SOAP12 } from '../../src/soap/version.js';
import { childElements, parseDom, type Element } from '../../src/xml/dom.js';
import { SchemaSet } from '../../src/xml/schemas.js';
import { OFFICIAL_XSD } from '../support/official.js';

const OFFICIAL = OFFICIAL_XSD;
/** The official operations: every one the gateway serves but its own Call. */
const MESSAGE_EXCHANGE_OPERATIONS = OPERATIONS.map((op) => op.name).filter((name) => name !== 'Call');
const CONTRACTS: ReadonlyArray<[ExchangeNamespaces, string]> = [
  [EXCHANGE_1_1, `${OFFICIAL}/v1_1/smev-message-exchange-faults-1.1.xsd`],
  [EXCHANGE_1_2, `${OFFICIAL}/v1_2/smev-message-exchange-faults-1.2.xsd`],
  [EXCHANGE_1_3, `${OFFICIAL}/v1_3/smev-message-exchange-faults-1.3.xsd`],
];
const VERIFICATION_REASONS = [
  ...SIGNATURE_FAULT_CODES,
  'CertificateIsNotYetValid',
  'CertificateIsRevoked',
  'CertificateIsNotTrusted',
  'CertificateIsMalformed',
  'CrlIsStale',
  'CrlIsNotFound',
];

/** Each catalogue code once, the verification fault once per reason, and the faults raised with their fields. */
function everyFault(): GatewayFault[] {
  const faults = (Object.keys(FAULTS) as FaultCode[]).map(
    (code) => new GatewayFault(code, `${code} <&> happened`),
  );
  for (const reason of VERIFICATION_REASONS)
    faults.push(new GatewayFault('SignatureVerificationFault', 'no', { reason }));
  faults.push(
    new GatewayFault('InvalidContent', 'bad', {
      errors: [{ message: 'e1', line: 3, column: 7, element: 'MessageID' }, { message: 'e2' }],
    }),
    new GatewayFault('BusinessDataTypeIsNotSupported', 'x', {
      fields: [
        ['RootElementLocalName', 'Ping'],
        ['RootElementNamespaceURI', 'urn:x'],
      ],
    }),
    new GatewayFault('QuoteLimitExceeded', 'x', { fields: [['RemainedTotalQuoteSize', '0']] }),
    new GatewayFault('DestinationOverflow', 'x', {
      fields: [
        ['MessageBrokerAddress', 'gw'],
        ['DestinationName', 'DEMO'],
      ],
    }),
    new GatewayFault('AttachmentSizeLimitExceeded', 'x', {
      fields: [
        ['PermittedTotalAttachmentSize', '10'],
        ['RealTotalAttachmentSize', '11'],
      ],
    }),
  );
  return faults;
}

function detailOf(xml: string): { element: Element; faultString: string } {
  const doc = parseDom(xml);
  const body = childElements(doc.documentElement as Element).find((e) => e.localName === 'Body');
  const fault = body && childElements(body)[0];
  const detail = fault && childElements(fault).find((e) => /^[dD]etail$/.test(e.localName ?? ''));
  const element = detail && childElements(detail)[0];
  if (!fault || !element) throw new Error(`no detail element in ${xml}`);
  const text = childElements(fault).find((e) => e.localName === 'faultstring' || e.localName === 'Reason');
  return { element, faultString: (text?.textContent ?? '').trim() };
}

describe('contract: faults valid against the official faults schema of each version', () => {
  for (const [contract, file] of CONTRACTS) {
    describe(`message-exchange ${contract.version}`, () => {
      let schema: SchemaSet;
      before(() => (schema = SchemaSet.compile(file)));
      after(() => schema.dispose());

      for (const soap of [SOAP11, SOAP12]) {
        it(`every fault detail, SOAP ${soap.name}, unsigned and with the signature slot`, () => {
          for (const fault of everyFault()) {
            for (const signatureSlot of [false, true]) {
              const xml = writeFault(fault, soap, { contract, signatureSlot });
              const { element, faultString } = detailOf(xml);
              const standalone = new XMLSerializer().serializeToString(element);
              expect(schema.validate(standalone), `${fault.qualifiedCode}: ${standalone}`).to.deep.equal([]);
              expect(element.namespaceURI).to.equal(contract.faults);
              expect(faultCodeOf(element, faultString), fault.qualifiedCode).to.equal(
                fault.reason ?? fault.code,
              );
              if (FAULT_SHAPES[fault.kind.element]?.kind === 'void')
                expect(childElements(element), `${fault.code} is empty`).to.have.length(0);
            }
          }
        });
      }

      it('the verification fault carries one of the official six codes, and the finer reason in Code', () => {
        const xml = writeFault(
          new GatewayFault('SignatureVerificationFault', 'on the CRL', { reason: 'CertificateIsRevoked' }),
          SOAP11,
          { contract },
        );
        const { element } = detailOf(xml);
        const [code, description, inner] = childElements(element);
        expect([code?.namespaceURI, code?.textContent]).to.deep.equal([
          contract.basic,
          'CertificateIsRevoked',
        ]);
        expect([description?.namespaceURI, description?.textContent]).to.deep.equal([
          contract.basic,
          'on the CRL',
        ]);
        expect([inner?.localName, inner?.textContent]).to.deep.equal([
          'SignatureVerificationFault',
          'CertificateIsExpired',
        ]);
      });

      it('a fault with a reason in its fields that is not a schema element still validates (fields are ignored)', () => {
        const xml = writeFault(
          new GatewayFault('AccessDenied', 'no', { fields: [['Unexpected', 'x']] }),
          SOAP11,
          { contract },
        );
        expect(schema.validate(new XMLSerializer().serializeToString(detailOf(xml).element))).to.deep.equal(
          [],
        );
      });
    });
  }

  it('each operation answers only faults the official WSDL of its version declares for it, as the served WSDL does', () => {
    const official = [
      [EXCHANGE_1_1, `${OFFICIAL}/v1_1/smev-message-exchange-service-1.1.wsdl`],
      [EXCHANGE_1_2, `${OFFICIAL}/v1_2/smev-message-exchange-service-1.2.wsdl`],
      [EXCHANGE_1_3, `${OFFICIAL}/v1_3/smev-message-exchange-service-1.3.wsdl`],
    ] as const;
    const elements = new Set(Object.values(FAULTS).map((kind) => kind.element));
    let standIns = 0;
    for (const [contract, file] of official) {
      const theirs = Contract.load(file, 'xsd');
      const served = Contract.load(contract.wsdlFile, 'xsd');
      for (const operation of MESSAGE_EXCHANGE_OPERATIONS) {
        for (const element of elements) {
          expect(
            served.declaresFault(operation, element),
            `${contract.version} ${operation} ${element}`,
          ).to.equal(theirs.declaresFault(operation, element));
        }
        for (const fault of everyFault()) {
          const answered = fault.declaredFor((element) => served.declaresFault(operation, element));
          const where = `${contract.version} ${operation} ${fault.code}`;
          expect(theirs.declaresFault(operation, answered.kind.element), where).to.equal(true);
          expect([answered.code, answered.message, answered.reason], where).to.deep.equal([
            fault.code,
            fault.message,
            fault.reason,
          ]);
          if (answered !== fault) standIns++;
        }
      }
    }
    expect(standIns).to.be.above(0);
  });

  it('a signed fault has one SMEVSignature, in the Header, and the Body carries the Id it references', () => {
    const xml = writeFault(new GatewayFault('MessageIsAlreadySent'), SOAP11, { signatureSlot: true });
    expect(xml.match(/SMEVSignature/g)).to.have.length(1);
    const doc = parseDom(xml);
    const [header, body] = childElements(doc.documentElement as Element);
    expect(header?.localName).to.equal('Header');
    expect(childElements(header as Element).map((e) => e.localName)).to.deep.equal(['SMEVSignature']);
    expect(body?.getAttributeNS(NS.wsu, 'Id')).to.equal('SIGNED_BY_SMEV');
  });
});
