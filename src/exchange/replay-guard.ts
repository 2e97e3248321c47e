/**
 * Replay protection backed by the store: a MessageID is accepted once per sender, by whichever operation, and only
 * while its UUID time is within the window around the gateway clock. Call remembers it here; the queue
 * remembers a queued message's MessageID in the same table, in the transaction that queues it, so a request
 * accepted by one operation is refused by every other. The seen-set is persisted, so a restart does not reopen the window;
 * entries older than the window are pruned, since such IDs are refused as stale anyway.
 */
import { GatewayFault } from '../core/faults.js';
import type { Insertable } from 'kysely';
import type { SeenMessageIdTable } from '../store/schema.js';
import { MAX_ROWS_PER_INSERT, type Store } from '../store/store.js';
import type { ReplayGuard } from '../core/ports.js';
import { messageIdTime } from '../core/message-id.js';

const PRUNE_EVERY = 1000;

type SeenEntry = Insertable<SeenMessageIdTable>;

interface PendingEntry {
  readonly entry: SeenEntry;
  resolve(isNew: boolean): void;
  reject(error: unknown): void;
}

const entryKey = (entry: { sender: string; message_id: string }) => `${entry.sender}\n${entry.message_id}`;

export class StoreReplayGuard implements ReplayGuard {
  private sincePrune = 0;
  private pending: PendingEntry[] = [];

  constructor(
    private readonly store: Store,
    private readonly windowMs: number,
  ) {}

  async accept(messageId: string, sender: string, now: Date): Promise<void> {
    const time = this.inWindow(messageId, now);
    if (
      !(await this.remember({ message_id: messageId, sender, message_time: time, seen_at: now.getTime() }))
    ) {
      throw new GatewayFault('MessageIsAlreadySent', `MessageID ${messageId} was already accepted`);
    }
    await this.maybePrune(now);
  }

  /**
   * Whether the entry was new, and is now remembered. The entries of one turn of the event loop go in one insert:
   * a commit per request cost as much as the rest of the store's work for it. An entry twice in one turn is new
   * only the first time, as it would be one insert after the other.
   */
  private remember(entry: SeenEntry): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => void this.insertPending());
    });
  }

  private async insertPending(): Promise<void> {
    const batch = this.pending.splice(0, MAX_ROWS_PER_INSERT);
    if (this.pending.length > 0) setImmediate(() => void this.insertPending());
    const first = new Map<string, PendingEntry>();
    for (const item of batch) {
      const key = entryKey(item.entry);
      if (first.has(key)) item.resolve(false);
      else first.set(key, item);
    }
    try {
      const inserted = await this.store.append((db) =>
        db
          .insertInto('seen_message_ids')
          .values([...first.values()].map((item) => item.entry))
          .onConflict((conflict) => conflict.columns(['sender', 'message_id']).doNothing())
          .returning(['sender', 'message_id'])
          .execute(),
      );
      const added = new Set(inserted.map(entryKey));
      for (const [key, item] of first) item.resolve(added.has(key));
    } catch (error) {
      for (const item of first.values()) item.reject(error);
    }
  }

  /** Every remembered entry counts towards the next pruning, whatever kind of request made it. */
  private async maybePrune(now: Date): Promise<void> {
    if (++this.sincePrune >= PRUNE_EVERY) {
      this.sincePrune = 0;
      await this.prune(now);
    }
  }

  async acceptQueued(messageId: string, sender: string, now: Date): Promise<void> {
    this.inWindow(messageId, now);
    const seen = await this.store.db
      .selectFrom('seen_message_ids')
      .select('message_id')
      .where('sender', '=', sender)
      .where('message_id', '=', messageId)
      .executeTakeFirst();
    if (seen) throw new GatewayFault('MessageIsAlreadySent', `MessageID ${messageId} was already accepted`);
  }

  private inWindow(messageId: string, now: Date): number {
    const time = messageIdTime(messageId);
    const skewSeconds = Math.round((time - now.getTime()) / 1000);
    if (Math.abs(time - now.getTime()) > this.windowMs) {
      throw new GatewayFault(
        'StaleMessageId',
        `MessageID time is ${Math.abs(skewSeconds)} s ${skewSeconds < 0 ? 'behind' : 'ahead of'} the gateway clock; the window is ±${this.windowMs / 1000} s`,
      );
    }
    return time;
  }

  async acceptSigned(signatureDigest: string, sender: string, signedAt: Date, now: Date): Promise<void> {
    const time = signedAt.getTime();
    if (Number.isNaN(time) || Math.abs(time - now.getTime()) > this.windowMs) {
      throw new GatewayFault(
        'StaleMessageId',
        `the signed Timestamp is outside the window of ±${this.windowMs / 1000} s around the gateway clock`,
      );
    }
    // Kept beside the MessageIDs: same window, same pruning. The key cannot collide with a UUID.
    const entry = {
      message_id: `sig:${signatureDigest.slice(0, 32)}`,
      sender,
      message_time: time,
      seen_at: now.getTime(),
    };
    if (!(await this.remember(entry))) {
      throw new GatewayFault(
        'MessageIsAlreadySent',
        'this signed request was already received; sign a new one',
      );
    }
    await this.maybePrune(now);
  }

  async prune(now: Date): Promise<void> {
    await this.store.db
      .deleteFrom('seen_message_ids')
      .where('message_time', '<', now.getTime() - 2 * this.windowMs)
      .execute();
  }
}
