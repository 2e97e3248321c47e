/**
 * The lab-results service through the real endpoint: signed Call requests from the sample systems, answers read and
 * verified as a client does, on SQLite and PostgreSQL. One-time codes reach a local HTTP "SMS gateway" through the
 * http notifier, configured as an operator would (`services.lab-results.notifier`).
 */
import { expect } from 'chai';
import { readCallAnswer, type CallAnswer } from '../../../src/client/answer.js';
import { LAB_RESULTS_NS } from '../../../src/providers/lab-results/index.js';
import type { TestsTables } from '../../../src/store/schema-tests.js';
import { loadTrustStore } from '../../../src/signature/setup.js';
import {
  SAMPLE_LATER_VISITOR,
  SAMPLE_NEGATIVE,
  SAMPLE_POSITIVE,
  SAMPLE_VENUE_CODE,
} from '../../../src/store/migrations/0005_tests.js';
import { post, signedCall, startTestGateway, type TestGateway } from '../../support/gateway.js';
import { startSmsSink, type SmsSink } from '../../support/sms-sink.js';

/** The visitor's consent, given now (the gateway runs on the wall clock here). */
const consent = (version = '2026-1', givenAt = new Date()) =>
  `<t:Consent><t:TextVersion>${version}</t:TextVersion><t:GivenAt>${givenAt.toISOString()}</t:GivenAt></t:Consent>`;

