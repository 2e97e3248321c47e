/**
 * Raw HTTP requests to the SOAP endpoint of a real gateway (SQLite): arbitrary bytes (invalid UTF-8 included),
 * token soups and mutated example messages as bodies, with arbitrary content types and SOAPAction headers. Every
 * answer must come within a second as a SOAP message the client reads (a fault that is not an internal failure,
 * or an answer whose signatures verify); nothing is logged at error level, the process sees no unhandled
 * rejection, and the gateway still serves afterwards.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { readCallAnswer } from '../../src/client/answer.js';
import type { TrustStore } from '../../src/signature/pki/trust-store.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { SOAP12 } from '../../src/soap/version.js';
import { rawHttp } from '../foundation/helpers.js';
import { signedCall } from '../support/gateway.js';
import { anyString, exampleMessages, tokenSoup, xmlDocument } from './arbitraries.js';
import {
  CASE_LIMIT_MS,
  NOT_SERVED_YET,
  fuzzParameters,
  propertyTimeout,
  useFuzzedGateway,
} from './support.js';
import { mutatedMessage } from './tree-edits.js';

const RUNS = 200;

const CONTENT_TYPES = [
  'text/xml',
  'text/xml; charset=utf-8',
  'text/xml; charset="UTF-8"',
  'TEXT/XML;CHARSET=UTF8',
  'text/xml; charset=iso-8859-1',
  'application/soap+xml; charset=utf-8; action="urn:Call"',
  'application/soap+xml; action=urn:Call',
  'application/soap+xml; action="urn:SendRequest"',
  'application/soap+xml; action=',
  'application/soap+xml;;;',
  'application/xml',
  'multipart/related; type="application/xop+xml"',
  ';',
  '',
];

const header = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);

describe('fuzz: raw requests to the SOAP endpoint of a real gateway', function () {
  this.timeout(propertyTimeout(RUNS, 200));
  let trust: TrustStore;

  const { gateway, errors, watch } = useFuzzedGateway();
  before(() => {
    trust = loadTrustStore(gateway.config);
  });

  it('every request gets a SOAP answer the client reads, within the limit', async () => {
    const seeds = [...exampleMessages(), signedCall().xml, signedCall({ version: SOAP12 }).xml];
    const text = fc.oneof(anyString, tokenSoup, xmlDocument, { weight: 3, arbitrary: mutatedMessage(seeds) });
    const bytes = fc.oneof(
      { weight: 4, arbitrary: text.map((t) => Buffer.from(t, 'utf8')) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
      {
        weight: 1,
        // A valid message with bytes that are not UTF-8 spliced in.
        arbitrary: fc
          .tuple(fc.constantFrom(...seeds), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 }))
          .map(([seed, at, junk]) => {
            const body = Buffer.from(seed, 'utf8');
            const cut = at % (body.length + 1);
            return Buffer.concat([body.subarray(0, cut), Buffer.from(junk), body.subarray(cut)]);
          }),
      },
    );
    const contentType = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, header);
    const soapAction = fc.option(fc.oneof(fc.constantFrom('"urn:Call"', 'urn:Call', '""', '"'), header));

    await fc.assert(
      fc.asyncProperty(bytes, contentType, soapAction, async (body, type, action) => {
        errors.lines.length = 0;
        const headers: Record<string, string> = { 'content-type': type };
        if (action !== null) headers.soapaction = action;
        const response = await rawHttp(gateway.endpoint, { body, headers });
        expect(response.ms, 'answered within the limit').to.be.below(CASE_LIMIT_MS);
        expect(errors.lines, 'nothing logged at error level').to.deep.equal([]);
        expect([200, 400, 413, 415, 500]).to.include(response.status);
        const answer = readCallAnswer(response.body, trust);
        if (answer.kind === 'fault') {
          if (!NOT_SERVED_YET.test(answer.message)) {
            expect(answer.element, `not an internal failure: ${answer.message}`).not.to.equal('SMEVFailure');
          }
        }
      }),
      fuzzParameters(RUNS),
    );
  });

  it('the gateway still serves afterwards, and the process saw no unhandled rejection', async () => {
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).to.equal(200);
    const response = await rawHttp(gateway.endpoint, {
      body: signedCall().xml,
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:Call"' },
    });
    expect(readCallAnswer(response.body, trust).kind).to.equal('answer');
    watch.check();
  });
});
