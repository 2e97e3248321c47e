/**
 * The lab-results service's provider: entry checks against the register of positive laboratory results, one-time
 * codes by SMS, the register itself, and contacts for warning. Every time comes from the service clock.
 *
 * Minimal disclosure:
 * - an entry check answers ADMIT or REFUSE (and the code's expiry), never a result, date, laboratory or name;
 * - the register keeps no phone or token in clear, only keyed hashes: it is only ever asked "is this person in?";
 * - codes are kept only as salted HMACs;
 * - contacts are answered only to the system that recorded the person's result;
 * - a TestMessage reads neither the register nor the codes, so tests are no way around the lock on codes;
 * - a refused or failed check is recorded without the person; only an admitted check (a visit) keeps the
 *   visitor's phone or token in clear, because warning contacts is what it is kept for, and only for
 *   `visitRetentionDays`.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from '../../logging/logger.js';
import { checkRussianPhone } from '../../registry/checks.js';
import type { Database } from '../../store/schema.js';
import type { EntryCheckResult, TestsTables } from '../../store/schema-tests.js';
import type { StoreDialect } from '../../store/store.js';
import { refusal } from './refusals.js';
import { type Provider, type ProviderOutcome, type ProviderRequest } from '../contract.js';
import type {
  ContactsRequest,
  EntryCheckRequest,
  PersonRef,
  PositiveResultRequest,
  LabResultsAnswer,
  LabResultsRequest,
  VisitRegistrationRequest,
} from './codec.js';
import type { Notifier } from './notifier.js';
import {
  CODE_TTL_MS,
  DEFAULT_CONTACTS_LOOKBACK_MS,
  LOCK_MS,
  MAX_WRONG_CODES,
  codeMatches,
  codeMessage,
  groupContacts,
  hashCode,
  newOneTimeCode,
  newSalt,
  personKey,
  warningMessage,
  type VisitRow,
} from './rules.js';
import { isCalendarDate } from '../../identifiers/calendar-date.js';

type Db = Kysely<Database & TestsTables>;
type Outcome = ProviderOutcome<LabResultsAnswer>;
type Request<B> = ProviderRequest<B>;

export interface LabResultsProviderOptions {
  readonly db: Db;
  readonly dialect: StoreDialect;
  readonly clock: () => Date;
  readonly log: Logger;
  readonly notifier: Notifier;
  readonly visitRetentionDays: number;
  readonly warningWindowHours: number;
  readonly smsPerPhonePerHour: number;
}

const HOUR = 3_600_000;
/** A consent given this far ahead of the service clock is still accepted (the app's clock may run ahead). */
const CONSENT_CLOCK_SKEW_MS = 5 * 60_000;
const SWEEP_EVERY_MS = HOUR;