const wrap = (name: string, inner: string) => `<t:${name} xmlns:t="${LAB_RESULTS_NS}">${inner}</t:${name}>`;

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`lab-results service end to end (${store})`, () => {
    let gateway: TestGateway;
    let sms: SmsSink;
    let messages: SmsSink['messages'] = [];

    before(async () => {
      sms = await startSmsSink();
      ({ messages } = sms);
      const { url } = sms;
      gateway = await startTestGateway({
        store,
        overrides: { 'services.lab-results': { notifier: { kind: 'http', url, timeoutMs: 2000 } } },
      });
    });
    after(async () => {
      await gateway?.stop();
      await sms.close();
    });

    async function call(
      payload: string,
      system = 'PORTAL_26',
    ): Promise<CallAnswer & { kind: 'answer' | 'rejected' }> {
      const response = await post(gateway, signedCall({ system, payload }).xml);
      const answer = readCallAnswer(response.body, loadTrustStore(gateway.config));
      if (answer.kind === 'fault') throw new Error(`fault ${answer.code}: ${answer.message}`);
      expect(response.status).to.equal(200);
      return answer;
    }

    it('VisitRegistrationRequest sends a code by SMS and answers only its expiry', async () => {
      const before = Date.now();
      const answer = await call(
        wrap(
          'VisitRegistrationRequest',
          `<t:VenueCode>${SAMPLE_VENUE_CODE}</t:VenueCode><t:Phone>+7 (900) 555-00-11</t:Phone>${consent()}`,
        ),
      );
      expect(answer.kind).to.equal('answer');
      const expires = /<CodeExpiresAt>([^<]+)<\/CodeExpiresAt>/.exec(answer.payload ?? '')?.[1];
      expect(new Date(expires ?? '').getTime()).to.be.within(before + 600_000 - 1000, Date.now() + 600_000);
      expect(messages.at(-1)?.phone).to.equal('+79005550011');
      const code = /\b([0-9]{6})\b/.exec(messages.at(-1)?.text ?? '')?.[1];
      expect(code).to.match(/^[0-9]{6}$/);
      expect(answer.payload).not.to.contain(code);

      // EntryCheckRequest by that code: ADMIT, and the answer holds the decision and the code's expiry only.
      const check = await call(
        wrap(
          'EntryCheckRequest',
          `<t:VenueCode>${SAMPLE_VENUE_CODE}</t:VenueCode><t:Phone>89005550011</t:Phone><t:Code>${code}</t:Code>`,
        ),
      );
      expect(check.payload).to.equal(
        `<EntryCheckResponse xmlns="${LAB_RESULTS_NS}"><Decision>ADMIT</Decision><CodeExpiresAt>${expires}</CodeExpiresAt></EntryCheckResponse>`,
      );
      const reused = await call(
        wrap(
          'EntryCheckRequest',
          `<t:VenueCode>${SAMPLE_VENUE_CODE}</t:VenueCode><t:Phone>89005550011</t:Phone><t:Code>${code}</t:Code>`,
        ),
      );
      expect(reused.kind).to.equal('rejected');
      expect(reused.rejection?.code).to.equal('ACCESS_DENIED');
    });

    it('EntryCheckRequest by personal QR: the sample positive person is refused with nothing else said', async () => {
      const refused = await call(
        wrap(
          'EntryCheckRequest',
          `<t:VenueCode>${SAMPLE_VENUE_CODE}</t:VenueCode><t:PersonalToken>${SAMPLE_POSITIVE.token}</t:PersonalToken>`,
        ),
      );
      expect(refused.payload).to.equal(
        `<EntryCheckResponse xmlns="${LAB_RESULTS_NS}"><Decision>REFUSE</Decision></EntryCheckResponse>`,
      );
      const admitted = await call(
        wrap(
          'EntryCheckRequest',
          `<t:VenueCode>${SAMPLE_VENUE_CODE}</t:VenueCode><t:PersonalToken>${SAMPLE_NEGATIVE.token}</t:PersonalToken>`,
        ),
      );
      expect(admitted.payload).to.equal(
        `<EntryCheckResponse xmlns="${LAB_RESULTS_NS}"><Decision>ADMIT</Decision></EntryCheckResponse>`,
      );
      const checks = await gateway.store.db
        .withTables<{ [T in keyof TestsTables]: TestsTables[T] }>()
        .selectFrom('tests_entry_checks')
        .selectAll()
        .where('method', '=', 'qr')
        .orderBy('checked_at')
        .execute();
      expect(checks.map((c) => [c.venue_code, c.checked_by, c.result, c.contact])).to.deep.equal([
        [SAMPLE_VENUE_CODE, 'PORTAL_26', 'REFUSE', null],
        [SAMPLE_VENUE_CODE, 'PORTAL_26', 'ADMIT', SAMPLE_NEGATIVE.token],
      ]);
    });

    it('PositiveResultRequest records a result, which then refuses entry, and withdraws it', async () => {
      const recorded = await call(
        wrap(
          'PositiveResultRequest',
          '<t:Record><t:ResultId>E2E-1</t:ResultId><t:Person><t:PersonalToken>e2e-person-token-0001</t:PersonalToken></t:Person><t:ResultDate>2025-01-15</t:ResultDate></t:Record>',
        ),
        'SOCPROTECT_47',
      );
      expect(recorded.payload).to.match(
        new RegExp(
          `^<PositiveResultResponse xmlns="${LAB_RESULTS_NS}"><ResultId>E2E-1</ResultId><Status>RECORDED</Status><At>[^<]+</At></PositiveResultResponse>$`,
        ),
      );
      const check = () =>
        call(
          wrap(
            'EntryCheckRequest',
            `<t:VenueCode>${SAMPLE_VENUE_CODE}</t:VenueCode><t:PersonalToken>e2e-person-token-0001</t:PersonalToken>`,
          ),
        );
      expect((await check()).payload).to.contain('REFUSE');
      const withdrawn = await call(
        wrap('PositiveResultRequest', '<t:Withdraw><t:ResultId>E2E-1</t:ResultId></t:Withdraw>'),
        'SOCPROTECT_47',
      );
      expect(withdrawn.payload).to.contain('<Status>WITHDRAWN</Status>');
      expect((await check()).payload).to.contain('ADMIT');
    });

    it('ContactsRequest lists the sample contact within the window and not the later visitor', async () => {
      const answer = await call(
        wrap(
          'ContactsRequest',
          `<t:Person><t:Phone>${SAMPLE_POSITIVE.phone}</t:Phone></t:Person><t:WindowHours>2</t:WindowHours>`,
        ),
        'SOCPROTECT_47',
      );
      expect(answer.kind).to.equal('answer');
      expect(answer.payload).to.contain(
        `<Contact><Phone>${SAMPLE_NEGATIVE.phone}</Phone><Visit><VenueCode>${SAMPLE_VENUE_CODE}</VenueCode>`,
      );
      expect(answer.payload).not.to.contain(SAMPLE_LATER_VISITOR.phone);
      expect(answer.payload).not.to.contain(SAMPLE_POSITIVE.phone);
    });

    it('rejects bad input: unknown venue, no result for the person, schema violations', async () => {
      const venue = await call(
        wrap(
          'EntryCheckRequest',
          '<t:VenueCode>REG-0000000000000</t:VenueCode><t:PersonalToken>abcdefghijklmnop</t:PersonalToken>',
        ),
      );
      expect(venue.rejection?.code).to.equal('NO_DATA');
      const nobody = await call(
        wrap(
          'ContactsRequest',
          `<t:Person><t:Phone>${SAMPLE_NEGATIVE.phone}</t:Phone></t:Person><t:WindowHours>2</t:WindowHours>`,
        ),
      );
      expect(nobody.rejection?.code).to.equal('NO_DATA');
      const phone = await call(
        wrap(
          'VisitRegistrationRequest',
          `<t:VenueCode>${SAMPLE_VENUE_CODE}</t:VenueCode><t:Phone>+7 700 123 45 67</t:Phone>`,
        ),
      );
      expect(phone.rejection).to.deep.include({ code: 'UNKNOWN_REQUEST_DESCRIPTION' });
      expect(phone.rejection?.description).to.match(
        /^PHONE_INVALID: номер телефона указан неверно \(Phone: /,
      );

      const response = await post(
        gateway,
        signedCall({
          payload: wrap(
            'EntryCheckRequest',
            `<t:VenueCode>${SAMPLE_VENUE_CODE}</t:VenueCode><t:Phone>89005550011</t:Phone><t:Code>12345</t:Code>`,
          ),
        }).xml,
      );
      const fault = readCallAnswer(response.body, loadTrustStore(gateway.config));
      expect(fault.kind).to.equal('fault');
      if (fault.kind === 'fault') expect(fault.element).to.equal('InvalidContent');
    });

    it('VisitRegistrationRequest without consent is refused, with consent it is stored and shown to auditors', async () => {
      const sentBefore = messages.length;
      const refused = await call(
        wrap(
          'VisitRegistrationRequest',
          `<t:VenueCode>${SAMPLE_VENUE_CODE}</t:VenueCode><t:Phone>+79005550033</t:Phone>`,
        ),
      );
      expect(refused.kind).to.equal('rejected');
      expect(refused.rejection?.code).to.equal('ACCESS_DENIED');
      expect(refused.rejection?.description).to.match(
        /^CONSENT_REQUIRED: .*согласия на обработку персональных данных/,
      );
      const future = await call(
        wrap(
          'VisitRegistrationRequest',
          `<t:VenueCode>${SAMPLE_VENUE_CODE}</t:VenueCode><t:Phone>+79005550033</t:Phone>${consent('2026-1', new Date(Date.now() + 3_600_000))}`,
        ),
      );
      expect(future.rejection?.description).to.match(/^CONSENT_IN_FUTURE: /);
      expect(messages.length, 'no code is sent without a valid consent').to.equal(sentBefore);

      const given = new Date(Date.now() - 60_000);
      const accepted = await call(
        wrap(
          'VisitRegistrationRequest',
          `<t:VenueCode>${SAMPLE_VENUE_CODE}</t:VenueCode><t:Phone>+79005550033</t:Phone>${consent('2026-2', given)}`,
        ),
      );
      expect(accepted.kind).to.equal('answer');

      const auditor = (
        await gateway.registry.createToken({ name: 'test', role: 'operator' }, 'auditor', 'auditor')
      ).token;
      const operator = (
        await gateway.registry.createToken({ name: 'test', role: 'operator' }, 'op', 'operator')
      ).token;
      const url = `${gateway.url}/api/v1/tests/consents?venue=${SAMPLE_VENUE_CODE}`;
      expect((await fetch(url, { headers: { authorization: `Bearer ${operator}` } })).status).to.equal(403);
      const listed = (await (
        await fetch(url, { headers: { authorization: `Bearer ${auditor}` } })
      ).json()) as Array<Record<string, unknown>>;
      const entry = listed.find((c) => c.textVersion === '2026-2');
      expect(entry).to.include({
        venueCode: SAMPLE_VENUE_CODE,
        givenAt: given.toISOString(),
        sender: 'PORTAL_26',
      });
      expect(JSON.stringify(listed)).to.not.contain('5550033');
      const bad = await fetch(`${gateway.url}/api/v1/tests/consents?from=yesterday`, {
        headers: { authorization: `Bearer ${auditor}` },
      });
      expect(bad.status).to.equal(400);
      // A consent whose version breaks the schema is a schema fault, not a stored consent.
      const response = await post(
        gateway,
        signedCall({
          system: 'PORTAL_26',
          payload: wrap(
            'VisitRegistrationRequest',
            `<t:VenueCode>${SAMPLE_VENUE_CODE}</t:VenueCode><t:Phone>+79005550033</t:Phone>${consent('bad version')}`,
          ),
        }).xml,
      );
      expect(response.status).to.equal(500);
    });
  });
}
