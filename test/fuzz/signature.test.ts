/**
 * Mutated signed requests through a real gateway (SQLite). Every case signs a fresh base request (a new
 * MessageID, so the replay guard never answers for the signature), mutates it and posts it. The property:
 *
 * - the answer comes within a second and is a SOAP answer the client reads (its signatures verify);
 * - a success is allowed only when what the signature covers is unchanged (signed-form.ts: the one signed block
 *   and the one SignedInfo canonicalise as before, same signature value and certificate), the signer is a
 *   registered system, the answer echoes the signed text, and the MessageID was never answered before; sent
 *   again, the same message is refused as a replay;
 * - the unmutated base succeeds (the control that keeps the property from holding by accident);
 * - no fault is an internal failure, nothing is logged at error level, the process sees no unhandled rejection,
 *   and the gateway still serves a health check and a signed request afterwards.
 */
import type { KeyObject } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { readCallAnswer, type CallAnswer } from '../../src/client/answer.js';
import { buildCallRequest, signCallRequest } from '../../src/client/request.js';
import type { TrustStore } from '../../src/signature/pki/trust-store.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import type { SigningKey } from '../../src/signature/xml-signature.js';
import { SOAP11, SOAP12, type SoapVersion } from '../../src/soap/version.js';
import { postSoapRaw } from '../foundation/helpers.js';
import { PING_PAYLOAD, sampleKey } from '../support/gateway.js';
import { formDifference, sameSignedForm, signedFormOf, type SigningProfile } from './signed-form.js';
import { applySignedMutation, signedMutation, type SignedMutation } from './signed-mutations.js';
import {
  CASE_LIMIT_MS,
  NOT_SERVED_YET,
  fuzzParameters,
  propertyTimeout,
  useFuzzedGateway,
} from './support.js';

const RUNS = 200;
const PING_TEXT = 'hello';

interface Base {
  readonly version: SoapVersion;
  readonly profile: SigningProfile;
  /** REVOKED_SYSTEM's certificate is on the sample CA's CRL: nothing it signs may succeed. */
  readonly signer: 'DEMO_CONSUMER' | 'REVOKED_SYSTEM';
}

const base: fc.Arbitrary<Base> = fc.record({
  version: fc.constantFrom(SOAP11, SOAP12),
  profile: fc.constantFrom<SigningProfile>('xmldsig', 'smev'),
  signer: fc.oneof(
    { weight: 9, arbitrary: fc.constant('DEMO_CONSUMER' as const) },
    { weight: 1, arbitrary: fc.constant('REVOKED_SYSTEM' as const) },
  ),
});

const keys = new Map<string, SigningKey & { privateKey: KeyObject }>();
function keyOf(system: string): SigningKey {
  let key = keys.get(system);
  if (!key) {
    key = sampleKey(system) as SigningKey & { privateKey: KeyObject };
    keys.set(system, key);
  }
  return key;
}

/** A freshly signed base request: a new MessageID every time. */
function signedBase(b: Base): string {
  const request = buildCallRequest({ version: b.version, payload: PING_PAYLOAD });
  return signCallRequest(request.xml, keyOf(b.signer), b.profile);
}

function pingText(answer: CallAnswer): string | undefined {
  if (answer.kind !== 'answer') return undefined;
  return /<(?:[\w.-]+:)?Text>([^<]*)</.exec(answer.payload ?? '')?.[1];
}

describe('fuzz: mutated signed requests through a real gateway', function () {
  this.timeout(propertyTimeout(RUNS, 200));
  let trust: TrustStore;
  const answered = new Set<string>();
  const outcomes = new Map<string, number>();

  async function send(xml: string, version: SoapVersion): Promise<CallAnswer> {
    errors.lines.length = 0;
    const response = await postSoapRaw(gateway.endpoint, xml, version);
    expect(response.ms, 'answered within the limit').to.be.below(CASE_LIMIT_MS);
    expect(response.headers['content-type'] ?? '').to.contain(version.mediaType);
    const answer = readCallAnswer(response.body, trust);
    expect(response.status).to.equal(
      answer.kind === 'fault' ? (version === SOAP11 ? 500 : response.status) : 200,
    );
    expect(errors.lines, 'nothing logged at error level').to.deep.equal([]);
    if (answer.kind === 'fault') {
      if (!NOT_SERVED_YET.test(answer.message)) {
        expect(answer.element, `not an internal failure: ${answer.message}`).not.to.equal('SMEVFailure');
      }
    }
    return answer;
  }

  const { gateway, errors, watch } = useFuzzedGateway();
  before(() => {
    trust = loadTrustStore(gateway.config);
  });
  after(() => {
    if (process.env.FUZZ_RUNS) console.log('    outcomes:', Object.fromEntries([...outcomes].sort()));
  });

  it('an unmutated signed request succeeds in each SOAP version and signing profile (control)', async () => {
    for (const version of [SOAP11, SOAP12]) {
      for (const profile of ['xmldsig', 'smev'] as const) {
        const answer = await send(signedBase({ version, profile, signer: 'DEMO_CONSUMER' }), version);
        expect(answer.kind, JSON.stringify(answer)).to.equal('answer');
        expect(pingText(answer)).to.equal(PING_TEXT);
      }
    }
  });

  it('a mutated signed request succeeds only when what is signed is unchanged', async () => {
    // Now and then no mutation at all: the control inside the property.
    const mutations = fc.oneof(
      { weight: 1, arbitrary: fc.constant<SignedMutation[]>([]) },
      { weight: 15, arbitrary: fc.array(signedMutation, { minLength: 1, maxLength: 3 }) },
    );
    await fc.assert(
      fc.asyncProperty(base, mutations, async (b: Base, edits: SignedMutation[]) => {
        const original = signedBase(b);
        const mutated = edits.reduce(applySignedMutation, original);
        const answer = await send(mutated, b.version);
        const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        const form = signedFormOf(mutated, b.profile);
        const unchanged = sameSignedForm(signedFormOf(original, b.profile), form);
        count(
          answer.kind === 'fault'
            ? `fault ${answer.code}`
            : `${answer.kind}${edits.length ? ' (mutated)' : ''}`,
        );

        if (edits.length === 0 && b.signer === 'DEMO_CONSUMER') {
          expect(answer.kind, 'the unmutated base succeeds').to.equal('answer');
        }
        if (answer.kind === 'fault') return;
        expect(b.signer, 'only a registered, valid signer succeeds').to.equal('DEMO_CONSUMER');
        expect(
          unchanged,
          `success only when the signed form is unchanged: ${formDifference(signedFormOf(original, b.profile), form)}`,
        ).to.equal(true);
        expect(pingText(answer), 'the answer echoes the signed text').to.equal(PING_TEXT);
        const messageId = form?.messageId ?? '';
        expect(answered.has(messageId), 'a MessageID is answered once').to.equal(false);
        answered.add(messageId);
        const replay = await send(mutated, b.version);
        expect(replay.kind === 'fault' && replay.code, 'the same message again is a replay').to.equal(
          'MessageIsAlreadySent',
        );
      }),
      fuzzParameters(RUNS),
    );
  });

  it('the gateway still serves afterwards, and the process saw no unhandled rejection', async () => {
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).to.equal(200);
    const answer = await send(
      signedBase({ version: SOAP11, profile: 'xmldsig', signer: 'DEMO_CONSUMER' }),
      SOAP11,
    );
    expect(answer.kind).to.equal('answer');
    watch.check();
  });
});
