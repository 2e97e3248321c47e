/**
 * Each business schema (ping, certificates, cards, tests) fuzzed through a real gateway (SQLite): the valid
 * example payloads in `examples/` with their elements dropped, duplicated, reordered, moved, wrapped, renamed or
 * re-namespaced, their text replaced by hostile strings (edge numbers and dates, odd Unicode, up to 200,000
 * characters), inside a freshly signed request. The gateway must answer within a second with a fault that is not
 * an internal failure, or with an answer or rejection whose signatures verify; every answer must validate against
 * the schema set; nothing is logged at error level; the process sees no unhandled rejection; and the gateway
 * still serves afterwards.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { readCallAnswer, type CallAnswer } from '../../src/client/answer.js';
import { buildCallRequest, signCallRequest } from '../../src/client/request.js';
import type { TrustStore } from '../../src/signature/pki/trust-store.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { SOAP11, SOAP12, type SoapVersion } from '../../src/soap/version.js';
import { SchemaSet } from '../../src/xml/schemas.js';
import { postSoapRaw } from '../foundation/helpers.js';
import { PING_PAYLOAD, sampleKey } from '../support/gateway.js';
import { examplePayloads } from './arbitraries.js';
import {
  CASE_LIMIT_MS,
  NOT_SERVED_YET,
  fuzzParameters,
  propertyTimeout,
  useFuzzedGateway,
} from './support.js';
import { applyTreeEdits, parseTree, serializeTree, textEdit, treeEdit, type TreeEdit } from './tree-edits.js';

const RUNS = 60;
const SERVICES = ['ping', 'certificates', 'cards', 'tests'] as const;

/** The payload with the edits applied to its own elements (the envelope around it is the client's). */
function editPayload(payload: string, edits: readonly TreeEdit[]): string {
  const doc = parseTree(payload);
  if (!doc?.documentElement) return payload;
  applyTreeEdits(doc, doc.documentElement, edits);
  return serializeTree(doc);
}

/**
 * A request carrying the payload, signed by DEMO_CONSUMER. A payload the client cannot build or sign (not
 * well-formed after the edits: a control character, a lone surrogate) goes in unsigned, as text.
 */
function requestFor(payload: string, version: SoapVersion): string {
  try {
    return signCallRequest(buildCallRequest({ version, payload }).xml, sampleKey('DEMO_CONSUMER'));
  } catch {
    const { xml } = buildCallRequest({ version, payload: PING_PAYLOAD });
    return xml.replace(PING_PAYLOAD, () => payload);
  }
}

describe('fuzz: business payloads through a real gateway', function () {
  this.timeout(propertyTimeout(RUNS * SERVICES.length, 300));
  let trust: TrustStore;
  let schemas: SchemaSet;
  const payloads = examplePayloads();
  const outcomes = new Map<string, number>();

  async function send(xml: string, version: SoapVersion): Promise<CallAnswer> {
    errors.lines.length = 0;
    const response = await postSoapRaw(gateway.endpoint, xml, version);
    expect(response.ms, 'answered within the limit').to.be.below(CASE_LIMIT_MS);
    expect(errors.lines, 'nothing logged at error level').to.deep.equal([]);
    expect(schemas.validate(response.body), 'the answer validates against the schema set').to.deep.equal([]);
    const answer = readCallAnswer(response.body, trust);
    if (answer.kind === 'fault') {
      if (!NOT_SERVED_YET.test(answer.message)) {
        expect(answer.element, `not an internal failure: ${answer.message}`).not.to.equal('SMEVFailure');
      }
    } else {
      expect(response.status).to.equal(200);
    }
    const key = answer.kind === 'fault' ? `fault ${answer.code}` : answer.kind;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    return answer;
  }

  const { gateway, errors, watch } = useFuzzedGateway();
  before(() => {
    trust = loadTrustStore(gateway.config);
    schemas = SchemaSet.compile('xsd/gateway.xsd');
  });
  after(() => {
    schemas.dispose();
    if (process.env.FUZZ_RUNS) console.log('    outcomes:', Object.fromEntries([...outcomes].sort()));
  });

  it('every example payload is answered, not refused (control)', async () => {
    for (const payload of Object.values(payloads).flat()) {
      const answer = await send(requestFor(payload, SOAP11), SOAP11);
      expect(answer.kind, `${payload}: ${JSON.stringify(answer)}`).not.to.equal('fault');
    }
  });

  for (const service of SERVICES) {
    it(`${service}: a mutated payload gets a fault or a valid answer, within the limit`, async () => {
      const examples = payloads[service] ?? [];
      expect(examples.length).to.be.above(0);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...examples),
          fc.array(fc.oneof(treeEdit, textEdit), { minLength: 1, maxLength: 4 }),
          fc.oneof(
            { weight: 4, arbitrary: fc.constant(SOAP11) },
            { weight: 1, arbitrary: fc.constant(SOAP12) },
          ),
          async (example, edits, version) => {
            await send(requestFor(editPayload(example, edits), version), version);
          },
        ),
        fuzzParameters(RUNS),
      );
    });
  }

  it('the gateway still serves afterwards, and the process saw no unhandled rejection', async () => {
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).to.equal(200);
    const answer = await send(requestFor(PING_PAYLOAD, SOAP11), SOAP11);
    expect(answer.kind).to.equal('answer');
    watch.check();
  });
});
