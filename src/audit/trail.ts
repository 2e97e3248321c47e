/**
 * The tamper-evident audit trail (DESIGN section 5). Every registry change appends one entry in the same
 * transaction as the change; entries are hash-chained (see canonical.ts for the exact hash input) and the head
 * row `audit_head` (id 1) holds the last seq and hash. Appends lock that row, so concurrent writers — other
 * connections, other gateway instances — line up one after another and seqs stay contiguous. Every
 * `checkpointEvery` entries, and on shutdown, the gateway signs the head (seq, hash, time) with its key — only when
 * the chain still extends the last head it trusts (anchor.ts), so an edit of the store is never signed over.
 */
import { open } from 'node:fs/promises';
import { SqliteAdapter, type Kysely, type Transaction } from 'kysely';
import { writePrivateFile } from '../core/private-file.js';
import type { CertificateCheck } from '../signature/pki/checkpoint-signers.js';
import type { Database } from '../store/schema.js';
import { linkProblem, nextIntegrity, signedWith, type Anchor, type ChainIntegrity } from './anchor.js';
import {
  GENESIS_HASH,
  canonicalJson,
  checkpointData,
  entryHash,
  type AuditCheckpointRow,
  type AuditEntryRow,
} from './canonical.js';
import type { CheckpointSigner } from './checkpoint-signer.js';
import { AUDIT_EXPORT_FORMAT, AUDIT_EXPORT_VERSION, ChainWalk, type AuditVerdict } from './verify.js';

export type { AuditVerdict } from './verify.js';

export interface AuditEntryInput {
  actor: string;
  role: string;
  action: string;
  subjectType: string;
  subjectId: string;
  /** The subject before the change; stored as canonical JSON (undefined → NULL). */
  before?: unknown;
  /** The subject after the change; stored as canonical JSON (undefined → NULL). */
  after?: unknown;
}

export interface Checkpoint {
  seq: number;
  /** Epoch milliseconds. */
  at: number;
  headHash: string;
  algorithm: string;
  /** Base64. */
  signature: string;
  /** PEM. */
  certificate: string;
}

export interface AuditTrailOptions {
  /** Sign a checkpoint once this many entries have accumulated since the last one. Default 100. */
  checkpointEvery?: number;
  /** Where a failed automatic checkpoint is reported (the change itself has committed). Default: a process warning. */
  onCheckpointError?: (error: Error) => void;
}

const isTransaction = (db: Transaction<Database> | Kysely<Database>): db is Transaction<Database> =>
  db.isTransaction;

/** Rows per page when walking or exporting the trail. */
const PAGE = 1000;

export class AuditTrail {
  private readonly checkpointEvery: number;
  private readonly onCheckpointError: (error: Error) => void;
  /** Highest seq this process has appended or seen at a checkpoint: a hint that saves a read per change. */
  private seenSeq = 0;
  /** A lower bound of the last checkpoint's seq (other instances may have signed later ones). */
  private checkpointedSeq = -1;
  private inFlight: Promise<Checkpoint | undefined> | undefined;
  /** The last head this process signed, or at its first signing the last checkpoint signed with its key. */
  private anchor: Anchor | undefined;
  private integrityState: ChainIntegrity = { intact: true };

  constructor(
    private readonly db: Kysely<Database>,
    /** Absent in CLI commands: only the gateway process signs checkpoints, so a command cannot launder edits. */
    private readonly signer: CheckpointSigner | undefined,
    options: AuditTrailOptions = {},
  ) {
    this.checkpointEvery = options.checkpointEvery ?? 100;
    if (!Number.isSafeInteger(this.checkpointEvery) || this.checkpointEvery < 1) {
      throw new RangeError('checkpointEvery must be a positive integer');
    }
    this.onCheckpointError =
      options.onCheckpointError ??
      ((error) => process.emitWarning(`audit checkpoint failed: ${error.message}`));
  }

  /**
   * Appends one entry inside the caller's transaction (or, given the Kysely instance itself, in a transaction of
   * its own). Locks the head row until that transaction ends.
   */
  async append(
    trx: Transaction<Database> | Kysely<Database>,
    entry: AuditEntryInput,
    now: Date = new Date(),
  ): Promise<{ seq: number; hash: string }> {
    const done = isTransaction(trx)
      ? await this.appendIn(trx, entry, now)
      : await trx.transaction().execute((own) => this.appendIn(own, entry, now));
    if (done.seq > this.seenSeq) this.seenSeq = done.seq;
    return done;
  }

  private async appendIn(
    trx: Transaction<Database>,
    entry: AuditEntryInput,
    now: Date,
  ): Promise<{ seq: number; hash: string }> {
    const at = now.getTime();
    if (!Number.isSafeInteger(at)) throw new RangeError('audit entry time is not a valid date');
    const head = await this.lockHead(trx);
    const row: Omit<AuditEntryRow, 'hash'> = {
      seq: head.seq + 1,
      at,
      actor: entry.actor,
      role: entry.role,
      action: entry.action,
      subject_type: entry.subjectType,
      subject_id: entry.subjectId,
      before_json: canonicalJson(entry.before) ?? null,
      after_json: canonicalJson(entry.after) ?? null,
      prev_hash: head.hash,
    };
    const hash = entryHash(row);
    await trx
      .insertInto('audit_entries')
      .values({ ...row, hash })
      .execute();
    await trx.updateTable('audit_head').set({ seq: row.seq, hash }).where('id', '=', 1).execute();
    return { seq: row.seq, hash };
  }

