import { expect } from 'chai';
import type { ProviderOutcome } from '../../../src/providers/contract.js';
import type {
  EntryCheckAnswer,
  PersonRef,
  LabResultsAnswer,
} from '../../../src/providers/lab-results/codec.js';
import { encodeLabResultsAnswer } from '../../../src/providers/lab-results/codec.js';
import { MAX_WRONG_CODES } from '../../../src/providers/lab-results/rules.js';
import { harness, OTHER_VENUE, SUSPENDED_VENUE, VENUE, type Harness } from './support.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function answerOf<K extends LabResultsAnswer['kind']>(
  outcome: ProviderOutcome<LabResultsAnswer>,
  kind: K,
): Extract<LabResultsAnswer, { kind: K }> {
  if (outcome.kind !== 'answer')
    throw new Error(`expected an answer, got ${outcome.code}: ${outcome.description}`);
  expect(outcome.body.kind).to.equal(kind);
  return outcome.body as Extract<LabResultsAnswer, { kind: K }>;
}

function rejectionOf(outcome: ProviderOutcome<LabResultsAnswer>): { code: string; description: string } {
  if (outcome.kind !== 'rejected')
    throw new Error(`expected a rejection, got ${JSON.stringify(outcome.body)}`);
  return outcome;
}

const consentNow = (h: Harness) => ({ textVersion: '2026-1', givenAt: h.now() });
const register = (h: Harness, phone: string, venueCode = VENUE) =>
  h.call({ kind: 'visit', venueCode, phone, consent: consentNow(h) });
const checkCode = (h: Harness, phone: string, code: string, venueCode = VENUE) =>
  h.call({ kind: 'check', venueCode, credential: { kind: 'code', phone, code } });
const checkToken = (h: Harness, token: string, venueCode = VENUE) =>
  h.call({ kind: 'check', venueCode, credential: { kind: 'token', token } });
const record = (
  h: Harness,
  resultId: string,
  person: Partial<PersonRef>,
  resultDate = '2025-01-10',
  sender = 'LAB_1',
) =>
  h.call(
    {
      kind: 'result',
      action: { kind: 'record', resultId, person: { phone: person.phone, token: person.token }, resultDate },
    },
    { sender },
  );
const withdraw = (h: Harness, resultId: string, sender = 'LAB_1') =>
  h.call({ kind: 'result', action: { kind: 'withdraw', resultId } }, { sender });
/** Asked by the laboratory that records the results, as only it may. */
const contacts = (
  h: Harness,
  person: Partial<PersonRef>,
  windowHours: number,
  since?: Date,
  options: { sender?: string; testMessage?: boolean } = { sender: 'LAB_1' },
) =>
  h.call(
    { kind: 'contacts', person: { phone: person.phone, token: person.token }, windowHours, since },
    options,
  );

/** Register and pass the entry check by code: the person is admitted (a visit) unless positive. */
async function visit(h: Harness, phone: string, venueCode = VENUE): Promise<EntryCheckAnswer> {
  answerOf(await register(h, phone, venueCode), 'visit');
  return answerOf(await checkCode(h, phone, h.lastCode(), venueCode), 'check');
}

