/**
 * The participant registry: organisations and their application lifecycle, information systems, their
 * signing certificates, routes and API tokens. Every change runs in one transaction that also bumps the registry
 * revision (so every gateway instance reloads within a second) and appends to the audit trail. Concurrent
 * changes of one record are settled by its version: exactly one wins, the other gets a conflict.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Transaction, Updateable } from 'kysely';
import type { AuditTrail } from '../audit/trail.js';
import type { TrustStore } from '../signature/pki/trust-store.js';
import { isGatewayFault } from '../core/faults.js';
import type { Database, ParticipantStatus, ParticipantTable, Role, SystemStatus } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { RegistryError, conflict, invalid, notFound } from './errors.js';
import { Agreements } from './agreements.js';
import { BlockRequests } from './block-requests.js';
import { registryLink } from './qr.js';
import { changeDueAt, checkedChangeDay } from './changes.js';
import { ReferenceBooks } from './reference-books.js';
import { RouteApplications } from './route-applications.js';
import {
  CertificateInput,
  ChangeInput,
  TokenInput,
  RouteInput,
  SystemInput,
  checkedApplication,
  checkedMnemonic,
  parseInput,
} from './inputs.js';
import {
  TRANSITIONS,
  coordinatorDeadline,
  isOverdue,
  operatorDeadline,
  type TransitionName,
} from './lifecycle.js';

export interface Actor {
  readonly name: string;
  readonly role: Role;
  /** A coordinator's spheres; absent for every sphere. */
  readonly spheres?: readonly string[];
  /** The participant a participant token acts for. */
  readonly participantId?: string;
}

/** What else happens when a participant is registered: the registration letter with its QR code. */
export interface RegistrationNotices {
  registered(participant: ReturnType<typeof presentParticipant>): Promise<void>;
}

export interface RegistryOptions {
  readonly notices?: RegistrationNotices | undefined;
  /** Base of the link a participant's QR code opens (the registry code is appended). */
  readonly linkBase?: () => string;
}

/** Where registry changes are recorded: the audit trail, in the same transaction as the change. */
export type AuditSink = Pick<AuditTrail, 'append' | 'afterCommit'>;

export type Trx = Transaction<Database>;

/**
 * Optimistic concurrency: write `changes` over the participant only if it is still at the version it was read at,
 * else refuse, so two operators acting at once cannot overwrite each other.
 */
export async function updateParticipant(
  trx: Trx,
  id: string,
  readVersion: number,
  changes: Updateable<ParticipantTable>,
): Promise<void> {
  const updated = await trx
    .updateTable('participants')
    .set(changes)
    .where('id', '=', id)
    .where('version', '=', readVersion)
    .executeTakeFirst();
  if (!updated.numUpdatedRows)
    throw conflict('the participant was changed by someone else; reload and retry');
}

export class Registry {
  private readonly db: Kysely<Database>;
  readonly agreements: Agreements;
  readonly books: ReferenceBooks;
  readonly routeApplications: RouteApplications;
  readonly blockRequests: BlockRequests;

  constructor(
    store: Store,
    private readonly audit: AuditSink,
    private readonly trust: TrustStore,
    readonly clock: () => Date = () => new Date(),
    private readonly options: RegistryOptions = {},
  ) {
    this.db = store.db;
    this.agreements = new Agreements(this, this.db);
    this.books = new ReferenceBooks(this, this.db);
    this.routeApplications = new RouteApplications(this, this.db);
    this.blockRequests = new BlockRequests(this, this.db);
  }

  // ---- participants and their lifecycle ----

