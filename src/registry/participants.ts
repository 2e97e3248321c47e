/**
 * Participants: an organisation's application, its lifecycle (DESIGN section 5, the table in lifecycle.ts), the
 * changes of its data it reports, and the public entry its QR code opens.
 */
import { randomUUID } from 'node:crypto';
import type { ParticipantStatus, ParticipantTable } from '../store/schema.js';
import { conflict, invalid, notFound } from './errors.js';
import type { Agreements } from './agreements.js';
import { registryLink } from './qr.js';
import { changeDueAt, checkedChangeDay } from './changes.js';
import type { ReferenceBooks } from './reference-books.js';
import { checkedFieldsChanged } from './checked-data.js';
import { ChangeInput, checkedApplication, checkedReason } from './inputs.js';
import {
  TRANSITIONS,
  coordinatorDeadline,
  isOverdue,
  operatorDeadline,
  type TransitionName,
} from './lifecycle.js';
import { moveParticipant, participantRow, recordTransition, seenParticipantRow } from './rows.js';
import { maySee } from './scope.js';
import { runChange, updateVersioned } from './transaction.js';
import { requireRole, type Actor, type Db, type RegistryContext, type Trx } from './types.js';

/** What else happens when a participant is registered: the registration letter with its QR code. */
export interface RegistrationNotices {
  registered(participant: ReturnType<typeof presentParticipant>): Promise<void>;
}

export interface ParticipantOptions {
  readonly notices?: RegistrationNotices | undefined;
  /** Base of the link a participant's QR code opens (the registry code is appended). */
  readonly linkBase?: () => string;
}

