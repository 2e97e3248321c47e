/**
 * The documents service's limits under attempts made at once, on SQLite and PostgreSQL, with two gateways on one
 * store: a third party's wrong codes (maxWrongCodes), refusals of one code to systems it was not opened for
 * (maxFailuresPerCode) and wrong consent codes (three) each stop at their limit, however many arrive together,
 * and whether they come as test messages or not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readCallAnswer } from '../../../src/client/answer.js';
import { buildCallRequest, signCallRequest } from '../../../src/client/request.js';
import { SOAP11 } from '../../../src/soap/version.js';
import { createDocumentsProvider, DOCUMENTS_NS } from '../../../src/providers/documents/index.js';
import { loadTrustStore } from '../../../src/signature/setup.js';
import { signDetached } from '../../../src/signature/xml-signature.js';
import type { DocumentsTables } from '../../../src/store/schema-documents.js';
import { post, sampleKey, signedCall, startTestGateway, type TestGateway } from '../../support/gateway.js';
import { startSmsSink, type SmsSink } from '../../support/sms-sink.js';
import { dropSchema, freshSchema, STORES } from '../../support/store.js';

const TYPES_1_1 = 'urn://x-artefacts-smev-gov-ru/services/message-exchange/types/1.1';
const ISSUER = 'SOCPROTECT_47';
const PORTAL = 'PORTAL_26';
const THIRD = 'DEMO_CONSUMER';
const IIN = '870412300517';
const MAX_WRONG_CODES = 5;
const MAX_FAILURES_PER_CODE = 3;
/** The provider's own limit of wrong consent codes. */
const MAX_CONSENT_FAILURES = 3;
const AT_ONCE = 40;

const wrap = (name: string, inner: string) => `<d:${name} xmlns:d="${DOCUMENTS_NS}">${inner}</d:${name}>`;
const field = (payload: string | undefined, name: string) =>
  new RegExp(`<${name}>([^<]*)</${name}>`).exec(payload ?? '')?.[1] ?? '';
const byCode = (code: string) => wrap('PresentDocumentRequest', `<d:ShortCode>${code}</d:ShortCode>`);
/** How many times each answer came. */
const tally = (answers: string[]) =>
  answers.reduce<Record<string, number>>((counts, a) => ({ ...counts, [a]: (counts[a] ?? 0) + 1 }), {});

function signedDocument(type: string): string {
  const xml =
    `<d:SignedDocument xmlns:d="${DOCUMENTS_NS}"><d:Document Id="doc-1"><d:Type>${type}</d:Type>` +
    `<d:Content>c</d:Content></d:Document><t:PersonalSignature xmlns:t="${TYPES_1_1}"/></d:SignedDocument>`;
  return signDetached(xml, 'doc-1', 'PersonalSignature', sampleKey(ISSUER));
}