  async submitApplication(actor: Actor, body: unknown) {
    requireRole(actor, 'operator');
    const input = checkedApplication(body);
    const now = this.clock();
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
    const declined = await this.db
      .selectFrom('participants')
      .select('id')
      .where('ogrn', '=', row.ogrn)
      .where('status', '=', 'declined')
      .executeTakeFirst();
    if (declined) return this.reapply(actor, declined.id, row, now);
    return this.change(actor, 'participant.apply', 'participant', row.id, async (trx) => {
      await this.books.requireEntry(trx, 'spheres', row.sphere, 'sphere');
      if (await trx.selectFrom('participants').select('id').where('ogrn', '=', row.ogrn).executeTakeFirst()) {
        throw conflict(`a participant with OGRN ${row.ogrn} is already registered or applying`);
      }
      await trx.insertInto('participants').values(row).execute();
      await this.recordTransition(trx, row.id, null, 'submitted', actor, null, now);
      return { before: undefined, after: row, result: presentParticipant(row) };
    });
  }

  /**
   * A declined organisation applies again: its OGRN is free, and the new application takes over the declined
   * record (same id), so its transitions keep the whole story: submitted, declined, submitted again.
   */
  private reapply(actor: Actor, participantId: string, application: ParticipantTable, now: Date) {
    return this.change(actor, 'participant.reapply', 'participant', participantId, async (trx) => {
      const before = await this.participantRow(trx, participantId);
      if (before.status !== 'declined') {
        throw conflict(`a participant with OGRN ${before.ogrn} is already registered or applying`);
      }
      const { id: _fresh, ...changes } = { ...application, version: before.version + 1 };
      await updateParticipant(trx, participantId, before.version, changes);
      await this.recordTransition(trx, participantId, 'declined', 'submitted', actor, 'applied again', now);
      const after = { ...before, ...changes };
      return { before, after, result: presentParticipant(after) };
    });
  }

  async transition(actor: Actor, participantId: string, name: TransitionName, reason?: string) {
    const result = await this.applyTransition(actor, participantId, name, reason);
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
    const row = await this.db
      .selectFrom('participants')
      .select(['registry_code', 'short_name', 'status'])
      .where('registry_code', '=', registryCode)
      .executeTakeFirst();
    if (!row) throw notFound(`registry code ${registryCode}`);
    return { registryCode: row.registry_code, shortName: row.short_name, status: row.status };
  }

