/**
 * The documents service's provider. Every time comes from the service clock.
 *
 * - Issuing systems publish, replace and revoke documents. The signed document is verified (shape, trust chain,
 *   cryptography) and its signing certificate must be registered to the very system that sends it. It is kept
 *   byte for byte as received, so it verifies offline later; the IIN only as its keyed hash, and a document
 *   carrying the IIN in plain is refused.
 * - The subject's portal or app lists the subject's documents and opens or closes temporary access to one.
 * - A third party presents the QR code or short code and gets the signed document; every attempt is recorded,
 *   wrong codes lock the third party, refusals by other systems lock the code.
 * - Anyone with a route checks a document's authenticity by its code, never seeing its content.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from '../../logging/logger.js';
import type { TrustStore } from '../../signature/pki/trust-store.js';
import type { SystemDirectory } from '../../signature/systems.js';
import type { Database } from '../../store/schema.js';
import type { DocumentAccessTable, DocumentTable, DocumentsTables } from '../../store/schema-documents.js';
import {
  outcomeOf,
  ProviderRejection,
  type Provider,
  type ProviderOutcome,
  type ProviderRequest,
} from '../contract.js';
import type { Credential, DocumentsAnswer, DocumentsRequest, PublishAction } from './codec.js';
import { refusal, type DocumentsRefusal } from './refusals.js';
import {
  checkSignedDocument,
  DocumentProblem,
  Hasher,
  newShortCode,
  newToken,
  type QrSigner,
} from './rules.js';
import type { DocumentsSettings } from './settings.js';
import type { Notifier } from '../lab-results/notifier.js';
import { codeMatches, hashCode, newSalt } from '../lab-results/rules.js';

type Db = Kysely<Database & DocumentsTables>;
type Outcome = ProviderOutcome<DocumentsAnswer>;
type Row = DocumentTable;
type Access = DocumentAccessTable;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** A consent code sent by SMS is valid five minutes; three wrong codes end the consent. */
const CONSENT_CODE_TTL_MS = 5 * MINUTE;
const MAX_CONSENT_FAILURES = 3;
const SECRET_KEY_NAME = 'iin_hmac_secret';
const KEY_CHECK_NAME = 'key_check';
/** Results of attempts that count toward a third party's lockout. */
const WRONG_CODE_RESULTS = ['CODE_UNKNOWN', 'CODE_FORGED'];
/** An attempt recorded before its look-up and not yet settled; counts as a wrong code until it is (see byCode). */
const PENDING = 'PENDING';

export interface DocumentsProviderOptions {
  readonly db: Db;
  readonly clock: () => Date;
  readonly log: Logger;
  readonly settings: DocumentsSettings;
  readonly trust: TrustStore;
  readonly systems: SystemDirectory;
  readonly qr: QrSigner;
  readonly notifier: Notifier;
}

const refuse = (code: DocumentsRefusal, detail?: string): never => {
  throw refusal(code, detail);
};

