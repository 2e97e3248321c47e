/**
 * The message log's writer for one gateway instance. Records are chained in arrival order: pending records
 * are taken in batches, chained in memory and inserted in one statement, so under load a record still costs one
 * hash and a share of one insert. A checkpoint signs the chain head every N records or T seconds, off the hot
 * path. The head is read from the store at start, so a restart (even after SIGKILL) continues the same chain.
 */
import type { CheckpointSigner } from '../audit/checkpoint-signer.js';
import type { Store } from '../store/store.js';
import { GENESIS_HASH, checkpointData, recordHash, type MessageRecord, type RecordFields } from './record.js';

export interface MessageLogOptions {
  readonly checkpointEvery: number;
  readonly checkpointSeconds: number;
  readonly onError?: (error: unknown) => void;
}

interface Pending {
  readonly fields: RecordFields;
  resolve(): void;
  reject(error: unknown): void;
}

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
    writer.timer = setInterval(
      () => void writer.checkpoint().catch((e: unknown) => options.onError?.(e)),
      options.checkpointSeconds * 1000,
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

  /** Resolves once the record is stored; rejects when it could not be. */
  record(fields: RecordFields): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ fields, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      let { seq, head } = this;
      try {
        // A failed insert may have been stored after all (a commit whose answer was lost with the connection):
        // then the chain continues from what the store holds, not from what this process last saw.
        if (this.unsure) {
          await this.readHead();
          this.unsure = false;
          ({ seq, head } = this);
        }
        const rows: MessageRecord[] = batch.map(({ fields }) => {
          const base = { ...fields, instance_id: this.instanceId, seq: ++seq, prev_hash: head };
          head = recordHash(base);
          return { ...base, hash: head };
        });
        await this.store.db.insertInto('message_log').values(rows).execute();
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

  /** Sign the current head if records came since the last checkpoint. */
  checkpoint(now = new Date()): Promise<void> {
    return (this.checkpointing ??= (async () => {
      try {
        const [seq, head] = [this.seq, this.head];
        if (seq === this.checkpointedSeq) return;
        const at = now.getTime();
        const signature = this.signer.sign(checkpointData(this.instanceId, seq, head, at, 'head'));
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
          })
          .execute();
        this.checkpointedSeq = seq;
      } finally {
        this.checkpointing = undefined;
      }
    })());
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    while (this.flushing) await this.flushing;
    await this.checkpoint();
  }
}