export class Participants {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly books: ReferenceBooks,
    private readonly agreements: Agreements,
    private readonly options: ParticipantOptions = {},
  ) {}

  async submitApplication(actor: Actor, body: unknown) {
    requireRole(actor, 'operator');
    const input = checkedApplication(body);
    const now = this.ctx.clock();
    const row: ParticipantTable = {
      id: randomUUID(),
      registry_code: null,
      ...detailColumns(input),
      kind: input.kind ?? 'organisation',
      sphere: input.sphere ?? 'other',
      status: 'submitted',
      submitted_at: now.getTime(),
      coordinator_due: coordinatorDeadline(now).getTime(),
      operator_due: null,
      updated_at: now.getTime(),
      version: 1,
    };
    const declined = await this.ctx.db
      .selectFrom('participants')
      .select('id')
      .where('ogrn', '=', row.ogrn)
      .where('status', '=', 'declined')
      .executeTakeFirst();
    if (declined) return this.reapply(actor, declined.id, row, now);
    return runChange(this.ctx, actor, 'participant.apply', 'participant', row.id, async (trx) => {
      await this.requireEntries(trx, row);
      if (await trx.selectFrom('participants').select('id').where('ogrn', '=', row.ogrn).executeTakeFirst()) {
        throw conflict(`a participant with OGRN ${row.ogrn} is already registered or applying`);
      }
      await trx.insertInto('participants').values(row).execute();
      await recordTransition(trx, row.id, null, 'submitted', actor, null, now);
      return { before: undefined, after: row, result: presentParticipant(row) };
    });
  }

  /** The reference-book entries an application names: every application, first or again, is checked by them. */
  private async requireEntries(trx: Db, application: ParticipantTable): Promise<void> {
    await this.books.requireEntry(trx, 'spheres', application.sphere, 'sphere');
  }

  /**
   * Refuse to leave a state body or local government active without its interaction agreement, however it would
   * get there: activated, resumed, or an active organisation reported as one.
   */
  private async requireAgreement(trx: Trx, participant: ParticipantTable): Promise<void> {
    if (!needsAgreement(participant) || (await this.agreements.exists(trx, participant.id))) return;
    throw conflict(
      `a ${participant.kind} is active only with its interaction agreement with the operator: ` +
        'record the agreement first',
    );
  }

  /**
   * A declined organisation applies again: its OGRN is free, and the new application takes over the declined
   * record (same id), so its transitions keep the whole story: submitted, declined, submitted again.
   */
  private reapply(actor: Actor, participantId: string, application: ParticipantTable, now: Date) {
    return runChange(this.ctx, actor, 'participant.reapply', 'participant', participantId, async (trx) => {
      const before = await participantRow(trx, participantId);
      if (before.status !== 'declined') {
        throw conflict(`a participant with OGRN ${before.ogrn} is already registered or applying`);
      }
      await this.requireEntries(trx, application);
      const { id: _fresh, ...changes } = application;
      const after = await moveParticipant(trx, before, 'submitted', actor, 'applied again', now, changes);
      return { before, after, result: presentParticipant(after) };
    });
  }

  /**
   * Take a lifecycle action. With `version`, the version of the participant the actor read, the action is refused
   * if the participant changed since: a coordinator checks the data it saw, not data changed meanwhile.
   */
  async transition(
    actor: Actor,
    participantId: string,
    name: TransitionName,
    reason?: string,
    version?: number,
  ) {
    const result = await this.applyTransition(actor, participantId, name, reason, version);
    if (name !== 'register') return result;
    // The registration stands whether or not the letter goes out; the answer says which.
    const notices = this.options.notices;
    if (!notices) return { ...result, registrationMail: 'not configured' };
    try {
      await notices.registered(result);
      return { ...result, registrationMail: 'sent' };
    } catch (error) {
      return { ...result, registrationMail: `failed: ${(error as Error).message}` };
    }
  }

  /** What a participant's QR code encodes: the link to its registry entry. */
  qrContent(registryCode: string): string {
    return registryLink(this.options.linkBase?.() ?? 'http://127.0.0.1:8080/registry/', registryCode);
  }

  /** The public registry entry a QR code's link opens: name and status only. */
  async lookupCode(registryCode: string) {
    const row = await this.ctx.db
      .selectFrom('participants')
      .select(['registry_code', 'short_name', 'status'])
      .where('registry_code', '=', registryCode)
      .executeTakeFirst();
    if (!row) throw notFound(`registry code ${registryCode}`);
    return { registryCode: row.registry_code, shortName: row.short_name, status: row.status };
  }

  private async applyTransition(
    actor: Actor,
    participantId: string,
    name: TransitionName,
    given?: string,
    version?: number,
  ) {
    const rule = TRANSITIONS[name];
    requireRole(actor, rule.role);
    const reason = checkedReason(given);
    if (rule.reasonRequired && !reason?.trim()) throw invalid('reason', `a reason is required to ${name}`);
    const now = this.ctx.clock();
    return runChange(this.ctx, actor, `participant.${name}`, 'participant', participantId, async (trx) => {
      // Another sphere's application is out of a scoped coordinator's sight: not found, as if it did not exist.
      const before = await seenParticipantRow(trx, actor, participantId);
      if (version !== undefined && version !== before.version)
        throw conflict(
          `the participant changed since it was read (version ${version}, now ${before.version}); read it again`,
        );
      if (!(rule.from as readonly ParticipantStatus[]).includes(before.status)) {
        throw conflict(`cannot ${name} a participant that is ${before.status}`);
      }
      if (rule.to === 'active') await this.requireAgreement(trx, before);
      const other: Partial<ParticipantTable> = {};
      if (name === 'check') other.operator_due = operatorDeadline(now).getTime();
      if (name === 'register') other.registry_code = `REG-${before.ogrn}`;
      const after = await moveParticipant(trx, before, rule.to, actor, reason ?? null, now, other);
      return { before, after, result: presentParticipant(after) };
    });
  }

  /**
   * A participant reports a change of its data (the rules give it three days): the whole record is sent again,
   * checked like an application, with the day the change took effect, and replaces the old one. A report after
   * the third day is recorded as late. The audit trail keeps before and after.
   */
  async updateDetails(actor: Actor, participantId: string, body: unknown) {
    requireRole(actor, 'operator');
    const input = checkedApplication(body, ChangeInput);
    const now = this.ctx.clock();
    const changedOn = checkedChangeDay(input.changedOn, now);
    return runChange(this.ctx, actor, 'participant.update', 'participant', participantId, async (trx) => {
      const before = await seenParticipantRow(trx, actor, participantId);
      if (before.status === 'declined' || before.status === 'withdrawn') {
        throw conflict(`the participant is ${before.status}; its data can no longer change`);
      }
      // The registry code is REG-<OGRN>: a registered participant is that organisation for good.
      if (before.registry_code !== null && (input.ogrn !== before.ogrn || input.inn !== before.inn)) {
        throw conflict(
          'a registered participant keeps its OGRN and INN (its registry code names them); ' +
            'another organisation applies on its own',
        );
      }
      const taken = await trx
        .selectFrom('participants')
        .select('id')
        .where('ogrn', '=', input.ogrn)
        .where('id', '!=', participantId)
        .executeTakeFirst();
      if (taken) throw conflict(`a participant with OGRN ${input.ogrn} is already registered or applying`);
      const changes: Partial<ParticipantTable> = {
        ...detailColumns(input),
        kind: input.kind ?? before.kind,
        sphere: input.sphere ?? before.sphere,
        updated_at: now.getTime(),
        version: before.version + 1,
      };
      if (changes.sphere !== before.sphere)
        await this.books.requireEntry(trx, 'spheres', changes.sphere ?? '', 'sphere');
      if (before.status === 'active') await this.requireAgreement(trx, { ...before, ...changes });
      const dueAt = changeDueAt(changedOn);
      const report = {
        id: randomUUID(),
        participant_id: participantId,
        changed_on: changedOn,
        reported_at: now.getTime(),
        due_at: dueAt,
        late: now.getTime() > dueAt ? 1 : 0,
        actor: actor.name,
      };
      await trx.insertInto('participant_changes').values(report).execute();
      // The coordinator's check holds for the data it checked: changed, the application waits for a new one.
      const checkAgain = before.status === 'checked' ? checkedFieldsChanged(before, changes) : [];
      let after: ParticipantTable;
      if (checkAgain.length > 0) {
        const why = `changed after the check (${checkAgain.join(', ')}): to be checked again`;
        after = await moveParticipant(trx, before, 'submitted', actor, why, now, {
          ...changes,
          coordinator_due: coordinatorDeadline(now).getTime(),
          operator_due: null,
        });
      } else {
        await updateVersioned(trx, 'participants', participantId, before.version, changes, 'the participant');
        after = { ...before, ...changes };
      }
      const change = {
        changedOn,
        late: report.late === 1,
        ...(checkAgain.length > 0 ? { checkAgain } : {}),
      };
      return {
        before,
        after: { ...after, ...change },
        result: { ...presentParticipant(after), change },
      };
    });
  }

  /** Reported changes, newest first; `late` keeps only those reported after the third day. */
  async listChanges(filter: { late?: boolean; participantId?: string } = {}) {
    let query = this.ctx.db
      .selectFrom('participant_changes as c')
      .innerJoin('participants as p', 'p.id', 'c.participant_id')
      .select([
        'c.id',
        'c.participant_id',
        'p.short_name',
        'c.changed_on',
        'c.reported_at',
        'c.due_at',
        'c.late',
      ])
      .orderBy('c.reported_at', 'desc');
    if (filter.late !== undefined) query = query.where('c.late', '=', filter.late ? 1 : 0);
    if (filter.participantId) query = query.where('c.participant_id', '=', filter.participantId);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: r.id,
      participantId: r.participant_id,
      participant: r.short_name,
      changedOn: r.changed_on,
      reportedAt: new Date(Number(r.reported_at)).toISOString(),
      dueAt: new Date(Number(r.due_at)).toISOString(),
      late: Number(r.late) === 1,
    }));
  }

  /** The participants `viewer` may see (scope.ts), e.g. a scoped coordinator's spheres' only. */
  async list(viewer: Actor, filter: { status?: string; overdue?: boolean } = {}) {
    const now = this.ctx.clock();
    let query = this.ctx.db.selectFrom('participants').selectAll().orderBy('submitted_at');
    if (filter.status) query = query.where('status', '=', filter.status as ParticipantStatus);
    const rows = await query.execute();
    return rows
      .filter((row) => maySee(viewer, row))
      .map((row) => ({ ...presentParticipant(row), overdue: isOverdue(row, now) }))
      .filter((row) => filter.overdue === undefined || row.overdue === filter.overdue);
  }

  async get(viewer: Actor, id: string) {
    const db = this.ctx.db;
    const row = await seenParticipantRow(db, viewer, id);
    const [transitions, systems] = await Promise.all([
      db
        .selectFrom('participant_transitions')
        .select(['from_status', 'to_status', 'actor', 'role', 'reason', 'at'])
        .where('participant_id', '=', id)
        .orderBy('at')
        .execute(),
      db
        .selectFrom('information_systems')
        .select(['mnemonic', 'name', 'status'])
        .where('participant_id', '=', id)
        .execute(),
    ]);
    return {
      ...presentParticipant(row),
      overdue: isOverdue(row, this.ctx.clock()),
      transitions: transitions.map((t) => ({ ...t, at: new Date(t.at).toISOString() })),
      systems,
    };
  }
}