export class DocumentsProvider implements Provider<DocumentsRequest, DocumentsAnswer> {
  private readonly db: Db;
  private hasherPromise: Promise<Hasher> | undefined;
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: DocumentsProviderOptions) {
    this.db = options.db;
  }

  async handle(request: ProviderRequest<DocumentsRequest>): Promise<Outcome> {
    const now = this.options.clock().getTime();
    await this.sweep(now);
    const body = request.body;
    const sender = request.sender.mnemonic;
    const test = request.testMessage;
    switch (body.kind) {
      case 'publish':
        return await this.publish(body.action, sender, test, now);
      case 'list':
        return await this.list(body.iin, now);
      case 'open':
        return await this.open(body, sender, test, now);
      case 'confirm':
        return await this.confirm(body, test, now);
      case 'close':
        return await this.close(body.iin, body.accessId, test, now);
      case 'present':
      case 'check':
        return await this.byCode(body.kind, body.credential, sender, now);
      case 'marks':
        return await this.marks(body, sender, now);
      case 'representation':
        return await this.representation(body, sender, test, now);
    }
  }

  /**
   * A document's authenticity by its QR string or short code, as CheckDocumentRequest answers it, for the public
   * check page: `viewer` names who asks (wrong codes lock it out as they lock a system).
   */
  async checkAuthenticity(credential: Credential, viewer: string): Promise<Outcome> {
    return outcomeOf(this.byCode('check', credential, viewer, this.options.clock().getTime()));
  }

  // ---- PublishDocumentRequest ----

  private async publish(action: PublishAction, sender: string, test: boolean, now: number): Promise<Outcome> {
    const find = (number: string) =>
      this.db
        .selectFrom('documents')
        .selectAll()
        .where('issuer', '=', sender)
        .where('number', '=', number)
        .executeTakeFirst();

    if (action.kind === 'revoke') {
      const row = (await find(action.number)) ?? refuse('DOCUMENT_NOT_FOUND', `${sender}/${action.number}`);
      if (row.status === 'REVOKED')
        return answer({ kind: 'publish', documentId: row.id, status: 'REVOKED', at: at(row.status_at) });
      if (row.status !== 'VALID') refuse('DOCUMENT_NOT_VALID', `${action.number} is ${row.status}`);
      if (!test) {
        await this.db
          .updateTable('documents')
          .set({ status: 'REVOKED', status_at: now, status_reason: action.reason ?? null })
          .where('id', '=', row.id)
          .where('status', '=', 'VALID')
          .execute();
      }
      return answer({ kind: 'publish', documentId: row.id, status: 'REVOKED', at: at(now) });
    }

    if (action.kind === 'publish') {
      const subjectKey = (await this.hasher()).iin(action.iin);
      const checked = await this.checkDocument(action.signedXml, sender, now, subjectKey);
      const existing = await find(action.number);
      if (existing) return same(existing, subjectKey, action.signedXml);
      const id = randomUUID();
      if (test) return answer({ kind: 'publish', documentId: id, status: 'VALID', at: at(now) });
      const inserted = await this.db
        .insertInto('documents')
        .values(newRow(id, sender, action.number, subjectKey, checked, action.signedXml, now))
        .onConflict((oc) => oc.columns(['issuer', 'number']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
        const raced = await find(action.number);
        if (raced) return same(raced, subjectKey, action.signedXml);
      }
      return answer({ kind: 'publish', documentId: id, status: 'VALID', at: at(now) });
    }

    // Replace: the new document takes the old one's subject; the old one is REPLACED and points at the new.
    const old = (await find(action.number)) ?? refuse('DOCUMENT_NOT_FOUND', `${sender}/${action.number}`);
    if (old.status === 'REPLACED' && old.replaced_by) {
      const successor = await find(action.newNumber);
      if (successor?.id === old.replaced_by && successor.signed_xml === action.signedXml)
        return answer({
          kind: 'publish',
          documentId: successor.id,
          status: successor.status,
          at: at(successor.issued_at),
        });
    }
    if (old.status !== 'VALID') refuse('DOCUMENT_NOT_VALID', `${action.number} is ${old.status}`);
    const checked = await this.checkDocument(action.signedXml, sender, now, old.subject_key);
    if (await find(action.newNumber)) refuse('DOCUMENT_EXISTS', `${sender}/${action.newNumber}`);
    const id = randomUUID();
    if (test) return answer({ kind: 'publish', documentId: id, status: 'VALID', at: at(now) });
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('documents')
        .values(newRow(id, sender, action.newNumber, old.subject_key, checked, action.signedXml, now))
        .execute();
      const updated = await trx
        .updateTable('documents')
        .set({ status: 'REPLACED', status_at: now, replaced_by: id })
        .where('id', '=', old.id)
        .where('status', '=', 'VALID')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1)
        refuse('DOCUMENT_NOT_VALID', `${action.number} changed meanwhile`);
    });
    return answer({ kind: 'publish', documentId: id, status: 'VALID', at: at(now) });
  }

  /** Verify the issuer's signed document and that its certificate is the sending system's own. */
  private async checkDocument(xml: string, sender: string, now: number, subjectKey: string) {
    let checked;
    try {
      checked = checkSignedDocument(xml, this.options.trust, at(now));
    } catch (error) {
      if (error instanceof DocumentProblem) return refuse(error.code, error.message);
      throw error;
    }
    const system = await this.options.systems.systemForCertificate(checked.thumbprint);
    if (system?.mnemonic !== sender)
      refuse('SIGNER_NOT_ISSUER', `the certificate ${checked.thumbprint.slice(0, 16)}… is not ${sender}'s`);
    // The subject's IIN must not be in the document in plain: any twelve digits in a row that hash to the subject.
    const hasher = await this.hasher();
    for (const run of xml.match(/[0-9]{12,}/g) ?? []) {
      for (let i = 0; i + 12 <= run.length; i++)
        if (hasher.iin(run.slice(i, i + 12)) === subjectKey) refuse('IIN_IN_DOCUMENT');
    }
    return checked;
  }

  // ---- ListDocumentsRequest ----

  private async list(iin: string, now: number): Promise<Outcome> {
    const keys = await this.subjectKeys(iin, now);
    const rows = await this.db
      .selectFrom('documents')
      .select(['id', 'issuer', 'number', 'doc_type', 'status', 'issued_at', 'subject_key'])
      .where('subject_key', 'in', keys.all)
      .orderBy('issued_at', 'desc')
      .orderBy('id')
      .limit(1000)
      .execute();
    return answer({
      kind: 'list',
      documents: rows.map((r) => ({
        documentId: r.id,
        issuer: r.issuer,
        number: r.number,
        type: r.doc_type,
        status: r.status,
        issuedAt: at(r.issued_at),
        forChild: r.subject_key !== keys.own,
      })),
    });
  }

  /** The subject's own key and those of the children the subject is a legal representative of now. */
  private async subjectKeys(iin: string, now: number): Promise<{ own: string; all: string[] }> {
    const own = (await this.hasher()).iin(iin);
    const children = await this.db
      .selectFrom('document_representatives')
      .select('child_key')
      .where('representative_key', '=', own)
      .where('ended_at', 'is', null)
      .where('until', '>', now)
      .execute();
    return { own, all: [own, ...children.map((c) => c.child_key)] };
  }

  // ---- RepresentationRequest ----

  private async representation(
    body: { action: 'set' | 'end'; childIin: string; representativeIin: string; until: string | undefined },
    sender: string,
    test: boolean,
    now: number,
  ): Promise<Outcome> {
    if (!this.options.settings.representationSources.includes(sender))
      refuse('REPRESENTATION_SOURCE_NOT_ALLOWED', sender);
    if (body.childIin === body.representativeIin)
      refuse('REPRESENTATION_INVALID', 'the child and the representative are one person');
    const hasher = await this.hasher();
    const child_key = hasher.iin(body.childIin);
    const representative_key = hasher.iin(body.representativeIin);
    if (body.action === 'end') {
      const row =
        (await this.db
          .selectFrom('document_representatives')
          .select(['ended_at'])
          .where('child_key', '=', child_key)
          .where('representative_key', '=', representative_key)
          .executeTakeFirst()) ?? refuse('REPRESENTATION_NOT_FOUND');
      if (row.ended_at !== null)
        return answer({ kind: 'representation', status: 'ENDED', at: at(row.ended_at) });
      if (!test) {
        await this.db
          .updateTable('document_representatives')
          .set({ ended_at: now })
          .where('child_key', '=', child_key)
          .where('representative_key', '=', representative_key)
          .execute();
      }
      return answer({ kind: 'representation', status: 'ENDED', at: at(now) });
    }
    const until = Date.parse(`${body.until ?? ''}T00:00:00Z`) + DAY;
    if (Number.isNaN(until) || until <= now) refuse('REPRESENTATION_INVALID', `Until ${body.until ?? ''}`);
    if (!test) {
      const values = { recorded_by: sender, until, recorded_at: now, ended_at: null };
      await this.db
        .insertInto('document_representatives')
        .values({ child_key, representative_key, ...values })
        .onConflict((oc) => oc.columns(['child_key', 'representative_key']).doUpdateSet(values))
        .execute();
    }
    return answer({ kind: 'representation', status: 'ACTIVE', at: at(now) });
  }

  // ---- OpenAccessRequest / CloseAccessRequest ----

  private async open(
    body: {
      iin: string;
      documentId: string;
      viewer: string | undefined;
      minutes: number | undefined;
      desk: boolean;
      phone: string | undefined;
    },
    sender: string,
    test: boolean,
    now: number,
  ): Promise<Outcome> {
    const { settings } = this.options;
    const hasher = await this.hasher();
    // The subject, or a child's legal representative: the access belongs to whoever opened it.
    const keys = await this.subjectKeys(body.iin, now);
    const subjectKey = keys.own;
    const row =
      (await this.db
        .selectFrom('documents')
        .selectAll()
        .where('id', '=', body.documentId)
        .where('subject_key', 'in', keys.all)
        .executeTakeFirst()) ?? refuse('DOCUMENT_NOT_FOUND', body.documentId);
    if (row.status === 'REVOKED') refuse('DOCUMENT_REVOKED');
    if (row.status === 'REPLACED') refuse('DOCUMENT_REPLACED', `replaced by ${row.replaced_by ?? '?'}`);
    const minutes = body.minutes ?? settings.accessMinutes;
    if (minutes > settings.maxAccessMinutes)
      refuse('ACCESS_TOO_LONG', `${minutes} minutes asked, ${settings.maxAccessMinutes} at most`);
    if (body.desk && body.viewer === undefined) refuse('DESK_NEEDS_VIEWER', 'Viewer');
    if (
      body.viewer !== undefined &&
      !(await this.db
        .selectFrom('information_systems')
        .select('id')
        .where('mnemonic', '=', body.viewer)
        .executeTakeFirst())
    )
      refuse('VIEWER_UNKNOWN', body.viewer);
    if (settings.requireSmsConsent && body.phone === undefined) refuse('CONSENT_PHONE_REQUIRED', 'Phone');
    const expiresAt = now + minutes * MINUTE;
    const id = randomUUID();
    const base = {
      id,
      document_id: row.id,
      subject_key: subjectKey,
      viewer: body.viewer ?? null,
      opened_by: sender,
      opened_at: now,
      expires_at: expiresAt,
      closed_at: null,
      failures: 0,
      desk: body.desk ? 1 : 0,
    };

    if (body.phone !== undefined) {
      // Waits for the subject's consent: the codes it will open with are drawn on confirmation; until then the
      // row holds keys of random tokens nobody knows, so nothing can be presented with it.
      const consentExpiresAt = now + CONSENT_CODE_TTL_MS;
      const pending = answer({
        kind: 'open',
        accessId: id,
        granted: { consentCodeExpiresAt: at(consentExpiresAt) },
      });
      if (test) return pending;
      const code = newShortCode();
      const salt = newSalt();
      await this.db
        .insertInto('document_accesses')
        .values({
          ...base,
          token_key: hasher.token(newToken()),
          code_key: hasher.token(newToken()),
          consent_salt: salt,
          consent_hash: hashCode(salt, code),
          consent_expires_at: consentExpiresAt,
          consent_failures: 0,
          confirmed_at: null,
        })
        .execute();
      try {
        await this.options.notifier.send(body.phone, consentMessage(code, sender, row.doc_type));
      } catch (error) {
        await this.db.deleteFrom('document_accesses').where('id', '=', id).execute();
        this.options.log.warn('consent code not delivered', { error: (error as Error).message });
        throw refusal('CONSENT_CODE_NOT_SENT', (error as Error).message);
      }
      return pending;
    }

    if (test) {
      const token = newToken();
      return answer({
        kind: 'open',
        accessId: id,
        granted: {
          qr: this.options.qr.sign(token, at(expiresAt)),
          shortCode: newShortCode(),
          expiresAt: at(expiresAt),
        },
      });
    }
    const granted = await this.grant(expiresAt, async (tokenKey, codeKey) => {
      const inserted = await this.db
        .insertInto('document_accesses')
        .values({ ...base, token_key: tokenKey, code_key: codeKey, confirmed_at: now })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
    });
    return answer({ kind: 'open', accessId: id, granted });
  }

  /** Draw a QR token and a short code until `write` stores their keys (a short code may still be kept). */
  private async grant(
    expiresAt: number,
    write: (tokenKey: string, codeKey: string) => Promise<boolean>,
  ): Promise<{ qr: string; shortCode: string; expiresAt: Date }> {
    const hasher = await this.hasher();
    for (let attempt = 0; attempt < 20; attempt++) {
      const token = newToken();
      const shortCode = newShortCode();
      if (await write(hasher.token(token), hasher.code(shortCode)))
        return { qr: this.options.qr.sign(token, at(expiresAt)), shortCode, expiresAt: at(expiresAt) };
    }
    throw new Error('no free short code after 20 draws');
  }

  private async confirm(
    body: { iin: string; accessId: string; code: string },
    test: boolean,
    now: number,
  ): Promise<Outcome> {
    const subjectKey = (await this.hasher()).iin(body.iin);
    const access =
      (await this.db
        .selectFrom('document_accesses')
        .selectAll()
        .where('id', '=', body.accessId)
        .where('subject_key', '=', subjectKey)
        .executeTakeFirst()) ?? refuse('ACCESS_NOT_FOUND', body.accessId);
    if (access.consent_failures === null) refuse('CONSENT_NOT_ASKED');
    if (access.closed_at !== null) refuse('ACCESS_CLOSED');
    if (access.confirmed_at !== null || access.consent_salt === null || access.consent_hash === null)
      refuse('CONSENT_CODE_EXPIRED', 'the code has already been used');
    const failures = access.consent_failures ?? 0;
    if (failures >= MAX_CONSENT_FAILURES) refuse('CONSENT_CODE_LOCKED');
    if ((access.consent_expires_at ?? 0) <= now) refuse('CONSENT_CODE_EXPIRED');
    // Every code is counted as wrong before it is compared (a right one gives it back on confirming), so codes
    // tried at once cannot pass MAX_CONSENT_FAILURES. Test messages too: a code compared without being counted
    // could be guessed without end.
    const tried = (await this.countConsentAttempt(access.id)) ?? refuse('CONSENT_CODE_LOCKED');
    if (!codeMatches(access.consent_salt ?? '', access.consent_hash ?? '', body.code)) {
      const left = MAX_CONSENT_FAILURES - tried;
      throw left <= 0
        ? refusal('CONSENT_CODE_LOCKED')
        : refusal('CONSENT_CODE_WRONG', `${left} attempts left`);
    }
    const expiresAt = now + (access.expires_at - access.opened_at);
    if (test) {
      // A right code gives its count back, as on confirming; the access itself stays as it was.
      await this.db
        .updateTable('document_accesses')
        .set((eb) => ({ consent_failures: eb('consent_failures', '-', 1) }))
        .where('id', '=', access.id)
        .execute();
      return answer({
        kind: 'confirm',
        accessId: access.id,
        granted: {
          qr: this.options.qr.sign(newToken(), at(expiresAt)),
          shortCode: newShortCode(),
          expiresAt: at(expiresAt),
        },
      });
    }
    const granted = await this.grant(expiresAt, async (tokenKey, codeKey) => {
      try {
        const updated = await this.db
          .updateTable('document_accesses')
          .set((eb) => ({
            token_key: tokenKey,
            code_key: codeKey,
            expires_at: expiresAt,
            confirmed_at: now,
            consent_hash: null,
            consent_salt: null,
            consent_failures: eb('consent_failures', '-', 1),
          }))
          .where('id', '=', access.id)
          .where('confirmed_at', 'is', null)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1)
          refuse('CONSENT_CODE_EXPIRED', 'the code has already been used');
        return true;
      } catch (error) {
        if (error instanceof ProviderRejection) throw error;
        // The short code is still kept for another access (unique key): draw again.
        return false;
      }
    });
    return answer({ kind: 'confirm', accessId: access.id, granted });
  }

  /**
   * Counts a consent code tried, unless the limit is reached: counted and decided in one statement. The codes
   * tried so far, this one included; undefined when the consent is locked.
   */
  private async countConsentAttempt(accessId: string): Promise<number | undefined> {
    const row = await this.db
      .updateTable('document_accesses')
      .set((eb) => ({ consent_failures: eb('consent_failures', '+', 1) }))
      .where('id', '=', accessId)
      .where('consent_failures', '<', MAX_CONSENT_FAILURES)
      .returning('consent_failures')
      .executeTakeFirst();
    return row?.consent_failures ?? undefined;
  }

  private async close(iin: string, accessId: string, test: boolean, now: number): Promise<Outcome> {
    const subjectKey = (await this.hasher()).iin(iin);
    const access =
      (await this.db
        .selectFrom('document_accesses')
        .select(['id', 'closed_at'])
        .where('id', '=', accessId)
        .where('subject_key', '=', subjectKey)
        .executeTakeFirst()) ?? refuse('ACCESS_NOT_FOUND', accessId);
    if (access.closed_at !== null) return answer({ kind: 'close', accessId, closedAt: at(access.closed_at) });
    if (!test) {
      await this.db
        .updateTable('document_accesses')
        .set({ closed_at: now })
        .where('id', '=', accessId)
        .where('closed_at', 'is', null)
        .execute();
    }
    return answer({ kind: 'close', accessId, closedAt: at(now) });
  }

  // ---- PresentDocumentRequest / CheckDocumentRequest ----

  private async byCode(
    purpose: 'present' | 'check',
    credential: Credential,
    viewer: string,
    now: number,
  ): Promise<Outcome> {
    const { settings } = this.options;
    const method = credential.kind === 'qr' ? 'qr' : 'code';
    // The attempt is recorded before its look-up and counts as a wrong code until it settles, so of attempts made
    // at once each sees the others: the last of any wrong look-ups to be recorded counted all the rest, and at
    // most maxWrongCodes come out wrong, across processes and on both stores, with no lock or transaction. The
    // price: a viewer with that many look-ups in flight at once is refused early (never late); a crash leaves
    // its attempt PENDING, counted until it ages out. A test message's attempt is recorded too: it looks real codes
    // up, and one that was not counted could guess them without end.
    const attempt = await this.recordAttempt(viewer, method, purpose, now);
    const settle = async (result: string, access?: Access) => {
      await this.db
        .updateTable('document_views')
        .set({ result, access_id: access?.id ?? null, document_id: access?.document_id ?? null })
        .where('id', '=', attempt)
        .execute();
    };
    /** The refusal, once the attempt is settled with it. */
    const refused = async (code: DocumentsRefusal, detail?: string, access?: Access) => {
      await settle(code, access);
      return refusal(code, detail);
    };

    const earlier = (await this.wrongCodes(viewer, now)) - 1;
    if (earlier >= settings.maxWrongCodes)
      throw await refused(
        'VIEWER_LOCKED',
        `${settings.maxWrongCodes} wrong codes within ${settings.lockMinutes} minutes`,
      );

    const hasher = await this.hasher();
    let key: { column: 'token_key' | 'code_key'; value: string };
    if (credential.kind === 'qr') {
      const read = this.options.qr.read(credential.qr);
      if (!read) throw await refused('CODE_FORGED');
      key = { column: 'token_key', value: hasher.token(read.token) };
    } else {
      key = { column: 'code_key', value: hasher.code(credential.code) };
    }
    const access = await this.db
      .selectFrom('document_accesses')
      .selectAll()
      .where(key.column, '=', key.value)
      .executeTakeFirst();
    if (!access) throw await refused('CODE_UNKNOWN');
    const row = await this.db
      .selectFrom('documents')
      .selectAll()
      .where('id', '=', access.document_id)
      .executeTakeFirstOrThrow();
    if (access.failures >= settings.maxFailuresPerCode) throw await refused('CODE_LOCKED', undefined, access);
    const open = access.closed_at === null && access.expires_at > now;

    if (purpose === 'check') {
      await settle('CHECKED', access);
      return answer({
        kind: 'check',
        issuer: row.issuer,
        type: row.doc_type,
        status: row.status,
        issuedAt: at(row.issued_at),
        signatureValid: this.signatureValid(row),
        accessOpen: open,
        accessExpiresAt: at(access.closed_at ?? access.expires_at),
      });
    }

    if (access.closed_at !== null)
      throw await refused('ACCESS_CLOSED', `closed at ${iso(access.closed_at)}`, access);
    if (access.expires_at <= now)
      throw await refused('CODE_EXPIRED', `expired at ${iso(access.expires_at)}`, access);
    if (access.viewer !== null && access.viewer !== viewer) {
      if (!(await this.countRefusal(access.id))) throw await refused('CODE_LOCKED', undefined, access);
      throw await refused('VIEWER_NOT_ALLOWED', undefined, access);
    }
    if (
      settings.financialOrganisations.includes(viewer) &&
      settings.identityTypes.includes(row.doc_type) &&
      access.desk !== 1
    )
      throw await refused('IDENTITY_IN_PERSON_ONLY', `${row.doc_type} to ${viewer}`, access);
    if (row.status === 'REVOKED') throw await refused('DOCUMENT_REVOKED', undefined, access);
    if (row.status === 'REPLACED') throw await refused('DOCUMENT_REPLACED', undefined, access);
    await settle('SHOWN', access);
    return answer({
      kind: 'present',
      documentId: row.id,
      issuer: row.issuer,
      type: row.doc_type,
      status: row.status,
      issuedAt: at(row.issued_at),
      signatureValid: this.signatureValid(row),
      accessExpiresAt: at(access.expires_at),
      signedXml: row.signed_xml,
    });
  }

  /** The attempt's row, PENDING until its look-up settles it; its id. */
  private async recordAttempt(viewer: string, method: string, purpose: string, now: number): Promise<string> {
    const id = randomUUID();
    await this.db
      .insertInto('document_views')
      .values({ id, access_id: null, document_id: null, viewer, at: now, method, purpose, result: PENDING })
      .execute();
    return id;
  }

  /** The viewer's attempts within lockMinutes that count as wrong codes, those not yet settled included. */
  private async wrongCodes(viewer: string, now: number): Promise<number> {
    const wrong = await this.db
      .selectFrom('document_views')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('viewer', '=', viewer)
      .where('at', '>', now - this.options.settings.lockMinutes * MINUTE)
      .where('result', 'in', [...WRONG_CODE_RESULTS, PENDING])
      .executeTakeFirst();
    return Number(wrong?.n ?? 0);
  }

  /**
   * Counts a presentation of the code refused to another viewer, unless the code has reached its limit: counted
   * and decided in one statement, so refusals at once cannot pass maxFailuresPerCode. False: the code is locked.
   */
  private async countRefusal(accessId: string): Promise<boolean> {
    const updated = await this.db
      .updateTable('document_accesses')
      .set((eb) => ({ failures: eb('failures', '+', 1) }))
      .where('id', '=', accessId)
      .where('failures', '<', this.options.settings.maxFailuresPerCode)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  // ---- ViewMarksRequest ----

  /** With an IIN, the marks on the subject's documents; without, the sending system's own attempts. */
  private async marks(
    body: { iin: string | undefined; documentId: string | undefined; since: Date | undefined },
    sender: string,
    now: number,
  ): Promise<Outcome> {
    const subjectKeys = body.iin === undefined ? undefined : (await this.subjectKeys(body.iin, now)).all;
    let query = this.db
      .selectFrom('document_views')
      .select(['document_views.document_id', 'viewer', 'at', 'method', 'purpose', 'result'])
      .orderBy('at', 'desc')
      .orderBy('document_views.id')
      .limit(1000);
    if (subjectKeys !== undefined) {
      query = query
        .innerJoin('documents', 'documents.id', 'document_views.document_id')
        .where('documents.subject_key', 'in', subjectKeys);
    } else {
      query = query.where('viewer', '=', sender);
    }
    if (body.documentId !== undefined)
      query = query.where('document_views.document_id', '=', body.documentId);
    if (body.since !== undefined) query = query.where('at', '>=', body.since.getTime());
    const rows = await query.execute();
    return answer({
      kind: 'marks',
      marks: rows.map((r) => ({
        documentId: r.document_id ?? undefined,
        viewer: r.viewer,
        at: at(r.at),
        method: r.method,
        purpose: r.purpose,
        result: r.result,
      })),
    });
  }

  /** The stored document verified again, as of when it was issued, by the certificate it was published with. */
  private signatureValid(row: Row): boolean {
    try {
      return (
        checkSignedDocument(row.signed_xml, this.options.trust, at(row.issued_at)).thumbprint ===
        row.signer_thumbprint
      );
    } catch {
      return false;
    }
  }

  // ---- shared ----

  private hasher(): Promise<Hasher> {
    this.hasherPromise ??= this.resolveKey();
    this.hasherPromise.catch(() => (this.hasherPromise = undefined));
    return this.hasherPromise;
  }

  /** The configured secret, or the one kept in documents_keys (made on first use); checked against the store. */
  private async resolveKey(): Promise<Hasher> {
    const now = this.options.clock().getTime();
    const configured = this.options.settings.iinHmacSecret;
    let secret = configured;
    if (secret === undefined) {
      secret = await this.putIfAbsent(SECRET_KEY_NAME, randomUUID() + randomUUID(), now);
      this.options.log.warn(
        'services.documents.iinHmacSecret is not configured: the key kept in the database is used',
      );
    }
    const hasher = new Hasher(secret);
    if ((await this.putIfAbsent(KEY_CHECK_NAME, hasher.check(), now)) !== hasher.check()) {
      throw new Error(
        'the documents were stored under another iinHmacSecret: configure the original key (services.documents.iinHmacSecret)',
      );
    }
    return hasher;
  }

  private async putIfAbsent(name: string, value: string, now: number): Promise<string> {
    await this.db
      .insertInto('documents_keys')
      .values({ name, value, created_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('documents_keys')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return row.value;
  }

  /** At most once an hour: drop accesses a day past their end, so their short codes may be drawn again. */
  private async sweep(now: number): Promise<void> {
    if (now - this.lastSweep < DAY / 24) return;
    this.lastSweep = now;
    try {
      await this.db
        .deleteFrom('document_accesses')
        .where('expires_at', '<', now - DAY)
        .execute();
    } catch (error) {
      this.options.log.warn('documents sweep failed', { error: (error as Error).message });
    }
  }
}

function newRow(
  id: string,
  issuer: string,
  number: string,
  subjectKey: string,
  checked: { type: string; thumbprint: string },
  signedXml: string,
  now: number,
): Row {
  return {
    id,
    issuer,
    number,
    subject_key: subjectKey,
    doc_type: checked.type,
    signed_xml: signedXml,
    signer_thumbprint: checked.thumbprint,
    status: 'VALID',
    issued_at: now,
    status_at: now,
    status_reason: null,
    replaced_by: null,
  };
}

/** A repeated Publish: the same answer when it is the same document for the same subject, else a conflict. */
function same(row: Row, subjectKey: string, signedXml: string): Outcome {
  if (row.subject_key !== subjectKey || row.signed_xml !== signedXml)
    throw refusal('DOCUMENT_EXISTS', `${row.issuer}/${row.number}`);
  return answer({ kind: 'publish', documentId: row.id, status: row.status, at: at(row.issued_at) });
}

function consentMessage(code: string, viewer: string, type: string): string {
  return `Код согласия ${code}: показать документ ${type} по запросу ${viewer}. Действует 5 минут. Никому не сообщайте код.`;
}

function answer(body: DocumentsAnswer): Outcome {
  return { kind: 'answer', body };
}

function at(ms: number): Date {
  return new Date(Number(ms));
}

function iso(ms: number): string {
  return at(ms).toISOString();
}
