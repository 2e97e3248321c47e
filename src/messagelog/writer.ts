/**
 * The message log's writer for one gateway instance. Records are chained in arrival order: the records of one
 * turn of the event loop are taken as a batch, chained in memory and inserted in one statement, so under load a
 * record still costs one hash and a share of one insert. A checkpoint signs the chain head every N records or T seconds, off the hot
 * path. The head is read from the store at start, so a restart (even after SIGKILL) continues the same chain — and
 * signed over only when it extends the last checkpoint signed with the gateway's own key (trusted-head.ts).
 */
import { nextIntegrity, type Anchor, type ChainIntegrity } from '../audit/anchor.js';
import type { CheckpointSigner } from '../audit/checkpoint-signer.js';
import { MAX_ROWS_PER_INSERT, type Store } from '../store/store.js';
import type { BodySealer } from './sealing.js';
import type { Timestamper } from '../timestamp/tsa-client.js';
import {
  GENESIS_HASH,
  checkpointData,
  recordHash,
  timestampedData,
  type MessageRecord,
  type RecordFields,
} from './record.js';
import { lastOwnCheckpoint, staleTailProblem, storedLinkProblem, uncoveredLimitMs } from './trusted-head.js';

export interface MessageLogOptions {
  readonly checkpointEvery: number;
  readonly checkpointSeconds: number;
  readonly onError?: (error: unknown) => void;
  /** Time-stamps each checkpoint (RFC 3161); absent: checkpoints are signed only. */
  readonly timestamper?: Timestamper;
  /** How long records are accepted while no checkpoint could be time-stamped; then `record` refuses. */
  readonly timestampGraceMs?: number;
  /** Seals bodies at rest (AES-256-GCM, bound to the record's seq); absent: bodies are stored as they are. */
  readonly sealer?: BodySealer;
  /** How long a time-stamp request may take: a checkpoint waits for it, so a record waits that much longer. */
  readonly timestampTimeoutMs?: number;
  /** Certificates the gateway signed checkpoints with before a key change: a restart signs on from those too. */
  readonly formerCertificates?: readonly string[];
}