export class LabResultsProvider implements Provider<LabResultsRequest, LabResultsAnswer> {
  private readonly db: Db;
  private hmacKey: Promise<string> | undefined;
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: LabResultsProviderOptions) {
    this.db = options.db;
  }

  async handle(request: ProviderRequest<LabResultsRequest>): Promise<Outcome> {
    const now = this.options.clock().getTime();
    await this.sweep(now);
    const body = request.body;
    switch (body.kind) {
      case 'visit':
        return await this.registerVisit({ ...request, body }, now);
      case 'check':
        return await this.checkEntry({ ...request, body }, now);
      case 'result':
        return await this.positiveResult({ ...request, body }, now);
      case 'contacts':
        return await this.contacts({ ...request, body }, now);
    }
  }

  // ---- VisitRegistrationRequest ----

  private async registerVisit(request: Request<VisitRegistrationRequest>, now: number): Promise<Outcome> {
    const { venueCode, consent } = request.body;
    await this.requireVenue(venueCode);
    const phone = this.phone(request.body.phone, 'Phone');
    if (!consent) throw refusal('CONSENT_REQUIRED', 'Consent');
    if (consent.givenAt.getTime() > now + CONSENT_CLOCK_SKEW_MS)
      throw refusal('CONSENT_IN_FUTURE', 'Consent/GivenAt');
    const expiresAt = now + CODE_TTL_MS;
    if (request.testMessage) return answer({ kind: 'visit', codeExpiresAt: new Date(expiresAt) });

    const phoneKey = await this.key('phone', phone);
    if (!(await this.takeSms(phoneKey, now)))
      throw refusal('SMS_LIMIT', `${this.options.smsPerPhonePerHour} SMS an hour`);
    const code = newOneTimeCode();
    const salt = newSalt();
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('tests_consents')
        .values({
          id,
          venue_code: venueCode,
          phone_key: phoneKey,
          text_version: consent.textVersion,
          given_at: consent.givenAt.getTime(),
          recorded_at: now,
          sender: request.sender.mnemonic,
        })
        .execute();
      // A new code replaces the phone's earlier codes for this venue: only the latest SMS is valid, and there is
      // never more than one code per phone and venue to compare with.
      await trx
        .deleteFrom('tests_codes')
        .where('phone_key', '=', phoneKey)
        .where('venue_code', '=', venueCode)
        .execute();
      await trx
        .insertInto('tests_codes')
        .values({
          id,
          venue_code: venueCode,
          phone_key: phoneKey,
          salt,
          code_hash: hashCode(salt, code),
          issued_at: now,
          expires_at: expiresAt,
          used_at: null,
        })
        .execute();
    });
    try {
      await this.options.notifier.send(phone, codeMessage(code));
    } catch (error) {
      await this.db.deleteFrom('tests_codes').where('id', '=', id).execute();
      await this.db.deleteFrom('tests_consents').where('id', '=', id).execute();
      this.options.log.warn('one-time code not delivered', {
        venue: venueCode,
        error: (error as Error).message,
      });
      throw refusal('CODE_NOT_SENT', `the one-time code could not be sent: ${(error as Error).message}`);
    }
    return answer({ kind: 'visit', codeExpiresAt: new Date(expiresAt) });
  }

  // ---- EntryCheckRequest ----

  private async checkEntry(request: Request<EntryCheckRequest>, now: number): Promise<Outcome> {
    const { venueCode, credential } = request.body;
    await this.requireVenue(venueCode);
    if (request.testMessage) {
      // A test exercises the route and the form, never the register or the codes: its answer says nothing of the
      // person, and nothing bounds tests as the lock bounds real checks by code.
      if (credential.kind === 'code') this.phone(credential.phone, 'Phone');
      return answer({ kind: 'check', decision: 'ADMIT', codeExpiresAt: undefined });
    }
    const record = (
      result: EntryCheckResult,
      person?: { key: string; kind: 'phone' | 'token'; value: string },
    ) =>
      this.recordCheck(
        request.sender.mnemonic,
        venueCode,
        now,
        credential.kind === 'token' ? 'qr' : 'sms',
        result,
        person,
      );

    if (credential.kind === 'token') {
      const tokenKey = await this.key('token', credential.token);
      const positive = await this.isPositive({ tokenKey });
      if (positive) {
        await record('REFUSE');
        return answer({ kind: 'check', decision: 'REFUSE', codeExpiresAt: undefined });
      }
      await record('ADMIT', { key: tokenKey, kind: 'token', value: credential.token });
      return answer({ kind: 'check', decision: 'ADMIT', codeExpiresAt: undefined });
    }

    const phone = this.phone(credential.phone, 'Phone');
    const phoneKey = await this.key('phone', phone);
    const verdict = await this.db.transaction().execute(async (trx) => {
      // Every check by code of one phone passes through its lock row; PostgreSQL serialises them on it.
      await trx
        .insertInto('tests_phone_locks')
        .values({ phone_key: phoneKey, failures: 0, locked_until: null, updated_at: now })
        .onConflict((oc) => oc.column('phone_key').doNothing())
        .execute();
      const lock = (await trx
        .selectFrom('tests_phone_locks')
        .select(['failures', 'locked_until'])
        .where('phone_key', '=', phoneKey)
        .$if(this.options.dialect === 'postgres', (qb) => qb.forUpdate())
        .executeTakeFirst()) ?? { failures: 0, locked_until: null };
      if (lock.locked_until !== null && lock.locked_until > now)
        return { kind: 'locked' as const, until: lock.locked_until };

      // Normally one row; two only when registrations for the same phone and venue raced.
      const codes = await trx
        .selectFrom('tests_codes')
        .selectAll()
        .where('phone_key', '=', phoneKey)
        .where('venue_code', '=', venueCode)
        .orderBy('issued_at', 'desc')
        .execute();
      const latest = codes.find((row) => codeMatches(row.salt, row.code_hash, credential.code));
      if (!latest) {
        const failures = lock.failures + 1;
        const locked = failures >= MAX_WRONG_CODES;
        await trx
          .updateTable('tests_phone_locks')
          .set({
            failures: locked ? 0 : failures,
            locked_until: locked ? now + LOCK_MS : lock.locked_until,
            updated_at: now,
          })
          .where('phone_key', '=', phoneKey)
          .execute();
        return {
          kind: 'wrong' as const,
          left: MAX_WRONG_CODES - failures,
          lockedUntil: locked ? now + LOCK_MS : undefined,
        };
      }
      if (latest.used_at !== null) return { kind: 'used' as const };
      if (latest.expires_at <= now) return { kind: 'expired' as const, expiresAt: latest.expires_at };
      await trx.updateTable('tests_codes').set({ used_at: now }).where('id', '=', latest.id).execute();
      await trx
        .updateTable('tests_phone_locks')
        .set({ failures: 0, updated_at: now })
        .where('phone_key', '=', phoneKey)
        .execute();
      return { kind: 'valid' as const, expiresAt: latest.expires_at };
    });

    switch (verdict.kind) {
      case 'locked':
        await record('LOCKED');
        throw refusal(
          'CODE_LOCKED',
          `too many wrong codes for this phone: checks by code are locked until ${iso(verdict.until)}`,
        );
      case 'wrong':
        await record('WRONG_CODE');
        throw refusal(
          'CODE_WRONG',
          verdict.lockedUntil !== undefined
            ? `the code is wrong; after ${MAX_WRONG_CODES} wrong codes checks by code for this phone are locked until ${iso(verdict.lockedUntil)}`
            : `the code is wrong (${verdict.left} attempt${verdict.left === 1 ? '' : 's'} left before a ${LOCK_MS / 60_000}-minute lock)`,
        );
      case 'used':
        await record('WRONG_CODE');
        throw refusal('CODE_USED', 'the code has already been used: register the visit again for a new code');
      case 'expired':
        await record('EXPIRED_CODE');
        throw refusal(
          'CODE_EXPIRED',
          `the code expired at ${iso(verdict.expiresAt)}: register the visit again for a new code`,
        );
      case 'valid': {
        const positive = await this.isPositive({ phoneKey });
        if (positive) {
          await record('REFUSE');
          return answer({ kind: 'check', decision: 'REFUSE', codeExpiresAt: new Date(verdict.expiresAt) });
        }
        await record('ADMIT', { key: phoneKey, kind: 'phone', value: phone });
        return answer({ kind: 'check', decision: 'ADMIT', codeExpiresAt: new Date(verdict.expiresAt) });
      }
    }
  }

  private async recordCheck(
    sender: string,
    venueCode: string,
    at: number,
    method: 'qr' | 'sms',
    result: EntryCheckResult,
    person: { key: string; kind: 'phone' | 'token'; value: string } | undefined,
  ): Promise<void> {
    await this.db
      .insertInto('tests_entry_checks')
      .values({
        id: randomUUID(),
        venue_code: venueCode,
        checked_by: sender,
        checked_at: at,
        method,
        result,
        // Only a visit keeps who it was: refusals and failures are recorded without the person.
        person_key: result === 'ADMIT' && person ? person.key : null,
        contact_kind: result === 'ADMIT' && person ? person.kind : null,
        contact: result === 'ADMIT' && person ? person.value : null,
      })
      .execute();
  }

  // ---- PositiveResultRequest ----

  private async positiveResult(request: Request<PositiveResultRequest>, now: number): Promise<Outcome> {
    const sender = request.sender.mnemonic;
    const action = request.body.action;
    const existing = () =>
      this.db
        .selectFrom('tests_positive_results')
        .selectAll()
        .where('sender', '=', sender)
        .where('result_id', '=', action.resultId)
        .executeTakeFirst();

    if (action.kind === 'withdraw') {
      const row = await existing();
      if (!row) throw refusal('RESULT_NOT_FOUND', `no result ${action.resultId} was recorded by ${sender}`);
      if (row.withdrawn_at !== null)
        return answer({
          kind: 'result',
          resultId: row.result_id,
          status: 'WITHDRAWN',
          at: new Date(row.withdrawn_at),
        });
      if (!request.testMessage) {
        await this.db
          .updateTable('tests_positive_results')
          .set({ withdrawn_at: now })
          .where('sender', '=', sender)
          .where('result_id', '=', action.resultId)
          .where('withdrawn_at', 'is', null)
          .execute();
      }
      const after = request.testMessage ? undefined : await existing();
      return answer({
        kind: 'result',
        resultId: action.resultId,
        status: 'WITHDRAWN',
        at: new Date(after?.withdrawn_at ?? now),
      });
    }

    if (!isCalendarDate(action.resultDate))
      throw refusal('RESULT_DATE_INVALID', `ResultDate ${action.resultDate} is not a calendar date`);
    if (action.resultDate > iso(now).slice(0, 10)) {
      throw refusal('RESULT_DATE_IN_FUTURE', `ResultDate ${action.resultDate} is in the future`);
    }
    const keys = await this.personKeys(action.person);
    const same = (row: {
      phone_key: string | null;
      token_key: string | null;
      result_date: string;
      withdrawn_at: number | null;
      recorded_at: number;
    }): Outcome => {
      if (row.withdrawn_at !== null) {
        throw refusal(
          'RESULT_WITHDRAWN',
          `result ${action.resultId} was withdrawn; a new result needs a new ResultId`,
        );
      }
      if (
        row.phone_key !== (keys.phoneKey ?? null) ||
        row.token_key !== (keys.tokenKey ?? null) ||
        row.result_date !== action.resultDate
      ) {
        throw refusal('RESULT_CONFLICT', `result ${action.resultId} is already recorded with other data`);
      }
      return answer({
        kind: 'result',
        resultId: action.resultId,
        status: 'RECORDED',
        at: new Date(row.recorded_at),
      });
    };
    const row = await existing();
    if (row) return same(row);
    if (request.testMessage)
      return answer({ kind: 'result', resultId: action.resultId, status: 'RECORDED', at: new Date(now) });
    const inserted = await this.db
      .insertInto('tests_positive_results')
      .values({
        sender,
        result_id: action.resultId,
        phone_key: keys.phoneKey ?? null,
        token_key: keys.tokenKey ?? null,
        result_date: action.resultDate,
        recorded_at: now,
        withdrawn_at: null,
      })
      .onConflict((oc) => oc.columns(['sender', 'result_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
      // The same ResultId arrived concurrently: answer as a repeat.
      const raced = await existing();
      if (raced) return same(raced);
    }
    const personKeys = new Set([keys.phoneKey, keys.tokenKey].filter((k): k is string => k !== undefined));
    await this.warnContacts(sender, action.resultId, personKeys, now).catch((error: unknown) =>
      this.options.log.error('contact warnings failed', { error: (error as Error).message }),
    );
    return answer({ kind: 'result', resultId: action.resultId, status: 'RECORDED', at: new Date(now) });
  }

  // ---- ContactsRequest ----

  /**
   * Only the system that recorded the person's positive result learns the contacts: anyone else could otherwise
   * ask whether any phone is positive, and, with a result of its own making, harvest the phones and personal
   * tokens of a venue's visitors. A test reads nothing.
   */
  private async contacts(request: Request<ContactsRequest>, now: number): Promise<Outcome> {
    const { person, windowHours, since } = request.body;
    const keys = await this.personKeys(person);
    if (request.testMessage) return answer({ kind: 'contacts', contacts: [] });
    const results = await this.activeResults(keys, request.sender.mnemonic);
    if (results.length === 0)
      throw refusal(
        'NO_POSITIVE_RESULT',
        `no positive result for this person is recorded by ${request.sender.mnemonic}`,
      );
    const personKeys = new Set<string>();
    for (const key of [keys.phoneKey, keys.tokenKey, ...results.flatMap((r) => [r.phone_key, r.token_key])])
      if (key) personKeys.add(key);

    const from = since ? since.getTime() : now - DEFAULT_CONTACTS_LOOKBACK_MS;
    const contacts = await this.overlappingContacts(personKeys, from, now, windowHours * HOUR);
    return answer({ kind: 'contacts', contacts });
  }

  /** The visitors whose visits overlapped the person's (same venue, within `windowMs` either side). */
  private async overlappingContacts(personKeys: Set<string>, from: number, now: number, windowMs: number) {
    const personVisits = await this.db
      .selectFrom('tests_entry_checks')
      .select(['venue_code', 'checked_at'])
      .where('result', '=', 'ADMIT')
      .where('person_key', 'in', [...personKeys])
      .where('checked_at', '>=', from)
      .where('checked_at', '<=', now)
      .orderBy('checked_at')
      .execute();
    if (personVisits.length === 0) return [];

    const candidates: VisitRow[] = [];
    const venues = new Set(personVisits.map((v) => v.venue_code));
    for (const venue of venues) {
      const times = personVisits.filter((v) => v.venue_code === venue).map((v) => v.checked_at);
      const rows = await this.db
        .selectFrom('tests_entry_checks')
        .select(['id', 'venue_code', 'checked_at', 'person_key', 'contact_kind', 'contact'])
        .where('result', '=', 'ADMIT')
        .where('venue_code', '=', venue)
        .where('checked_at', '>=', Math.min(...times) - windowMs)
        .where('checked_at', '<=', Math.max(...times) + windowMs)
        .where('person_key', 'is not', null)
        .execute();
      for (const row of rows) {
        if (row.person_key === null || row.contact_kind === null || row.contact === null) continue;
        candidates.push({
          id: row.id,
          venueCode: row.venue_code,
          checkedAt: Number(row.checked_at),
          personKey: row.person_key,
          contactKind: row.contact_kind,
          contact: row.contact,
        });
      }
    }
    return groupContacts(
      personVisits.map((v) => ({ venueCode: v.venue_code, checkedAt: Number(v.checked_at) })),
      candidates,
      personKeys,
      windowMs,
    );
  }

  /**
   * A positive result was recorded: warn the contacts reachable by phone, once per contact and result, within
   * each phone's SMS limit. The result stands whatever happens here; failures are logged and recorded.
   */
  private async warnContacts(sender: string, resultId: string, personKeys: Set<string>, now: number) {
    const contacts = await this.overlappingContacts(
      personKeys,
      now - DEFAULT_CONTACTS_LOOKBACK_MS,
      now,
      this.options.warningWindowHours * HOUR,
    );
    for (const { contact } of contacts) {
      if (contact.kind !== 'phone') continue;
      const contactKey = await this.key('phone', contact.value);
      const claimed = await this.db
        .insertInto('tests_warnings')
        .values({
          result_sender: sender,
          result_id: resultId,
          contact_key: contactKey,
          outcome: 'sending',
          at: now,
        })
        .onConflict((oc) => oc.columns(['result_sender', 'result_id', 'contact_key']).doNothing())
        .executeTakeFirst();
      if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) continue;
      let outcome = 'sent';
      if (!(await this.takeSms(contactKey, now))) outcome = 'limited';
      else {
        try {
          await this.options.notifier.send(contact.value, warningMessage());
        } catch (error) {
          outcome = 'failed';
          this.options.log.warn('contact warning not delivered', { error: (error as Error).message });
        }
      }
      await this.db
        .updateTable('tests_warnings')
        .set({ outcome })
        .where('result_sender', '=', sender)
        .where('result_id', '=', resultId)
        .where('contact_key', '=', contactKey)
        .execute();
    }
  }

  /** Count one SMS to the phone, unless it already had its hourly share. */
  private async takeSms(phoneKey: string, now: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('tests_sms')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('phone_key', '=', phoneKey)
      .where('at', '>', now - HOUR)
      .executeTakeFirst();
    if (Number(row?.n ?? 0) >= this.options.smsPerPhonePerHour) return false;
    await this.db
      .insertInto('tests_sms')
      .values({ id: randomUUID(), phone_key: phoneKey, at: now })
      .execute();
    return true;
  }

  // ---- shared ----

  /** The venue must be a registered participant that is active now. */
  private async requireVenue(venueCode: string): Promise<void> {
    const venue = await this.db
      .selectFrom('participants')
      .select('status')
      .where('registry_code', '=', venueCode)
      .executeTakeFirst();
    if (!venue) throw refusal('VENUE_NOT_FOUND', `no venue with registry code ${venueCode} is registered`);
    if (venue.status !== 'active') {
      throw refusal(
        'VENUE_NOT_ACTIVE',
        `the venue ${venueCode} is not active in the registry (${venue.status})`,
      );
    }
  }

  /** The phone in E.164, or a rejection naming the field. */
  private phone(value: string, field: string): string {
    const checked = checkRussianPhone(value, field);
    if (!checked.ok) throw refusal('PHONE_INVALID', checked.message);
    return checked.value;
  }

  private async personKeys(person: PersonRef): Promise<{ phoneKey?: string; tokenKey?: string }> {
    return {
      ...(person.phone !== undefined
        ? { phoneKey: await this.key('phone', this.phone(person.phone, 'Person/Phone')) }
        : {}),
      ...(person.token !== undefined ? { tokenKey: await this.key('token', person.token) } : {}),
    };
  }

  /** The active results for the person, by anyone or by `sender` only. */
  private activeResults(keys: { phoneKey?: string; tokenKey?: string }, sender?: string) {
    return this.db
      .selectFrom('tests_positive_results')
      .select(['phone_key', 'token_key'])
      .where('withdrawn_at', 'is', null)
      .$if(sender !== undefined, (qb) => qb.where('sender', '=', sender ?? ''))
      .where((eb) =>
        eb.or([
          ...(keys.phoneKey ? [eb('phone_key', '=', keys.phoneKey)] : []),
          ...(keys.tokenKey ? [eb('token_key', '=', keys.tokenKey)] : []),
        ]),
      )
      .execute();
  }

  private async isPositive(keys: { phoneKey?: string; tokenKey?: string }): Promise<boolean> {
    return (await this.activeResults(keys)).length > 0;
  }

  private async key(kind: 'phone' | 'token', value: string): Promise<string> {
    this.hmacKey ??= this.db
      .selectFrom('tests_keys')
      .select('hmac_key')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow()
      .then((row) => row.hmac_key);
    this.hmacKey.catch(() => (this.hmacKey = undefined));
    return personKey(await this.hmacKey, kind, value);
  }

  /** At most once an hour: drop visits past retention, long-expired codes and stale lock rows. */
  private async sweep(now: number): Promise<void> {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    try {
      await this.db
        .deleteFrom('tests_entry_checks')
        .where('checked_at', '<', now - this.options.visitRetentionDays * 24 * HOUR)
        .execute();
      await this.db
        .deleteFrom('tests_codes')
        .where('expires_at', '<', now - 24 * HOUR)
        .execute();
      await this.db
        .deleteFrom('tests_sms')
        .where('at', '<', now - 24 * HOUR)
        .execute();
      // A consent is kept as long as the visits it allowed.
      await this.db
        .deleteFrom('tests_consents')
        .where('recorded_at', '<', now - this.options.visitRetentionDays * 24 * HOUR)
        .execute();
      await this.db
        .deleteFrom('tests_phone_locks')
        .where('updated_at', '<', now - 24 * HOUR)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .execute();
    } catch (error) {
      this.options.log.warn('lab-results retention sweep failed', { error: (error as Error).message });
    }
  }
}

function answer(body: LabResultsAnswer): Outcome {
  return { kind: 'answer', body };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