  /**
   * Reads the head row and holds it until the transaction ends. PostgreSQL: `select … for update` (kysely's
   * `.forUpdate()`), so a concurrent append waits here and then reads the head it left. SQLite has no row
   * locks and serialises writers on the database: we take the write lock first with a no-op update of the
   * head, so a transaction that has only read so far cannot find its snapshot stale when it writes.
   */
  private async lockHead(trx: Transaction<Database>): Promise<{ seq: number; hash: string }> {
    const query = trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1);
    let head: { seq: number; hash: string } | undefined;
    if (trx.getExecutor().adapter instanceof SqliteAdapter) {
      await trx
        .updateTable('audit_head')
        .set((eb) => ({ seq: eb.ref('seq') }))
        .where('id', '=', 1)
        .execute();
      head = await query.executeTakeFirst();
    } else {
      head = await query.forUpdate().executeTakeFirst();
    }
    if (!head) throw new Error('the audit head row is missing (store not migrated?)');
    return { seq: Number(head.seq), hash: head.hash };
  }

  /**
   * Called after the transaction that appended has committed: signs a checkpoint when `checkpointEvery` entries
   * have accumulated since the last one. Never throws (the change is committed); failures go to onCheckpointError.
   */
  async afterCommit(): Promise<void> {
    if (!this.signer) return;
    if (this.checkpointedSeq >= 0 && this.seenSeq - this.checkpointedSeq < this.checkpointEvery) return;
    try {
      const [head, last] = await Promise.all([this.readHead(this.db), this.lastCheckpointSeq()]);
      this.noteCheckpointed(last);
      if (head.seq > this.seenSeq) this.seenSeq = head.seq;
      if (head.seq - last >= this.checkpointEvery) await this.checkpoint();
    } catch (error) {
      this.onCheckpointError(error as Error);
    }
  }

  /**
   * Signs the current head when it is newer than the last checkpoint; undefined when there is nothing new (or
   * another instance signed the same head first). Runs outside any writing transaction.
   */
  checkpoint(now?: Date): Promise<Checkpoint | undefined> {
    // One signing at a time per process; concurrent callers share it.
    this.inFlight ??= this.signCheckpoint(now).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async signCheckpoint(now: Date = new Date()): Promise<Checkpoint | undefined> {
    const signer = this.signer;
    if (!signer) return undefined;
    const [head, last] = await Promise.all([this.readHead(this.db), this.lastCheckpointSeq()]);
    this.noteCheckpointed(last);
    if (head.seq <= last) return undefined;
    if (!(await this.extendsAnchor(head, signer))) return undefined;
    const at = now.getTime();
    const signed = signer.sign(checkpointData(head.seq, head.hash, at));
    const row: AuditCheckpointRow = {
      seq: head.seq,
      at,
      head_hash: head.hash,
      algorithm: signed.algorithm,
      signature: signed.signature,
      certificate: signed.certificatePem,
    };
    const result = await this.db
      .insertInto('audit_checkpoints')
      .values(row)
      .onConflict((oc) => oc.column('seq').doNothing())
      .executeTakeFirst();
    this.noteCheckpointed(head.seq);
    this.anchor = head;
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return undefined;
    return {
      seq: row.seq,
      at: row.at,
      headHash: row.head_hash,
      algorithm: row.algorithm,
      signature: row.signature,
      certificate: row.certificate,
    };
  }

  /** For /health: whether the trail still extends the last head this gateway signed. */
  integrity(): ChainIntegrity {
    return this.integrityState;
  }

  /**
   * Whether the entries from the trusted head up to `head` still link: someone who can write the store could
   * otherwise delete or rewrite signed entries, drop the checkpoints over them, and have this gateway sign the
   * result. A break is reported once (onCheckpointError) and on /health; nothing is signed while it lasts.
   */
  private async extendsAnchor(head: Anchor, signer: CheckpointSigner): Promise<boolean> {
    this.anchor ??= await this.lastOwnCheckpoint(signer);
    const anchor = this.anchor;
    const problem = await linkProblem(anchor, head, this.entries(head.seq, anchor.seq), entryHash, 'entry');
    const before = this.integrityState;
    this.integrityState = nextIntegrity(before, problem);
    if (problem !== undefined && (before.intact || before.problem !== problem)) {
      this.onCheckpointError(
        new Error(
          `the audit trail does not extend the checkpoint at entry ${anchor.seq}: ${problem}; no checkpoint is signed over it`,
        ),
      );
    }
    return problem === undefined;
  }

  /** The last checkpoint signed with this gateway's certificate (genesis when there is none). */
  private async lastOwnCheckpoint(signer: CheckpointSigner): Promise<Anchor> {
    const checkpoints = await this.allCheckpoints();
    for (const cp of checkpoints.reverse()) {
      if (signedWith(signer.certificatePem, cp, checkpointData(cp.seq, cp.head_hash, cp.at)))
        return { seq: cp.seq, hash: cp.head_hash };
    }
    return { seq: 0, hash: GENESIS_HASH };
  }

  private noteCheckpointed(seq: number): void {
    if (seq > this.checkpointedSeq) this.checkpointedSeq = seq;
    if (seq > this.seenSeq) this.seenSeq = seq;
  }

  private async readHead(db: Kysely<Database>): Promise<{ seq: number; hash: string }> {
    const head = await db
      .selectFrom('audit_head')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirst();
    if (!head) throw new Error('the audit head row is missing (store not migrated?)');
    return { seq: Number(head.seq), hash: head.hash };
  }

  private async lastCheckpointSeq(): Promise<number> {
    const row = await this.db
      .selectFrom('audit_checkpoints')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    return row?.seq === null || row?.seq === undefined ? 0 : Number(row.seq);
  }

  private async allCheckpoints(): Promise<AuditCheckpointRow[]> {
    const rows = await this.db.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) }));
  }

  /** Entries with `from` ≤ seq ≤ `upTo`, in seq order, a page at a time. */
  private async *entries(upTo: number, from = 1): AsyncGenerator<AuditEntryRow[]> {
    let after: number | undefined = from > 1 ? from - 1 : undefined;
    for (;;) {
      let query = this.db.selectFrom('audit_entries').selectAll().where('seq', '<=', upTo);
      if (after !== undefined) query = query.where('seq', '>', after);
      const rows = await query.orderBy('seq').limit(PAGE).execute();
      if (rows.length === 0) return;
      const page = rows.map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) }));
      yield page;
      after = page[page.length - 1]?.seq;
      if (rows.length < PAGE) return;
    }
  }

  /**
   * Walks the whole trail: every hash and link, seqs contiguous from 1, the head row, every checkpoint (head hash,
   * signature, and with `trust` its certificate's chain at the checkpoint's time). Takes no locks: entries are
   * append-only, so it reads the checkpoints, then the head, then the entries up to that head; entries that
   * committed meanwhile are left for the next run.
   */
  /** `onProgress` is told after each entry walked: how many of how many (the head's seq). */
  async verify(
    trust?: CertificateCheck,
    onProgress?: (done: number, total: number) => void,
  ): Promise<AuditVerdict> {
    const checkpoints = await this.allCheckpoints();
    const head = await this.db
      .selectFrom('audit_head')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirst();
    const headSeq = head ? Number(head.seq) : Number.MAX_SAFE_INTEGER;
    const walk = new ChainWalk(checkpoints, trust);
    let walked = 0;
    for await (const page of this.entries(headSeq)) {
      for (const row of page) walk.entry(row);
      walked += page.length;
      if (head) onProgress?.(Math.min(walked, headSeq), headSeq);
    }
    if (head) {
      // Rows above the head are forged or left over; one statement, so it sees one consistent head.
      const beyond = await this.db
        .selectFrom('audit_entries')
        .select((eb) => [eb.fn.min('seq').as('first'), eb.fn.max('seq').as('last')])
        .where('seq', '>', (eb) => eb.selectFrom('audit_head').select('seq').where('id', '=', 1))
        .executeTakeFirst();
      if (beyond?.first !== null && beyond?.first !== undefined) {
        const first = Number(beyond.first);
        const last = Number(beyond.last);
        walk.problem(
          first,
          first === last
            ? `entry ${first} lies beyond the head`
            : `entries ${first}..${last} lie beyond the head`,
        );
      }
    }
    return walk.finish(head ? { seq: headSeq, hash: head.hash } : undefined);
  }

  /**
   * Writes the trail to one JSON file (see AuditExport in verify.ts) that `verifyAuditExport` checks offline.
   * Consistent without locks as `verify` is; written as a private file (core/private-file.ts), whole or not at all.
   */
  async export(
    file: string,
    /** Told after each page written: how many entries of how many (the head's seq). */
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ entries: number; checkpoints: number }> {
    const checkpoints = await this.allCheckpoints();
    const head = await this.readHead(this.db);
    let entries = 0;
    await writePrivateFile(file, async (draft) => {
      const out = await open(draft, 'wx', 0o600);
      try {
        const header = {
          format: AUDIT_EXPORT_FORMAT,
          version: AUDIT_EXPORT_VERSION,
          exportedAt: new Date().toISOString(),
          head,
          checkpoints,
        };
        // The header fields, then the entries streamed page by page, so a long trail is never one string in memory.
        const opening = JSON.stringify(header, null, 1);
        await out.write(`${opening.slice(0, -2)},\n "entries": [`);
        for await (const page of this.entries(head.seq)) {
          const text = page
            .map((row) => `${entries++ === 0 ? '\n' : ',\n'}  ${JSON.stringify(row)}`)
            .join('');
          await out.write(text);
          onProgress?.(Math.min(entries, head.seq), head.seq);
        }
        await out.write('\n ]\n}\n');
      } finally {
        await out.close();
      }
    });
    return { entries, checkpoints: checkpoints.length };
  }
}
