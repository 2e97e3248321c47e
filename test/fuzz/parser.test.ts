/**
 * Fuzzing the parts that read a message before any signature is checked: the hardened gate and the DOM parse,
 * the envelope reader, the schema set and the reader of the signed block. Input: arbitrary strings, XML-ish token
 * soups, and edits of the valid example messages. Each part must give a value or a GatewayFault — never another
 * exception — within a second.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { loadConfig } from '../../src/config/config.js';
import { readSenderRequest } from '../../src/smev/request.js';
import { readEnvelope } from '../../src/soap/envelope.js';
import { SOAP11, SOAP12 } from '../../src/soap/version.js';
import { parseDom, type Document } from '../../src/xml/dom.js';
import { guardXml, parseWithinLimits } from '../../src/xml/guard.js';
import { SchemaSet } from '../../src/xml/schemas.js';
import { signedCall } from '../support/gateway.js';
import { anyString, examplePayloads, exampleMessages, tokenSoup, xmlDocument } from './arbitraries.js';
import { mutatedMessage } from './tree-edits.js';
import { fuzzParameters, propertyTimeout, valueOrFault } from './support.js';

const RUNS = 300;
const limits = loadConfig({ env: {} }).limits;

/** What the parse step does: the tree, built within the gate's limits (and after the strict gate, where needed). */
function parseMessage(text: string): Document {
  return parseWithinLimits(text, limits).doc;
}

/** A signed Call for every example payload, and one in SOAP 1.2. */
function signedSeeds(): string[] {
  const payloads = Object.values(examplePayloads()).flat();
  return [...payloads.map((payload) => signedCall({ payload }).xml), signedCall({ version: SOAP12 }).xml];
}

/** Valid messages to mutate: the committed examples and the signed Calls. */
const seeds = () => [...exampleMessages(), ...signedSeeds()];

describe('fuzz: parser, envelope reader and schema set', function () {
  this.timeout(propertyTimeout(RUNS, 20));
  let schemas: SchemaSet;
  let input: fc.Arbitrary<string>;

  before(() => {
    schemas = SchemaSet.compile('xsd/gateway.xsd');
    input = fc.oneof(anyString, tokenSoup, xmlDocument, { weight: 3, arbitrary: mutatedMessage(seeds()) });
  });
  after(() => schemas.dispose());

  it('the valid examples parse, and the signed Calls read and validate (control)', () => {
    for (const text of exampleMessages()) expect(() => parseDom(text)).not.to.throw();
    for (const text of signedSeeds()) {
      const doc = parseMessage(text);
      const version = doc.documentElement?.namespaceURI === SOAP12.envelopeNs ? SOAP12 : SOAP11;
      expect(schemas.validate(text)).to.deep.equal([]);
      readSenderRequest(readEnvelope(doc, version, 'urn:Call').operationElement);
    }
  });

  it('the gate and the DOM parse give a document or a GatewayFault', () => {
    fc.assert(
      fc.property(input, (text) => {
        valueOrFault('guardXml + parseDom', () => parseMessage(text));
      }),
      fuzzParameters(RUNS),
    );
  });

  it('what the limits let through and the strict gate refuses, libxml2 refuses too; what the gate refuses for a limit, the limits refuse', () => {
    fc.assert(
      fc.property(input, (text) => {
        const strict = valueOrFault('guardXml', () => guardXml(text, limits));
        const watched = valueOrFault('parseWithinLimits', () => parseWithinLimits(text, limits));
        if (strict.kind === 'value') return;
        const gateCode = strict.fault.code;
        if (gateCode !== 'MalformedXml') {
          // A limit, a DOCTYPE or a processing instruction: refused either way, for the same reason or for
          // XML that xmldom cannot read before it (an undeclared prefix, which the namespace-blind gate passes).
          expect(watched.kind === 'fault' && watched.fault.code, text).to.be.oneOf([
            gateCode,
            'MalformedXml',
          ]);
        } else if (watched.kind === 'value') {
          // The validate step's strict parse must refuse it, and then it answers with the gate's own fault.
          expect(watched.value.strict, text).to.equal(false);
          expect(schemas.validate(text), text).not.to.deep.equal([]);
        }
      }),
      fuzzParameters(RUNS),
    );
  });

  it('the envelope reader gives an envelope or a GatewayFault', () => {
    const action = fc.constantFrom(undefined, 'urn:Call', 'urn:SendRequest', '', '"urn:Call"');
    fc.assert(
      fc.property(input, fc.boolean(), action, (text, soap12, soapAction) => {
        const parsed = valueOrFault('parse', () => parseMessage(text));
        if (parsed.kind === 'fault') return;
        valueOrFault('readEnvelope', () => readEnvelope(parsed.value, soap12 ? SOAP12 : SOAP11, soapAction));
      }),
      fuzzParameters(RUNS),
    );
  });

  it('the schema set answers with a list of problems; a valid Call always yields its signed block', () => {
    fc.assert(
      fc.property(input, (text) => {
        const parsed = valueOrFault('parse', () => parseMessage(text));
        if (parsed.kind === 'fault') return;
        const validated = valueOrFault('SchemaSet.validate', () => schemas.validate(text));
        if (validated.kind === 'fault')
          throw new Error('SchemaSet.validate threw a fault instead of answering');
        expect(validated.value).to.be.an('array');
        if (validated.value.length) return;
        const doc = parsed.value;
        const version = doc.documentElement?.namespaceURI === SOAP12.envelopeNs ? SOAP12 : SOAP11;
        const envelope = valueOrFault('readEnvelope', () => readEnvelope(doc, version, undefined));
        if (envelope.kind === 'fault' || envelope.value.operation.name !== 'Call') return;
        // What the schema accepted, the reader of the tree must find: the two parsers agree on the message.
        const request = valueOrFault('readSenderRequest', () =>
          readSenderRequest(envelope.value.operationElement),
        );
        expect(request.kind, 'a schema-valid Call has a readable signed block').to.equal('value');
      }),
      fuzzParameters(RUNS),
    );
  });
});