interface Pending {
  readonly fields: RecordFields;
  resolve(): void;
  reject(error: unknown): void;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class MessageLogWriter {
  private seq = 0;
  private head = GENESIS_HASH;
  private checkpointedSeq = 0;
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private checkpointing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The last insert failed: the store's head must be read again before the next one. */
  private unsure = false;
  /** Since when checkpoints go without a token (the TSA could not be reached), and the latest such one. */
  private unstampedSince: number | undefined;
  private unstamped: { seq: number; data: Buffer } | undefined;
  /** The last head this writer signed, or found signed with its key at start: what it may sign on from. */
  private anchor: Anchor = { seq: 0, hash: GENESIS_HASH };
  /** Not intact: the head taken from the store does not extend the anchor, and nothing is signed until a restart. */
  private integrityState: ChainIntegrity = { intact: true };

  private constructor(
    private readonly store: Store,
    readonly instanceId: string,
    private readonly signer: CheckpointSigner,
    private readonly options: MessageLogOptions,
  ) {}

  static async open(
    store: Store,
    instanceId: string,
    signer: CheckpointSigner,
    options: MessageLogOptions,
  ): Promise<MessageLogWriter> {
    const writer = new MessageLogWriter(store, instanceId, signer, options);
    writer.checkpointedSeq = await writer.readHead();
    writer.anchor = await lastOwnCheckpoint(store, instanceId, [
      signer.certificatePem,
      ...(options.formerCertificates ?? []),
    ]);
    await writer.checkStoredHead(true);
    // Ticks at half the interval, so a record written just after a tick is still covered within the interval.
    writer.timer = setInterval(
      () => void writer.checkpoint().catch((e: unknown) => options.onError?.(e)),
      (options.checkpointSeconds * 1000) / 2,
    );
    writer.timer.unref();
    return writer;
  }

  /**
   * Takes the chain head from the store: the last record, or the last cut when retention removed them all.
   * Returns the seq of the last checkpoint.
   */
  private async readHead(): Promise<number> {
    const { db } = this.store;
    const last = await db
      .selectFrom('message_log')
      .select(['seq', 'hash'])
      .where('instance_id', '=', this.instanceId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const cut = await db
      .selectFrom('message_log_checkpoints')
      .select(['seq', 'head_hash'])
      .where('instance_id', '=', this.instanceId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (last) [this.seq, this.head] = [Number(last.seq), last.hash];
    else if (cut) [this.seq, this.head] = [Number(cut.seq), cut.head_hash];
    return Number(cut?.seq ?? 0);
  }

  /** Whether the store's last record of this chain has this hash; false when the store cannot tell. */
  private async headIs(hash: string): Promise<boolean> {
    try {
      const last = await this.store.db
        .selectFrom('message_log')
        .select('hash')
        .where('instance_id', '=', this.instanceId)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return last?.hash === hash;
    } catch {
      return false;
    }
  }

  /**
   * Checks that the head just taken from the store extends the anchor. Records go on being written either way (they
   * are evidence), but a broken chain is never signed over: that would vouch for whatever was edited into it. At
   * start the records after the anchor must also be no older than a crash leaves them (staleTailProblem); later, a
   * store that failed for a while may have kept this very process from signing, and its tail is its own.
   */
  private async checkStoredHead(atStart = false): Promise<void> {
    const { checkpointSeconds, timestampTimeoutMs } = this.options;
    const problem =
      (await storedLinkProblem(this.store, this.instanceId, this.anchor, {
        seq: this.seq,
        hash: this.head,
      })) ??
      (atStart
        ? await staleTailProblem(
            this.store,
            this.instanceId,
            this.anchor,
            uncoveredLimitMs(checkpointSeconds, timestampTimeoutMs),
          )
        : undefined);
    if (problem === undefined) return;
    this.integrityState = nextIntegrity(this.integrityState, problem);
    this.options.onError?.(
      new Error(
        `the message log chain ${this.instanceId} does not extend its checkpoint at #${this.anchor.seq}: ${problem}; ` +
          'no checkpoint is signed over it',
      ),
    );
  }

  /** For /health: whether the chain extends the last checkpoint this gateway signed. */
  integrity(): ChainIntegrity {
    return this.integrityState;
  }

  /** Whether no checkpoint has been time-stamped for longer than the grace period. */
  timestampOverdue(now = Date.now()): boolean {
    const { timestampGraceMs } = this.options;
    return (
      this.unstampedSince !== undefined &&
      timestampGraceMs !== undefined &&
      now - this.unstampedSince > timestampGraceMs
    );
  }

  /** For /health: whether checkpoints are time-stamped, and since when they have not been. */
  timestampState(): { configured: boolean; unstampedSince?: string; overdue: boolean } {
    return {
      configured: this.options.timestamper !== undefined,
      ...(this.unstampedSince !== undefined
        ? { unstampedSince: new Date(this.unstampedSince).toISOString() }
        : {}),
      overdue: this.timestampOverdue(),
    };
  }

  /** Resolves once the record is stored; rejects when it could not be. */
  record(fields: RecordFields): Promise<void> {
    if (this.timestampOverdue()) {
      // A log that must be provable takes no exchange it cannot time-stamp.
      const since = new Date(this.unstampedSince ?? 0).toISOString();
      return Promise.reject(
        new Error(`no checkpoint could be time-stamped since ${since}: the TSA is unreachable`),
      );
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ fields, resolve, reject });
      // The insert waits for the end of this turn of the event loop, so the exchanges answered in one turn share
      // one insert: each insert commits, and a commit per record cost more than the rest of the record under load.
      this.flushing ??= nextTurn().then(() => this.flush());
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0, MAX_ROWS_PER_INSERT);
      let { seq, head } = this;
      try {
        // A failed insert may have been stored after all (a commit whose answer was lost with the connection):
        // then the chain continues from what the store holds, not from what this process last saw.
        if (this.unsure) {
          await this.readHead();
          await this.checkStoredHead();
          this.unsure = false;
          ({ seq, head } = this);
        }
        const rows: MessageRecord[] = batch.map(({ fields }) => {
          const base = { ...fields, instance_id: this.instanceId, seq: ++seq, prev_hash: head };
          head = recordHash(base);
          const { sealer } = this.options;
          if (sealer) {
            // The hash covers the plaintext's digests, computed before sealing: the chain needs no key.
            if (base.request_xml !== null)
              base.request_xml = sealer.seal(base.request_xml, this.instanceId, seq);
            if (base.answer_xml !== null)
              base.answer_xml = sealer.seal(base.answer_xml, this.instanceId, seq);
          }
          return { ...base, hash: head };
        });
        await this.store.append((db) => db.insertInto('message_log').values(rows).execute());
        [this.seq, this.head] = [seq, head];
        for (const item of batch) item.resolve();
      } catch (error) {
        // Stored after all: the exchanges are recorded, so they are answered as recorded, not refused.
        if (await this.headIs(head)) {
          [this.seq, this.head] = [seq, head];
          for (const item of batch) item.resolve();
          continue;
        }
        this.unsure = true;
        for (const item of batch) item.reject(error);
      }
    }
    this.flushing = undefined;
    if (this.seq - this.checkpointedSeq >= this.options.checkpointEvery) {
      setImmediate(() => void this.checkpoint().catch((e: unknown) => this.options.onError?.(e)));
    }
  }