  private async applyTransition(actor: Actor, participantId: string, name: TransitionName, reason?: string) {
    const rule = TRANSITIONS[name];
    requireRole(actor, rule.role);
    if (rule.reasonRequired && !reason?.trim()) throw invalid('reason', `a reason is required to ${name}`);
    const now = this.clock();
    return this.change(actor, `participant.${name}`, 'participant', participantId, async (trx) => {
      const before = await this.participantRow(trx, participantId);
      if (rule.role === 'coordinator' && actor.spheres && !actor.spheres.includes(before.sphere)) {
        throw new RegistryError(
          'forbidden',
          `the application is in the sphere ${before.sphere}; this coordinator checks ${actor.spheres.join(', ')}`,
        );
      }
      if (!(rule.from as readonly ParticipantStatus[]).includes(before.status)) {
        throw conflict(`cannot ${name} a participant that is ${before.status}`);
      }
      if (name === 'activate' && needsAgreement(before) && !(await this.agreements.exists(trx, before.id))) {
        throw conflict(
          `a ${before.kind} becomes active only after its interaction agreement with the operator is recorded`,
        );
      }
      const changes: Partial<ParticipantTable> = {
        status: rule.to,
        updated_at: now.getTime(),
        version: before.version + 1,
      };
      if (name === 'check') changes.operator_due = operatorDeadline(now).getTime();
      if (name === 'register') changes.registry_code = `REG-${before.ogrn}`;
      await updateParticipant(trx, participantId, before.version, changes);
      await this.recordTransition(trx, participantId, before.status, rule.to, actor, reason ?? null, now);
      const after = { ...before, ...changes };
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
    const now = this.clock();
    const changedOn = checkedChangeDay(input.changedOn, now);
    return this.change(actor, 'participant.update', 'participant', participantId, async (trx) => {
      const before = await this.participantRow(trx, participantId);
      if (before.status === 'declined' || before.status === 'withdrawn') {
        throw conflict(`the participant is ${before.status}; its data can no longer change`);
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
      await updateParticipant(trx, participantId, before.version, changes);
      const after = { ...before, ...changes };
      return {
        before,
        after: { ...after, changedOn, late: report.late === 1 },
        result: { ...presentParticipant(after), change: { changedOn, late: report.late === 1 } },
      };
    });
  }

  /** Reported changes, newest first; `late` keeps only those reported after the third day. */
  async listChanges(filter: { late?: boolean; participantId?: string } = {}) {
    let query = this.db
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

  /** Participants; a coordinator scoped to spheres sees the applications of its spheres only. */
  async listParticipants(filter: { status?: string; overdue?: boolean; spheres?: readonly string[] } = {}) {
    const now = this.clock();
    let query = this.db.selectFrom('participants').selectAll().orderBy('submitted_at');
    if (filter.status) query = query.where('status', '=', filter.status as ParticipantStatus);
    if (filter.spheres) query = query.where('sphere', 'in', [...filter.spheres]);
    const rows = await query.execute();
    return rows
      .map((row) => ({ ...presentParticipant(row), overdue: isOverdue(row, now) }))
      .filter((row) => filter.overdue === undefined || row.overdue === filter.overdue);
  }

  async getParticipant(id: string) {
    const row = await this.participantRow(this.db, id);
    const [transitions, systems] = await Promise.all([
      this.db
        .selectFrom('participant_transitions')
        .select(['from_status', 'to_status', 'actor', 'role', 'reason', 'at'])
        .where('participant_id', '=', id)
        .orderBy('at')
        .execute(),
      this.db
        .selectFrom('information_systems')
        .select(['mnemonic', 'name', 'status'])
        .where('participant_id', '=', id)
        .execute(),
    ]);
    return {
      ...presentParticipant(row),
      overdue: isOverdue(row, this.clock()),
      transitions: transitions.map((t) => ({ ...t, at: new Date(t.at).toISOString() })),
      systems,
    };
  }

  // ---- information systems ----

  async addSystem(actor: Actor, participantId: string, body: unknown) {
    requireRole(actor, 'operator');
    const input = parseInput(SystemInput, body);
    const mnemonic = checkedMnemonic(input.mnemonic);
    const now = this.clock().getTime();
    const row = {
      id: randomUUID(),
      mnemonic,
      name: input.name,
      participant_id: participantId,
      status: 'active' as const,
      updated_at: now,
      version: 1,
    };
    return this.change(actor, 'system.add', 'system', mnemonic, async (trx) => {
      const participant = await this.participantRow(trx, participantId);
      if (!['registered', 'active'].includes(participant.status)) {
        throw conflict(`systems are added to registered participants; this one is ${participant.status}`);
      }
      if (
        await trx
          .selectFrom('information_systems')
          .select('id')
          .where('mnemonic', '=', mnemonic)
          .executeTakeFirst()
      ) {
        throw conflict(`the mnemonic ${mnemonic} is taken`);
      }
      await trx.insertInto('information_systems').values(row).execute();
      return { before: undefined, after: row, result: row };
    });
  }

  async setSystemStatus(actor: Actor, mnemonic: string, status: SystemStatus, reason?: string) {
    requireRole(actor, 'operator');
    if (status !== 'active' && !reason?.trim())
      throw invalid('reason', `a reason is required to make a system ${status}`);
    return this.change(actor, `system.${status}`, 'system', mnemonic, async (trx) => {
      const before = await this.systemRow(trx, mnemonic);
      if (before.status === 'blocked') throw conflict('a blocked system stays blocked');
      const updated = await trx
        .updateTable('information_systems')
        .set({ status, updated_at: this.clock().getTime(), version: before.version + 1 })
        .where('id', '=', before.id)
        .where('version', '=', before.version)
        .executeTakeFirst();
      if (!updated.numUpdatedRows) throw conflict('the system was changed by someone else; reload and retry');
      const after = { ...before, status, reason };
      return { before, after, result: after };
    });
  }

  async listSystems() {
    return this.db
      .selectFrom('information_systems as s')
      .innerJoin('participants as p', 'p.id', 's.participant_id')
      .select(['s.mnemonic', 's.name', 's.status', 'p.id as participantId', 'p.short_name as participant'])
      .orderBy('s.mnemonic')
      .execute();
  }

  // ---- certificates ----

  async addCertificate(actor: Actor, mnemonic: string, body: unknown) {
    requireRole(actor, 'operator');
    const { pem } = parseInput(CertificateInput, body);
    let checked;
    try {
      checked = this.trust.check(pem, this.clock());
    } catch (error) {
      if (isGatewayFault(error)) throw invalid('pem', `${error.reason ?? error.code}: ${error.message}`);
      throw error;
    }
    const row = {
      thumbprint: checked.thumbprint,
      subject: checked.subject,
      serial: checked.serial,
      not_before: checked.notBefore.getTime(),
      not_after: checked.notAfter.getTime(),
      pem: checked.pem,
      status: 'active' as const,
      added_at: this.clock().getTime(),
    };
    return this.change(actor, 'certificate.add', 'certificate', checked.thumbprint, async (trx) => {
      const system = await this.systemRow(trx, mnemonic);
      if (
        await trx
          .selectFrom('system_certificates')
          .select('thumbprint')
          .where('thumbprint', '=', row.thumbprint)
          .executeTakeFirst()
      ) {
        throw conflict('this certificate is already registered');
      }
      const full = { ...row, system_id: system.id };
      await trx.insertInto('system_certificates').values(full).execute();
      const after = { ...presentCertificate(full), system: mnemonic };
      return { before: undefined, after, result: after };
    });
  }

  async withdrawCertificate(actor: Actor, mnemonic: string, thumbprint: string) {
    requireRole(actor, 'operator');
    return this.change(actor, 'certificate.withdraw', 'certificate', thumbprint, async (trx) => {
      const system = await this.systemRow(trx, mnemonic);
      const before = await trx
        .selectFrom('system_certificates')
        .selectAll()
        .where('thumbprint', '=', thumbprint)
        .where('system_id', '=', system.id)
        .executeTakeFirst();
      if (!before) throw notFound(`certificate ${thumbprint} of ${mnemonic}`);
      if (before.status !== 'active') throw conflict('the certificate is already withdrawn');
      await trx
        .updateTable('system_certificates')
        .set({ status: 'withdrawn' })
        .where('thumbprint', '=', thumbprint)
        .execute();
      const after = { ...presentCertificate(before), status: 'withdrawn' };
      return { before: presentCertificate(before), after, result: after };
    });
  }

  async listCertificates(mnemonic: string) {
    const system = await this.systemRow(this.db, mnemonic);
    const rows = await this.db
      .selectFrom('system_certificates')
      .selectAll()
      .where('system_id', '=', system.id)
      .orderBy('added_at')
      .execute();
    return rows.map(presentCertificate);
  }

  // ---- routes ----

  async addRoute(actor: Actor, body: unknown) {
    requireRole(actor, 'operator');
    const input = parseInput(RouteInput, body);
    return this.change(actor, 'route.add', 'route', `${input.consumer}:${input.localName}`, async (trx) => {
      const after = await this.insertRoute(trx, input);
      return { before: undefined, after, result: after };
    });
  }

  /** Enter a route (the operator's own, or an approved application) after the same checks. */
  async insertRoute(trx: Trx, input: RouteInput) {
    {
      const consumer = await this.systemRow(trx, checkedMnemonic(input.consumer, 'consumer'));
      const recipient = await this.systemRow(trx, checkedMnemonic(input.recipient, 'recipient'));
      const existing = await trx
        .selectFrom('routes')
        .select('id')
        .where('consumer_system_id', '=', consumer.id)
        .where('message_namespace', '=', input.namespace)
        .where('message_local_name', '=', input.localName)
        .executeTakeFirst();
      if (existing)
        throw conflict(`${input.consumer} already has a route for {${input.namespace}}${input.localName}`);
      const row = {
        id: randomUUID(),
        consumer_system_id: consumer.id,
        message_namespace: input.namespace,
        message_local_name: input.localName,
        recipient_system_id: recipient.id,
        provider: input.provider,
        status: 'active' as const,
        added_at: this.clock().getTime(),
      };
      await trx.insertInto('routes').values(row).execute();
      return { id: row.id, ...input };
    }
  }

  async withdrawRoute(actor: Actor, id: string) {
    requireRole(actor, 'operator');
    return this.change(actor, 'route.withdraw', 'route', id, async (trx) => {
      const before = await trx.selectFrom('routes').selectAll().where('id', '=', id).executeTakeFirst();
      if (!before) throw notFound(`route ${id}`);
      await trx.deleteFrom('routes').where('id', '=', id).execute();
      return { before, after: undefined, result: { id, withdrawn: true } };
    });
  }

  async listRoutes() {
    return this.db
      .selectFrom('routes as r')
      .innerJoin('information_systems as c', 'c.id', 'r.consumer_system_id')
      .innerJoin('information_systems as t', 't.id', 'r.recipient_system_id')
      .select([
        'r.id',
        'c.mnemonic as consumer',
        'r.message_namespace as namespace',
        'r.message_local_name as localName',
        't.mnemonic as recipient',
        'r.provider',
      ])
      .orderBy('c.mnemonic')
      .orderBy('r.message_local_name')
      .execute();
  }

  // ---- API tokens ----

  /**
   * A new token for a role; the token itself is shown once and stored only as its SHA-256. A coordinator's token
   * may be scoped to spheres; a participant's token is bound to its participant.
   */
  async createToken(
    actor: Actor,
    name: string,
    role: Role,
    scope: { spheres?: readonly string[]; participantId?: string } = {},
  ) {
    const input = parseInput(TokenInput, { name, role, ...scope });
    if (input.spheres && role !== 'coordinator') throw invalid('spheres', 'only coordinators have spheres');
    if ((role === 'participant') !== (input.participantId !== undefined))
      throw invalid('participantId', 'a participant token, and only it, names its participant');
    const token = `sgw_${randomBytes(32).toString('base64url')}`;
    const row = {
      id: randomUUID(),
      name: input.name,
      role,
      token_hash: hashToken(token),
      created_at: this.clock().getTime(),
      revoked_at: null,
      participant_id: input.participantId ?? null,
      spheres: input.spheres ? JSON.stringify([...new Set(input.spheres)]) : null,
    };
    const shown = {
      id: row.id,
      name: row.name,
      role,
      ...(input.spheres ? { spheres: [...new Set(input.spheres)] } : {}),
      ...(input.participantId ? { participantId: input.participantId } : {}),
    };
    await this.change(actor, 'token.create', 'token', row.id, async (trx) => {
      for (const sphere of input.spheres ?? [])
        await this.books.requireEntry(trx, 'spheres', sphere, 'spheres');
      if (input.participantId) await this.participantRow(trx, input.participantId);
      await trx.insertInto('api_tokens').values(row).execute();
      return { before: undefined, after: shown, result: undefined };
    });
    return { ...shown, token };
  }

  async revokeToken(actor: Actor, id: string) {
    return this.change(actor, 'token.revoke', 'token', id, async (trx) => {
      const before = await trx
        .selectFrom('api_tokens')
        .select(['id', 'name', 'role', 'revoked_at'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!before) throw notFound(`token ${id}`);
      if (before.revoked_at !== null) throw conflict('the token is already revoked');
      await trx
        .updateTable('api_tokens')
        .set({ revoked_at: this.clock().getTime() })
        .where('id', '=', id)
        .execute();
      return { before, after: { ...before, revoked: true }, result: { id, revoked: true } };
    });
  }

  async listTokens() {
    const rows = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'role', 'created_at', 'revoked_at', 'spheres', 'participant_id'])
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role,
      ...(r.spheres ? { spheres: JSON.parse(r.spheres) as string[] } : {}),
      ...(r.participant_id ? { participantId: r.participant_id } : {}),
      created: new Date(r.created_at).toISOString(),
      revoked: r.revoked_at !== null,
    }));
  }