describe('lab-results service: visit registration (one-time codes)', () => {
  let h: Harness;
  beforeEach(async () => (h = await harness()));
  afterEach(() => h.close());

  it('sends a 6-digit code to the normalised phone and answers only its expiry, 10 minutes on', async () => {
    const answer = answerOf(await register(h, '8 (900) 123-45-67'), 'visit');
    expect(answer.codeExpiresAt.getTime()).to.equal(h.now().getTime() + 10 * MINUTE);
    expect(h.sent).to.have.length(1);
    expect(h.sent[0]?.phone).to.equal('+79001234567');
    expect(h.lastCode()).to.match(/^[0-9]{6}$/);
    expect(JSON.stringify(answer)).not.to.contain(h.lastCode());
  });

  it('stores the code only as a salted hash, bound to venue and a keyed hash of the phone', async () => {
    await register(h, '+79001234567');
    const code = h.lastCode();
    const rows = await h.db().selectFrom('tests_codes').selectAll().execute();
    expect(rows).to.have.length(1);
    const row = rows[0]!;
    expect(row.venue_code).to.equal(VENUE);
    expect(row.code_hash).to.match(/^[0-9a-f]{64}$/);
    expect(row.salt).to.match(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(row)).not.to.contain(code);
    expect(JSON.stringify(row)).not.to.contain('9001234567');
  });

  it('gives two codes for the same value different hashes (per-code salt)', async () => {
    await register(h, '+79001234567');
    await register(h, '+79001234568');
    const rows = await h.db().selectFrom('tests_codes').select(['salt', 'code_hash']).execute();
    expect(rows[0]?.salt).not.to.equal(rows[1]?.salt);
  });

  it('rejects an unknown venue, a suspended venue and a phone that is not Russian', async () => {
    expect(rejectionOf(await register(h, '+79001234567', 'REG-NOWHERE')).code).to.equal('NO_DATA');
    expect(rejectionOf(await register(h, '+79001234567', SUSPENDED_VENUE)).code).to.equal('ACCESS_DENIED');
    const bad = rejectionOf(await register(h, '+7 700 123-45-67'));
    expect(bad.code).to.equal('UNKNOWN_REQUEST_DESCRIPTION');
    expect(bad.description).to.match(/^PHONE_INVALID: .* \(Phone: /);
    expect(rejectionOf(await register(h, '+7 900 123-45')).code).to.equal('UNKNOWN_REQUEST_DESCRIPTION');
    expect(h.sent).to.have.length(0);
  });

  it('refuses a visit without consent, sending and storing nothing; stores the consent given', async () => {
    const refused = rejectionOf(await h.call({ kind: 'visit', venueCode: VENUE, phone: '+79001234567' }));
    expect(refused.code).to.equal('ACCESS_DENIED');
    expect(refused.description).to.match(/^CONSENT_REQUIRED: /);
    const ahead = { textVersion: '2026-1', givenAt: new Date(h.now().getTime() + 3_600_000) };
    const future = rejectionOf(
      await h.call({ kind: 'visit', venueCode: VENUE, phone: '+79001234567', consent: ahead }),
    );
    expect(future.description).to.match(/^CONSENT_IN_FUTURE: /);
    expect(h.sent).to.have.length(0);
    expect(await h.db().selectFrom('tests_codes').selectAll().execute()).to.have.length(0);
    expect(await h.db().selectFrom('tests_consents').selectAll().execute()).to.have.length(0);

    answerOf(await register(h, '+79001234567'), 'visit');
    const stored = await h.db().selectFrom('tests_consents').selectAll().execute();
    expect(stored).to.have.length(1);
    expect(stored[0]).to.include({ venue_code: VENUE, text_version: '2026-1', sender: 'PORTAL_26' });
    expect(Number(stored[0]?.given_at)).to.equal(h.now().getTime());
    expect(stored[0]?.phone_key).to.match(/^[0-9a-f]{64}$/);
  });

  it('answers a test message without sending or storing a code', async () => {
    answerOf(
      await h.call(
        { kind: 'visit', venueCode: VENUE, phone: '+79001234567', consent: consentNow(h) },
        { testMessage: true },
      ),
      'visit',
    );
    expect(h.sent).to.have.length(0);
    expect(await h.db().selectFrom('tests_codes').selectAll().execute()).to.have.length(0);
  });

  it('rejects with FAILURE and drops the code when the notifier fails', async () => {
    const failing = await harness({
      notifier: { send: async () => Promise.reject(new Error('SMS gateway down')) },
    });
    try {
      const outcome = rejectionOf(await register(failing, '+79001234567'));
      expect(outcome.code).to.equal('FAILURE');
      expect(outcome.description).to.contain('SMS gateway down');
      expect(await failing.db().selectFrom('tests_codes').selectAll().execute()).to.have.length(0);
    } finally {
      await failing.close();
    }
  });

  it('refuses invalid settings when the provider is made', async () => {
    let error: unknown;
    try {
      await harness({ settings: { notifier: { kind: 'carrier-pigeon' } } });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.contain('invalid settings of the lab-results service');
    error = undefined;
    try {
      await harness({ settings: { notifier: { kind: 'http', url: 'ftp://sms.example' } } });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.contain('services.lab-results.notifier');
  });
});

describe('lab-results service: entry check by one-time code', () => {
  let h: Harness;
  beforeEach(async () => (h = await harness()));
  afterEach(() => h.close());

  it('admits with the right code, answers its expiry and records the visit with the phone', async () => {
    await register(h, '+79001234567');
    const issuedAt = h.now().getTime();
    h.advance(3 * MINUTE);
    const answer = answerOf(await checkCode(h, '8 900 123 45 67', h.lastCode()), 'check');
    expect(answer).to.deep.equal({
      kind: 'check',
      decision: 'ADMIT',
      codeExpiresAt: new Date(issuedAt + 10 * MINUTE),
    });
    const checks = await h.db().selectFrom('tests_entry_checks').selectAll().execute();
    expect(checks).to.have.length(1);
    expect(checks[0]).to.include({
      venue_code: VENUE,
      checked_by: 'PORTAL_26',
      method: 'sms',
      result: 'ADMIT',
      contact_kind: 'phone',
      contact: '+79001234567',
    });
    expect(checks[0]?.checked_at).to.equal(h.now().getTime());
  });

  it('uses a code once', async () => {
    await register(h, '+79001234567');
    const code = h.lastCode();
    answerOf(await checkCode(h, '+79001234567', code), 'check');
    const again = rejectionOf(await checkCode(h, '+79001234567', code));
    expect(again.code).to.equal('ACCESS_DENIED');
    expect(again.description).to.contain('already been used');
  });

  it('accepts a code until 10 minutes have passed, not after', async () => {
    await register(h, '+79001234567');
    const code = h.lastCode();
    h.advance(10 * MINUTE);
    const expired = rejectionOf(await checkCode(h, '+79001234567', code));
    expect(expired.code).to.equal('ACCESS_DENIED');
    expect(expired.description).to.contain('expired');

    await register(h, '+79001234567');
    h.advance(10 * MINUTE - 1);
    expect(answerOf(await checkCode(h, '+79001234567', h.lastCode()), 'check').decision).to.equal('ADMIT');
  });

  it('binds a code to its venue and replaces an earlier code with a newer one', async () => {
    await register(h, '+79001234567');
    const first = h.lastCode();
    expect(rejectionOf(await checkCode(h, '+79001234567', first, OTHER_VENUE)).description).to.contain(
      'wrong',
    );
    await register(h, '+79001234567');
    const second = h.lastCode();
    if (second !== first)
      expect(rejectionOf(await checkCode(h, '+79001234567', first)).description).to.contain('wrong');
    expect(answerOf(await checkCode(h, '+79001234567', second), 'check').decision).to.equal('ADMIT');
  });

  it('locks the phone for 15 minutes after five wrong codes; the right code is refused during the lock', async () => {
    await register(h, '+79001234567');
    const right = h.lastCode();
    const wrong = right === '000000' ? '000001' : '000000';
    for (let i = 1; i <= 4; i++) {
      const outcome = rejectionOf(await checkCode(h, '+79001234567', wrong));
      expect(outcome.description).to.contain(`${5 - i} attempt`);
    }
    const fifth = rejectionOf(await checkCode(h, '+79001234567', wrong));
    expect(fifth.description).to.contain('locked until');
    const sixth = rejectionOf(await checkCode(h, '+79001234567', right));
    expect(sixth.code).to.equal('ACCESS_DENIED');
    expect(sixth.description).to.contain('locked until');

    // A fresh code does not lift the lock, and the lock holds at every venue.
    h.advance(14 * MINUTE);
    await register(h, '+79001234567', OTHER_VENUE);
    expect(rejectionOf(await checkCode(h, '+79001234567', h.lastCode(), OTHER_VENUE)).description).to.contain(
      'locked until',
    );

    h.advance(MINUTE);
    await register(h, '+79001234567');
    expect(answerOf(await checkCode(h, '+79001234567', h.lastCode()), 'check').decision).to.equal('ADMIT');
    const results = (
      await h.db().selectFrom('tests_entry_checks').select('result').orderBy('checked_at').execute()
    ).map((r) => r.result);
    expect(results).to.deep.equal([
      'WRONG_CODE',
      'WRONG_CODE',
      'WRONG_CODE',
      'WRONG_CODE',
      'WRONG_CODE',
      'LOCKED',
      'LOCKED',
      'ADMIT',
    ]);
  });

  it('resets the count after a right code, and counts per phone', async () => {
    await register(h, '+79001234567');
    const right = h.lastCode();
    const wrong = right === '999999' ? '999998' : '999999';
    for (let i = 0; i < 4; i++) await checkCode(h, '+79001234567', wrong);
    for (let i = 0; i < 4; i++) await checkCode(h, '+79001112233', wrong);
    expect(answerOf(await checkCode(h, '+79001234567', right), 'check').decision).to.equal('ADMIT');
    await register(h, '+79001234567');
    const next = h.lastCode();
    const wrong2 = next === '999999' ? '999998' : '999999';
    for (let i = 0; i < 4; i++)
      expect(rejectionOf(await checkCode(h, '+79001234567', wrong2)).description).not.to.contain('locked');
    expect(answerOf(await checkCode(h, '+79001234567', next), 'check').decision).to.equal('ADMIT');
  });

  it('counts a code for a phone that was never sent one as wrong', async () => {
    expect(rejectionOf(await checkCode(h, '+79005556677', '123456')).description).to.contain(
      '4 attempts left',
    );
  });

  it('answers a test message without reading, using, counting or recording the code', async () => {
    await register(h, '+79001234567');
    const code = h.lastCode();
    const testCheck = (tried: string) =>
      h.call(
        { kind: 'check', venueCode: VENUE, credential: { kind: 'code', phone: '+79001234567', code: tried } },
        { testMessage: true },
      );
    const right = answerOf(await testCheck(code), 'check');
    // A wrong code answers just as the right one does, however often: tests are no way around the lock.
    for (let i = 0; i < 2 * MAX_WRONG_CODES; i++) {
      const wrong = code === '000000' ? '111111' : '000000';
      expect(answerOf(await testCheck(wrong), 'check')).to.deep.equal(right);
    }
    expect(right.decision).to.equal('ADMIT');
    expect(await h.db().selectFrom('tests_entry_checks').selectAll().execute()).to.have.length(0);
    expect(
      rejectionOf(await checkCode(h, '+79001234567', code === '000000' ? '111111' : '000000')).description,
    ).to.contain(`${MAX_WRONG_CODES - 1} attempts left`);
    expect(answerOf(await checkCode(h, '+79001234567', code), 'check').decision).to.equal('ADMIT');
  });

  it('answers a test message by token without reading the register', async () => {
    answerOf(await record(h, 'T-1', { token: 'positive-qr-token-0101' }), 'result');
    const test = await h.call(
      { kind: 'check', venueCode: VENUE, credential: { kind: 'token', token: 'positive-qr-token-0101' } },
      { testMessage: true },
    );
    expect(answerOf(test, 'check').decision).to.equal('ADMIT');
    expect(answerOf(await checkToken(h, 'positive-qr-token-0101'), 'check').decision).to.equal('REFUSE');
  });

  it('rejects a bad phone, an unknown venue and a suspended venue', async () => {
    expect(rejectionOf(await checkCode(h, '12345', '123456')).code).to.equal('UNKNOWN_REQUEST_DESCRIPTION');
    expect(rejectionOf(await checkCode(h, '+79001234567', '123456', 'REG-NOWHERE')).code).to.equal('NO_DATA');
    expect(rejectionOf(await checkToken(h, 'some-personal-token-1', SUSPENDED_VENUE)).code).to.equal(
      'ACCESS_DENIED',
    );
  });
});

describe('lab-results service: ADMIT or REFUSE and nothing else', () => {
  let h: Harness;
  beforeEach(async () => (h = await harness()));
  afterEach(() => h.close());

  it('refuses a person with a positive result by phone, and records the check without the person', async () => {
    answerOf(await record(h, 'R-1', { phone: '+79001234567' }, '2025-01-10'), 'result');
    const answer = await visit(h, '+79001234567');
    expect(answer.decision).to.equal('REFUSE');
    expect(Object.keys(answer).sort()).to.deep.equal(['codeExpiresAt', 'decision', 'kind']);
    const xml = encodeLabResultsAnswer(answer);
    expect(xml).to.match(
      /^<EntryCheckResponse xmlns="urn:\/\/smev-gateway\/services\/tests\/1.0"><Decision>REFUSE<\/Decision><CodeExpiresAt>[^<]+<\/CodeExpiresAt><\/EntryCheckResponse>$/,
    );
    for (const leak of ['2025-01-10', 'R-1', 'LAB_1', '9001234567', 'Result', 'Lab', 'Name'])
      expect(xml).not.to.contain(leak);
    const check = await h.db().selectFrom('tests_entry_checks').selectAll().executeTakeFirstOrThrow();
    expect(check).to.include({
      result: 'REFUSE',
      person_key: null,
      contact_kind: null,
      contact: null,
      venue_code: VENUE,
    });
  });

  it('checks by personal QR token: refuses the positive token, admits another and records that visit', async () => {
    answerOf(await record(h, 'R-2', { phone: '+79001234567', token: 'positive-token-000001' }), 'result');
    const refused = answerOf(await checkToken(h, 'positive-token-000001'), 'check');
    expect(refused).to.deep.equal({ kind: 'check', decision: 'REFUSE', codeExpiresAt: undefined });
    expect(encodeLabResultsAnswer(refused)).to.equal(
      '<EntryCheckResponse xmlns="urn://smev-gateway/services/tests/1.0"><Decision>REFUSE</Decision></EntryCheckResponse>',
    );
    const admitted = answerOf(await checkToken(h, 'negative-token-000002'), 'check');
    expect(admitted.decision).to.equal('ADMIT');
    const checks = await h.db().selectFrom('tests_entry_checks').selectAll().orderBy('result').execute();
    expect(checks.map((c) => [c.method, c.result, c.contact_kind, c.contact])).to.deep.equal([
      ['qr', 'ADMIT', 'token', 'negative-token-000002'],
      ['qr', 'REFUSE', null, null],
    ]);
  });

  it('admits again once the laboratory withdraws the result', async () => {
    await record(h, 'R-3', { token: 'positive-token-000003' });
    expect(answerOf(await checkToken(h, 'positive-token-000003'), 'check').decision).to.equal('REFUSE');
    answerOf(await withdraw(h, 'R-3'), 'result');
    expect(answerOf(await checkToken(h, 'positive-token-000003'), 'check').decision).to.equal('ADMIT');
  });
});

describe('lab-results service: positive results from laboratories', () => {
  let h: Harness;
  beforeEach(async () => (h = await harness()));
  afterEach(() => h.close());

  it('records a result keeping only keyed hashes of the phone and token', async () => {
    const answer = answerOf(
      await record(h, 'R-10', { phone: '8 900 765-43-21', token: 'lab-person-token-0010' }, '2025-02-01'),
      'result',
    );
    expect(answer).to.deep.equal({ kind: 'result', resultId: 'R-10', status: 'RECORDED', at: h.now() });
    const row = await h
      .db()
      .selectFrom('tests_positive_results')
      .selectAll()
      .where('result_id', '=', 'R-10')
      .executeTakeFirstOrThrow();
    expect(row).to.include({ sender: 'LAB_1', result_date: '2025-02-01', withdrawn_at: null });
    expect(row.phone_key).to.match(/^[0-9a-f]{64}$/);
    expect(row.token_key).to.match(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.to.contain('9007654321');
    expect(JSON.stringify(row)).not.to.contain('lab-person-token-0010');
  });

  it('answers a repeat with the first recording time, and refuses other data under the same id', async () => {
    const first = answerOf(await record(h, 'R-11', { phone: '+79007654321' }), 'result');
    h.advance(HOUR);
    const again = answerOf(await record(h, 'R-11', { phone: '8 (900) 765-43-21' }), 'result');
    expect(again.at).to.deep.equal(first.at);
    const other = rejectionOf(await record(h, 'R-11', { phone: '+79007654322' }));
    expect(other.code).to.equal('UNKNOWN_REQUEST_DESCRIPTION');
    expect(other.description).to.contain('other data');
    expect(
      rejectionOf(await record(h, 'R-11', { phone: '+79007654321' }, '2025-01-11')).description,
    ).to.contain('other data');
    // Another laboratory has its own ids.
    answerOf(await record(h, 'R-11', { phone: '+79001111111' }, '2025-01-10', 'LAB_2'), 'result');
  });

  it('refuses a date in the future, an impossible date and a bad phone', async () => {
    const tomorrow = new Date(h.now().getTime() + 24 * HOUR).toISOString().slice(0, 10);
    expect(rejectionOf(await record(h, 'R-12', { phone: '+79007654321' }, tomorrow)).description).to.contain(
      'future',
    );
    expect(
      rejectionOf(await record(h, 'R-12', { phone: '+79007654321' }, '2025-02-30')).description,
    ).to.contain('not a calendar date');
    const bad = rejectionOf(await record(h, 'R-12', { phone: '+1 202 555 0100' }));
    expect(bad.code).to.equal('UNKNOWN_REQUEST_DESCRIPTION');
    expect(bad.description).to.match(/^PHONE_INVALID: .* \(Person\/Phone: /);
    expect(
      await h.db().selectFrom('tests_positive_results').selectAll().where('sender', '=', 'LAB_1').execute(),
    ).to.have.length(0);
  });

  it("withdraws only the recording laboratory's result, idempotently, and never re-records it", async () => {
    await record(h, 'R-13', { phone: '+79007654321' });
    expect(rejectionOf(await withdraw(h, 'R-13', 'LAB_2')).code).to.equal('NO_DATA');
    expect(rejectionOf(await withdraw(h, 'R-404')).code).to.equal('NO_DATA');
    h.advance(MINUTE);
    const withdrawn = answerOf(await withdraw(h, 'R-13'), 'result');
    expect(withdrawn).to.deep.equal({ kind: 'result', resultId: 'R-13', status: 'WITHDRAWN', at: h.now() });
    h.advance(MINUTE);
    expect(answerOf(await withdraw(h, 'R-13'), 'result').at).to.deep.equal(withdrawn.at);
    expect(rejectionOf(await record(h, 'R-13', { phone: '+79007654321' })).description).to.contain(
      'withdrawn',
    );
  });

  it('changes nothing for a test message', async () => {
    answerOf(
      await h.call(
        {
          kind: 'result',
          action: {
            kind: 'record',
            resultId: 'R-14',
            person: { phone: '+79007654321', token: undefined },
            resultDate: '2025-01-10',
          },
        },
        { sender: 'LAB_1', testMessage: true },
      ),
      'result',
    );
    expect(
      await h.db().selectFrom('tests_positive_results').selectAll().where('sender', '=', 'LAB_1').execute(),
    ).to.have.length(0);
  });
});

describe('lab-results service: contacts for warning', () => {
  let h: Harness;
  beforeEach(async () => (h = await harness()));
  afterEach(() => h.close());

  const POSITIVE = '+79001000001';

  async function scene(): Promise<number> {
    const t = h.now().getTime();
    await visit(h, '+79002000002'); // 0 h, before the positive person
    h.advance(HOUR);
    await visit(h, POSITIVE); // 1 h: the positive person (not yet recorded)
    h.advance(30 * MINUTE);
    await visit(h, '+79003000003'); // 1.5 h
    expect(answerOf(await checkToken(h, 'qr-visitor-token-0004'), 'check').decision).to.equal('ADMIT'); // 1.5 h by QR
    await visit(h, '+79005000005', OTHER_VENUE); // 1.5 h, another venue
    h.advance(2 * HOUR);
    await visit(h, '+79006000006'); // 3.5 h
    h.advance(HOUR);
    answerOf(await record(h, 'C-1', { phone: POSITIVE }), 'result');
    return t;
  }

  it('lists the other visitors of the same venue within the window, by phone or token, once each', async () => {
    const t = await scene();
    const answer = answerOf(await contacts(h, { phone: POSITIVE }, 1), 'contacts');
    expect(answer.contacts.map((c) => c.contact)).to.deep.equal([
      { kind: 'phone', value: '+79002000002' },
      { kind: 'phone', value: '+79003000003' },
      { kind: 'token', value: 'qr-visitor-token-0004' },
    ]);
    expect(answer.contacts[0]?.visits).to.deep.equal([{ venueCode: VENUE, visitedAt: new Date(t) }]);
    const wider = answerOf(await contacts(h, { phone: POSITIVE }, 3), 'contacts');
    expect(wider.contacts.map((c) => c.contact.value)).to.include('+79006000006');
    expect(wider.contacts.map((c) => c.contact.value)).not.to.include('+79005000005');
    expect(wider.contacts.map((c) => c.contact.value)).not.to.include(POSITIVE);
  });

  it("finds the person's visits by the token the laboratory gave too", async () => {
    await checkToken(h, 'positive-qr-token-0009');
    h.advance(10 * MINUTE);
    await visit(h, '+79007000007');
    answerOf(await record(h, 'C-2', { phone: POSITIVE, token: 'positive-qr-token-0009' }), 'result');
    const answer = answerOf(await contacts(h, { phone: POSITIVE }, 1), 'contacts');
    expect(answer.contacts.map((c) => c.contact.value)).to.deep.equal(['+79007000007']);
    expect(encodeLabResultsAnswer(answer)).to.equal(
      `<ContactsResponse xmlns="urn://smev-gateway/services/tests/1.0"><Contact><Phone>+79007000007</Phone><Visit><VenueCode>${VENUE}</VenueCode><VisitedAt>${h.now().toISOString()}</VisitedAt></Visit></Contact></ContactsResponse>`,
    );
  });

  it("considers only the person's visits since Since (14 days back by default)", async () => {
    await scene();
    const later = new Date(h.now().getTime());
    expect(answerOf(await contacts(h, { phone: POSITIVE }, 1, later), 'contacts').contacts).to.deep.equal([]);
    h.advance(15 * 24 * HOUR);
    expect(answerOf(await contacts(h, { phone: POSITIVE }, 1), 'contacts').contacts).to.deep.equal([]);
  });

  it('answers NO_DATA to any system but the one that recorded the result, and a test with nobody', async () => {
    await scene();
    for (const sender of ['PORTAL_26', 'LAB_2']) {
      const refused = rejectionOf(await contacts(h, { phone: POSITIVE }, 2, undefined, { sender }));
      expect(refused.code, sender).to.equal('NO_DATA');
    }
    const test = await contacts(h, { phone: POSITIVE }, 2, undefined, { sender: 'LAB_1', testMessage: true });
    expect(answerOf(test, 'contacts').contacts).to.deep.equal([]);
  });

  it("answers NO_DATA for a person without an active positive result, so nobody's contacts can be fished for", async () => {
    await scene();
    expect(rejectionOf(await contacts(h, { phone: '+79002000002' }, 2)).code).to.equal('NO_DATA');
    await withdraw(h, 'C-1');
    expect(rejectionOf(await contacts(h, { phone: POSITIVE }, 2)).code).to.equal('NO_DATA');
    expect(rejectionOf(await contacts(h, { phone: 'not a phone' }, 2)).code).to.equal(
      'UNKNOWN_REQUEST_DESCRIPTION',
    );
  });

  it('forgets visits after the retention period', async () => {
    const short = await harness({ settings: { visitRetentionDays: 1 } });
    try {
      await visit(short, '+79002000002');
      short.advance(2 * HOUR);
      await visit(short, '+79003000003');
      expect(await short.db().selectFrom('tests_entry_checks').selectAll().execute()).to.have.length(2);
      short.advance(24 * HOUR);
      await checkToken(short, 'any-visitor-token-0001');
      const left = await short.db().selectFrom('tests_entry_checks').select('contact').execute();
      expect(left.map((r) => r.contact)).to.deep.equal(['+79003000003', 'any-visitor-token-0001']);
    } finally {
      await short.close();
    }
  });
});

describe('lab-results service: contacts warned by SMS, and SMS limits per phone', () => {
  let h: Harness;
  beforeEach(async () => (h = await harness()));
  afterEach(() => h.close());

  const warnings = (phone: string) =>
    h.sent.filter((m) => m.phone === phone && m.text.startsWith('Внимание')).length;

  it('warns the overlapping contacts once per contact and result when a positive result is recorded', async () => {
    await visit(h, '+79001110001');
    h.advance(30 * 60_000);
    await visit(h, '+79001110002'); // within two hours: a contact
    h.advance(5 * 3_600_000);
    await visit(h, '+79001110003'); // five and a half hours later: not a contact
    h.advance(60_000);

    answerOf(await record(h, 'R-1', { phone: '+79001110001' }), 'result');
    expect(warnings('+79001110002')).to.equal(1);
    expect(warnings('+79001110003')).to.equal(0);
    expect(warnings('+79001110001'), 'the positive person is not warned about itself').to.equal(0);
    // The same result again is a repeat: no second warning.
    answerOf(await record(h, 'R-1', { phone: '+79001110001' }), 'result');
    expect(warnings('+79001110002')).to.equal(1);
    const rows = await h.db().selectFrom('tests_warnings').selectAll().execute();
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ result_id: 'R-1', outcome: 'sent' });
    expect(rows[0]?.contact_key).to.match(/^[0-9a-f]{64}$/);
  });

  it('records the result even when the warning cannot be sent', async () => {
    const failing = await harness({
      notifier: {
        send: async (_phone, text) => {
          if (text.startsWith('Внимание')) throw new Error('SMS gateway down');
          failingSent.push(text);
        },
      },
    });
    const failingSent: string[] = [];
    try {
      answerOf(
        await failing.call({
          kind: 'visit',
          venueCode: VENUE,
          phone: '+79001110001',
          consent: consentNow(failing),
        }),
        'visit',
      );
      const codeA = /\b([0-9]{6})\b/.exec(failingSent.at(-1) ?? '')?.[1] ?? '';
      answerOf(await checkCode(failing, '+79001110001', codeA), 'check');
      answerOf(
        await failing.call({
          kind: 'visit',
          venueCode: VENUE,
          phone: '+79001110002',
          consent: consentNow(failing),
        }),
        'visit',
      );
      const codeB = /\b([0-9]{6})\b/.exec(failingSent.at(-1) ?? '')?.[1] ?? '';
      answerOf(await checkCode(failing, '+79001110002', codeB), 'check');
      expect(answerOf(await record(failing, 'R-2', { phone: '+79001110001' }), 'result').status).to.equal(
        'RECORDED',
      );
      const rows = await failing.db().selectFrom('tests_warnings').selectAll().execute();
      expect(rows.map((r) => r.outcome)).to.deep.equal(['failed']);
    } finally {
      await failing.close();
    }
  });

  it('sends one phone at most five SMS an hour, then refuses codes with SMS_LIMIT until the hour has passed', async () => {
    for (let i = 0; i < 5; i++) answerOf(await register(h, '+79001110009'), 'visit');
    const limited = rejectionOf(await register(h, '+79001110009'));
    expect(limited.code).to.equal('ACCESS_DENIED');
    expect(limited.description).to.match(/^SMS_LIMIT: /);
    expect(h.sent.filter((m) => m.phone === '+79001110009')).to.have.length(5);
    answerOf(await register(h, '+79001110010'), 'visit'); // another phone is not affected
    h.advance(3_600_000 + 1);
    answerOf(await register(h, '+79001110009'), 'visit');
  });
});