  /**
   * Sign the current head if records came since the last checkpoint. One signing at a time; concurrent callers
   * share it. The promise is cleared when it settles, never inside it: a signing that finds nothing new settles
   * at once, and clearing it from within would leave the settled promise in place and stop every later checkpoint.
   */
  checkpoint(now?: Date): Promise<void> {
    this.checkpointing ??= this.signHead(now ?? new Date()).finally(() => {
      this.checkpointing = undefined;
    });
    return this.checkpointing;
  }

  private async signHead(now: Date): Promise<void> {
    const [seq, head] = [this.seq, this.head];
    if (seq === this.checkpointedSeq) return this.restamp();
    if (!this.integrityState.intact) return;
    const at = now.getTime();
    const data = checkpointData(this.instanceId, seq, head, at, 'head');
    const signature = this.signer.sign(data);
    const token = await this.stamp(seq, timestampedData(data, signature.signature), at);
    await this.store.db
      .insertInto('message_log_checkpoints')
      .values({
        instance_id: this.instanceId,
        seq,
        at,
        head_hash: head,
        kind: 'head',
        algorithm: signature.algorithm,
        signature: signature.signature,
        certificate: signature.certificatePem,
        timestamp_token: token?.toString('base64') ?? null,
      })
      .execute();
    this.checkpointedSeq = seq;
    this.anchor = { seq, hash: head };
  }

  /** A token over a checkpoint's data, or undefined when there is no TSA or it failed (noted for the grace). */
  private async stamp(seq: number, data: Buffer, at: number): Promise<Buffer | undefined> {
    const { timestamper } = this.options;
    if (!timestamper) return undefined;
    try {
      const token = await timestamper.stamp(data);
      [this.unstampedSince, this.unstamped] = [undefined, undefined];
      return token;
    } catch (error) {
      this.unstampedSince ??= at;
      this.unstamped = { seq, data };
      this.options.onError?.(error);
      return undefined;
    }
  }

  /** Nothing new to sign, but the last checkpoint lacks its token: ask the TSA again. */
  private async restamp(): Promise<void> {
    const pending = this.unstamped;
    if (!pending) return;
    const token = await this.stamp(pending.seq, pending.data, this.unstampedSince ?? Date.now());
    if (!token) return;
    await this.store.db
      .updateTable('message_log_checkpoints')
      .set({ timestamp_token: token.toString('base64') })
      .where('instance_id', '=', this.instanceId)
      .where('seq', '=', pending.seq)
      .where('kind', '=', 'head')
      .execute();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    while (this.flushing) await this.flushing;
    while (this.checkpointing) await this.checkpointing.catch(() => undefined);
    await this.checkpoint();
  }
}