  async authenticate(token: string): Promise<(Actor & { tokenId: string }) | undefined> {
    return this.actorOf('token_hash', hashToken(token));
  }

  /** The actor of a token known by its id (a console session keeps the id); undefined once revoked. */
  async actorOfToken(tokenId: string): Promise<(Actor & { tokenId: string }) | undefined> {
    return this.actorOf('id', tokenId);
  }

  private async actorOf(column: 'id' | 'token_hash', value: string) {
    const row = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'role', 'spheres', 'participant_id'])
      .where(column, '=', value)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return (
      row && {
        tokenId: row.id,
        name: row.name,
        role: row.role,
        ...(row.spheres ? { spheres: JSON.parse(row.spheres) as string[] } : {}),
        ...(row.participant_id ? { participantId: row.participant_id } : {}),
      }
    );
  }

  // ---- plumbing ----

  /**
   * Run one change: the work, the audit entry and the revision bump commit together or not at all. The
   * registry's companions (agreements, route applications, block requests, reference books) change through it
   * too.
   */
  async change<T>(
    actor: Actor,
    action: string,
    subjectType: string,
    subjectId: string,
    work: (trx: Trx) => Promise<{ before: unknown; after: unknown; result: T }>,
  ): Promise<T> {
    let result: T;
    try {
      result = await this.db.transaction().execute(async (trx) => {
        const { before, after, result: value } = await work(trx);
        await trx
          .updateTable('registry_revision')
          .set((eb) => ({ revision: eb('revision', '+', 1) }))
          .where('id', '=', 1)
          .execute();
        await this.audit.append(trx, {
          actor: actor.name,
          role: actor.role,
          action,
          subjectType,
          subjectId,
          before,
          after,
        });
        return value;
      });
    } catch (error) {
      throw asRegistryError(error);
    }
    await this.audit.afterCommit();
    return result;
  }

  async recordTransition(
    trx: Trx,
    participantId: string,
    from: ParticipantStatus | null,
    to: ParticipantStatus,
    actor: Actor,
    reason: string | null,
    at: Date,
  ): Promise<void> {
    await trx
      .insertInto('participant_transitions')
      .values({
        id: randomUUID(),
        participant_id: participantId,
        from_status: from,
        to_status: to,
        actor: actor.name,
        role: actor.role,
        reason,
        at: at.getTime(),
      })
      .execute();
  }

  async participantRow(db: Kysely<Database> | Trx, id: string): Promise<ParticipantTable> {
    const row = await db.selectFrom('participants').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`participant ${id}`);
    return row;
  }

  async systemRow(db: Kysely<Database> | Trx, mnemonic: string) {
    const row = await db
      .selectFrom('information_systems')
      .selectAll()
      .where('mnemonic', '=', mnemonic)
      .executeTakeFirst();
    if (!row) throw notFound(`information system ${mnemonic}`);
    return row;
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

export function requireRole(actor: Actor, role: Role): void {
  if (actor.role !== role)
    throw new RegistryError('forbidden', `only the ${role} role may do this; you act as ${actor.role}`);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A unique-constraint race lost to a concurrent writer is a conflict, like the checks before it. */
function asRegistryError(error: unknown): unknown {
  if (error instanceof RegistryError) return error;
  const message = (error as Error).message ?? '';
  const code = (error as { code?: string }).code;
  if (code === '23505' || /UNIQUE constraint failed/.test(message))
    return conflict('a concurrent change registered the same thing first');
  if (code === '40001' || /database is locked/.test(message))
    return conflict('a concurrent change won; retry');
  return error;
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

function presentCertificate(row: {
  thumbprint: string;
  subject: string;
  serial: string;
  not_before: number;
  not_after: number;
  status: string;
}) {
  return {
    thumbprint: row.thumbprint,
    subject: row.subject,
    serial: row.serial,
    notBefore: new Date(row.not_before).toISOString(),
    notAfter: new Date(row.not_after).toISOString(),
    status: row.status,
  };
}