for (const store of STORES) {
  describe(`documents: limits hold for attempts made at once (${store}, two gateways on one store)`, function () {
    this.timeout(120_000);
    const gateways: TestGateway[] = [];
    let sms: SmsSink;
    let dir = '';
    const schema = store === 'postgres' ? freshSchema('test_lockout') : undefined;

    before(async () => {
      sms = await startSmsSink();
      dir = mkdtempSync(join(tmpdir(), 'smev-lockout-'));
      const overrides = {
        'services.documents': {
          maxWrongCodes: MAX_WRONG_CODES,
          maxFailuresPerCode: MAX_FAILURES_PER_CODE,
          notifier: { kind: 'http', url: sms.url, timeoutMs: 2000 },
        },
        // Both gateways on one SQLite file; on PostgreSQL they share the schema.
        ...(store === 'sqlite' ? { 'store.sqliteFile': join(dir, 'shared.db') } : {}),
      };
      // One after the other: the first migrates the store.
      for (let i = 0; i < 2; i++) {
        gateways.push(
          await startTestGateway({
            store,
            // Port 0 names both chains alike: each instance keeps its own message-log chain.
            overrides: { ...overrides, 'messageLog.instanceId': `lockout-${i}` },
            ...(schema ? { schema } : {}),
          }),
        );
      }
    });
    after(async () => {
      for (const gateway of gateways.splice(0)) await gateway.stop();
      if (schema) await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
      await sms.close();
    });

    /** The payload sent as `system` to the `i`th gateway (every other one); the answer, or the refusal's code. */
    async function send(payload: string, system: string, i = 0): Promise<{ code: string; payload: string }> {
      const gateway = gateways[i % gateways.length] as TestGateway;
      const response = await post(gateway, signedCall({ system, payload }).xml);
      const answer = readCallAnswer(response.body, loadTrustStore(gateway.config));
      if (answer.kind === 'fault') throw new Error(`fault ${answer.code}: ${answer.message}`);
      if (answer.kind === 'answer') return { code: 'ANSWER', payload: answer.payload ?? '' };
      return { code: (answer.rejection?.description ?? '').split(':')[0] ?? '', payload: '' };
    }

    /** The same as a test message (TestMessage in the signed block). */
    async function sendAsTest(payload: string, system: string): Promise<string> {
      const gateway = gateways[0] as TestGateway;
      const request = buildCallRequest({ version: SOAP11, payload, testMessage: true });
      const response = await post(gateway, signCallRequest(request.xml, sampleKey(system)));
      const answer = readCallAnswer(response.body, loadTrustStore(gateway.config));
      if (answer.kind === 'answer') return 'ANSWER';
      return answer.kind === 'fault'
        ? answer.code
        : ((answer.rejection?.description ?? '').split(':')[0] ?? '');
    }

    async function answered(payload: string, system: string): Promise<string> {
      const sent = await send(payload, system);
      expect(sent.code).to.equal('ANSWER');
      return sent.payload;
    }

    async function openAccess(extra: string): Promise<string> {
      const published = await answered(
        wrap(
          'PublishDocumentRequest',
          `<d:Publish><d:DocumentNumber>N-${Math.random()}</d:DocumentNumber><d:Iin>${IIN}</d:Iin>` +
            `<d:SignedDocument>${Buffer.from(signedDocument('PASSPORT')).toString('base64')}</d:SignedDocument></d:Publish>`,
        ),
        ISSUER,
      );
      return answered(
        wrap(
          'OpenAccessRequest',
          `<d:Iin>${IIN}</d:Iin><d:DocumentId>${field(published, 'DocumentId')}</d:DocumentId>${extra}`,
        ),
        PORTAL,
      );
    }

    const db = () =>
      (gateways[0] as TestGateway).store.db.withTables<{
        [T in keyof DocumentsTables]: DocumentsTables[T];
      }>();

    /**
     * Of AT_ONCE wrong codes from `viewer`, at most maxWrongCodes were looked up and the rest refused as locked,
     * and the viewer's recorded attempts say the same, none left unsettled.
     */
    async function expectLockedOut(counts: Record<string, number>, viewer: string): Promise<void> {
      expect(counts.CODE_UNKNOWN ?? 0, JSON.stringify(counts)).to.be.at.most(MAX_WRONG_CODES);
      expect((counts.CODE_UNKNOWN ?? 0) + (counts.VIEWER_LOCKED ?? 0), JSON.stringify(counts)).to.equal(
        AT_ONCE,
      );
      const views = await db()
        .selectFrom('document_views')
        .select('result')
        .where('viewer', '=', viewer)
        .execute();
      expect(tally(views.map((v) => v.result))).to.deep.equal(counts);
    }

    it(`${AT_ONCE} wrong codes at once from one third party: at most maxWrongCodes are looked up`, async () => {
      // No access is open yet, so every code is unknown.
      const codes = Array.from({ length: AT_ONCE }, (_, i) => String(100000 + i * 997));
      const answers = await Promise.all(codes.map((code, i) => send(byCode(code), THIRD, i)));
      const counts = tally(answers.map((a) => a.code));
      // Every attempt is recorded with its own result, none left unsettled.
      await expectLockedOut(counts, THIRD);

      // One by one, the wrong codes reach the limit exactly, and then even a right one is refused.
      let unknown = counts.CODE_UNKNOWN ?? 0;
      for (let i = 0; unknown < MAX_WRONG_CODES; i++) {
        expect((await send(byCode(String(900000 + i)), THIRD)).code).to.equal('CODE_UNKNOWN');
        unknown++;
      }
      expect((await send(byCode('999999'), THIRD)).code).to.equal('VIEWER_LOCKED');
      const code = field(await openAccess(''), 'ShortCode');
      expect((await send(byCode(code), THIRD)).code).to.equal('VIEWER_LOCKED');
    });

    it(`${AT_ONCE} public checks at once with wrong codes, through two providers: at most maxWrongCodes`, async () => {
      // The console's check calls the provider directly: one provider per gateway, each on its gateway's store.
      // Called together, their look-ups interleave as two processes' do even on SQLite, whose statements in one
      // process over HTTP leave no gap between one request's count and its look-up.
      const providers = gateways.map((gateway) =>
        createDocumentsProvider({
          store: gateway.store,
          log: gateway.log,
          settings: (gateway.config.services as Record<string, unknown>).documents,
          clock: () => new Date(),
          signatures: {
            trust: loadTrustStore(gateway.config),
            systems: { systemForCertificate: () => Promise.resolve(undefined) },
            gatewayKey: sampleKey('gateway'),
          },
        }),
      );
      const viewer = 'web:203.0.113.7';
      const outcomes = await Promise.all(
        Array.from({ length: AT_ONCE }, (_, i) =>
          (providers[i % providers.length] as (typeof providers)[number]).checkAuthenticity(
            { kind: 'code', code: String(300000 + i * 983) },
            viewer,
          ),
        ),
      );
      const counts = tally(
        outcomes.map((o) => (o.kind === 'rejected' ? (o.description.split(':')[0] ?? '') : o.kind)),
      );
      await expectLockedOut(counts, viewer);
    });

    it('refusals of one code at once to systems it was not opened for: at most maxFailuresPerCode', async () => {
      const code = field(await openAccess(`<d:Viewer>${THIRD}</d:Viewer>`), 'ShortCode');
      // Four from each other system: fewer than maxWrongCodes, so no third party is locked on the way.
      const others = ['PORTAL_26', 'SOCCARD_28', 'SOCPROTECT_47'].flatMap((system) => Array(4).fill(system));
      const answers = await Promise.all(others.map((system: string, i) => send(byCode(code), system, i)));
      const counts = tally(answers.map((a) => a.code));
      expect(counts, JSON.stringify(counts)).to.deep.equal({
        VIEWER_NOT_ALLOWED: MAX_FAILURES_PER_CODE,
        CODE_LOCKED: others.length - MAX_FAILURES_PER_CODE,
      });
      const access = await db()
        .selectFrom('document_accesses')
        .select('failures')
        .where('viewer', '=', THIRD)
        .executeTakeFirstOrThrow();
      expect(access.failures).to.equal(MAX_FAILURES_PER_CODE);
    });

    it('test messages count as any other: wrong codes sent as tests lock the viewer, and wrong consent codes the consent', async () => {
      const viewer = 'SOCCARD_28';
      for (let i = 0; i < MAX_WRONG_CODES; i++)
        expect(await sendAsTest(byCode(String(400000 + i * 977)), viewer)).to.equal('CODE_UNKNOWN');
      expect(await sendAsTest(byCode('499999'), viewer)).to.equal('VIEWER_LOCKED');
      expect((await send(byCode('499998'), viewer)).code).to.equal('VIEWER_LOCKED');

      const opened = await openAccess(`<d:Viewer>${THIRD}</d:Viewer><d:Phone>+77011234568</d:Phone>`);
      const accessId = field(opened, 'AccessId');
      const right = /\b([0-9]{6})\b/.exec(sms.messages.at(-1)?.text ?? '')?.[1] ?? '';
      const confirm = (code: string) =>
        wrap(
          'ConfirmAccessRequest',
          `<d:Iin>${IIN}</d:Iin><d:AccessId>${accessId}</d:AccessId><d:SmsCode>${code}</d:SmsCode>`,
        );
      // A right code sent as a test answers, and gives its count back.
      expect(await sendAsTest(confirm(right), PORTAL)).to.equal('ANSWER');
      const wrong = ['111111', '222222', '333333', '444444'].filter((c) => c !== right);
      expect(await sendAsTest(confirm(wrong[0] as string), PORTAL)).to.equal('CONSENT_CODE_WRONG');
      expect(await sendAsTest(confirm(wrong[1] as string), PORTAL)).to.equal('CONSENT_CODE_WRONG');
      expect(await sendAsTest(confirm(wrong[2] as string), PORTAL)).to.equal('CONSENT_CODE_LOCKED');
      expect((await send(confirm(right), PORTAL)).code).to.equal('CONSENT_CODE_LOCKED');
    });

    it(`${AT_ONCE} wrong consent codes at once: three are compared, the access's consent is then locked`, async () => {
      const opened = await openAccess(`<d:Viewer>${THIRD}</d:Viewer><d:Phone>+77011234567</d:Phone>`);
      const accessId = field(opened, 'AccessId');
      const right = /\b([0-9]{6})\b/.exec(sms.messages.at(-1)?.text ?? '')?.[1] ?? '';
      const confirm = (code: string, i = 0) =>
        send(
          wrap(
            'ConfirmAccessRequest',
            `<d:Iin>${IIN}</d:Iin><d:AccessId>${accessId}</d:AccessId><d:SmsCode>${code}</d:SmsCode>`,
          ),
          PORTAL,
          i,
        );
      const wrong = Array.from({ length: AT_ONCE }, (_, i) => String(200000 + i * 991)).filter(
        (c) => c !== right,
      );
      const answers = await Promise.all(wrong.map((code, i) => confirm(code, i)));
      const counts = tally(answers.map((a) => a.code));
      // The last of the three counted is told the consent is locked.
      expect(counts, JSON.stringify(counts)).to.deep.equal({
        CONSENT_CODE_WRONG: MAX_CONSENT_FAILURES - 1,
        CONSENT_CODE_LOCKED: wrong.length - MAX_CONSENT_FAILURES + 1,
      });
      const access = await db()
        .selectFrom('document_accesses')
        .select('consent_failures')
        .where('id', '=', accessId)
        .executeTakeFirstOrThrow();
      expect(access.consent_failures).to.equal(MAX_CONSENT_FAILURES);
      expect((await confirm(right)).code).to.equal('CONSENT_CODE_LOCKED');
    });
  });
}