/** The participant's own data, as an application or a reported change states it. */
function detailColumns(input: ReturnType<typeof checkedApplication>) {
  return {
    full_name: input.fullName,
    short_name: input.shortName,
    legal_form: input.legalForm,
    ogrn: input.ogrn,
    inn: input.inn,
    kpp: input.kpp,
    address: input.address,
    head_name: input.head,
    contact_name: input.contact.name,
    contact_position: input.contact.position,
    contact_phone: input.contact.phone,
    contact_email: input.contact.email,
  };
}

function needsAgreement(participant: ParticipantTable): boolean {
  return participant.kind === 'state-body' || participant.kind === 'local-government';
}

function presentParticipant(row: ParticipantTable) {
  return {
    id: row.id,
    registryCode: row.registry_code,
    status: row.status,
    fullName: row.full_name,
    shortName: row.short_name,
    legalForm: row.legal_form,
    kind: row.kind,
    sphere: row.sphere,
    ogrn: row.ogrn,
    inn: row.inn,
    kpp: row.kpp,
    address: row.address,
    head: row.head_name,
    contact: {
      name: row.contact_name,
      position: row.contact_position,
      phone: row.contact_phone,
      email: row.contact_email,
    },
    submittedAt: new Date(row.submitted_at).toISOString(),
    coordinatorDue: new Date(row.coordinator_due).toISOString(),
    operatorDue: row.operator_due === null ? null : new Date(row.operator_due).toISOString(),
    version: row.version,
  };
}
