/**
 * The queues over the gateway store, shared by every instance on it. Taking is one statement: mark the oldest
 * visible message handed out (its `visible_at` moves by the visibility timeout) and return it. On PostgreSQL
 * the candidate row is chosen `FOR UPDATE SKIP LOCKED`, so concurrent takers on several instances each get a
 * different message and never wait for one another; on SQLite the single writer serialises the statement.
 * A message handed out and not acknowledged in time simply becomes visible again: nothing is lost when an
 * instance (or a client) dies between taking and acknowledging.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import {
  QUEUE_PROVIDER,
  type MessageQueue,
  type OpenRequest,
  type QueuedAnswer,
  type QueuedRequest,
  type QueueStatistics,
  type TakeKind,
  type TakenMessage,
} from '../core/ports.js';
import type { MessageType } from '../core/model.js';
import { messageIdTime, newMessageId } from '../core/message-id.js';
import { GatewayFault } from '../core/faults.js';
import type { Database } from '../store/schema.js';
import type { QueueMessageTable, QueueTables } from '../store/schema-queue.js';
import type { AttachmentTables } from '../store/schema-attachments.js';
import { inPieces, type Store } from '../store/store.js';
import { statusNotice, type StatusChange } from './status.js';

export interface QueueSettings {
  readonly visibilityTimeoutMs: number;
  readonly lifetimeMs: number;
  /** Open requests one recipient may hold; 0: no limit. */
  readonly maxDepth: number;
  /** Send status notices to consumers (GetStatus). */
  readonly statusNotices: boolean;
  /** Final messages are kept this long (for Ack retries and TargetMessageIsNotFound answers), then removed. */
  readonly retainMs: number;
}

type Tables = Database & QueueTables & Pick<AttachmentTables, 'queue_message_files'>;
type Db = Kysely<Tables>;
const OPEN = ['queued', 'delivered'] as const;
/** A message its recipient has taken: the states an Ack may name. */
const HANDED_OUT = ['delivered', 'acknowledged', 'answered'] as const;

export class StoreQueue implements MessageQueue {
  private readonly db: Db;
  private readonly postgres: boolean;
  /** Told when a request for a hosted provider is queued, so this instance's worker takes it without polling. */
  onHostedRequest: (() => void) | undefined;

  constructor(
    store: Store,
    private readonly settings: QueueSettings,
  ) {
    this.db = store.db.withTables<{
      [T in keyof (QueueTables & Pick<AttachmentTables, 'queue_message_files'>)]: (QueueTables &
        Pick<AttachmentTables, 'queue_message_files'>)[T];
    }>();
    this.postgres = store.dialect === 'postgres';
  }

  get lifetimeMs(): number {
    return this.settings.lifetimeMs;
  }

  async enqueueRequest(request: QueuedRequest, now: Date): Promise<void> {
    const at = now.getTime();
    await this.db.transaction().execute(async (trx) => {
      // The depth is counted with the request inserted, and nothing else can be queued for the recipient between
      // the two: on PostgreSQL under a lock on the recipient's queue for the transaction, on SQLite under the write
      // lock its insert takes. Counted apart, requests sent at once each saw room for itself, past the limit.
      if (this.postgres && this.settings.maxDepth > 0)
        await sql`select pg_advisory_xact_lock(hashtext(${`queue-depth:${request.recipient}`}))`.execute(trx);
      const inserted = await trx
        .insertInto('queue_messages')
        .values({
          message_id: request.messageId,
          kind: 'request',
          recipient: request.recipient,
          sender: request.sender,
          message_namespace: request.messageType.namespace,
          message_local_name: request.messageType.localName,
          request_id: request.messageId,
          reply_to: request.replyTo,
          provider: request.provider,
          state: 'queued',
          body: request.body,
          attachments: request.attachments ?? null,
          transaction_code: request.transactionCode ?? null,
          reference_message_id: request.referenceMessageId ?? null,
          contract_version: request.contractVersion ?? '1.1',
          created_at: at,
          visible_at: at,
          expires_at: request.expiresAt,
          deliveries: 0,
          updated_at: at,
        })
        .onConflict((conflict) => conflict.columns(['sender', 'message_id']).doNothing())
        .executeTakeFirst();
      if (!inserted.numInsertedOrUpdatedRows) throw alreadySent(request.messageId);
      if (this.settings.maxDepth > 0) await this.refuseOverflow(trx, request.recipient);
      await linkFiles(trx, request.sender, request.messageId, request.files, at);
      await remember(trx, request.sender, request.messageId, at);
      await this.notify(trx, request.sender, request.messageId, 'queued', at);
    });
    if (request.provider !== QUEUE_PROVIDER) this.onHostedRequest?.();
  }

  /** Undone with its transaction: a request that took the recipient's queue past `maxDepth`. */
  private async refuseOverflow(trx: Transaction<Tables>, recipient: string): Promise<void> {
    const row = await trx
      .selectFrom('queue_messages')
      .select((eb) => eb.fn.countAll<number>().as('depth'))
      .where('recipient', '=', recipient)
      .where('kind', '=', 'request')
      .where('state', 'in', OPEN)
      .executeTakeFirst();
    const before = Number(row?.depth ?? 0) - 1;
    if (before < this.settings.maxDepth) return;
    // SMEV 3's fault for a full recipient queue; the broker is the gateway's own store.
    throw new GatewayFault(
      'DestinationOverflow',
      `the queue of ${recipient} holds ${before} requests, its limit`,
      {
        fields: [
          ['MessageBrokerAddress', 'smev-gateway'],
          ['DestinationName', recipient],
        ],
      },
    );
  }

  async requestByReplyTo(replyTo: string): Promise<OpenRequest | undefined> {
    const row = await this.db
      .selectFrom('queue_messages')
      .select([
        'message_id',
        'sender',
        'recipient',
        'provider',
        'state',
        'expires_at',
        'message_namespace',
        'message_local_name',
        'transaction_code',
        'reference_message_id',
        'contract_version',
      ])
      .where('reply_to', '=', replyTo)
      .where('kind', '=', 'request')
      .executeTakeFirst();
    return (
      row && {
        messageId: row.message_id,
        messageType: { namespace: row.message_namespace, localName: row.message_local_name },
        sender: row.sender,
        recipient: row.recipient,
        provider: row.provider,
        state: row.state,
        expiresAt: Number(row.expires_at),
        transactionCode: row.transaction_code ?? undefined,
        referenceMessageId: row.reference_message_id ?? undefined,
        contractVersion: row.contract_version ?? '1.1',
      }
    );
  }

  async enqueueAnswer(answer: QueuedAnswer, now: Date): Promise<void> {
    const at = now.getTime();
    const { request } = answer;
    await this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('queue_messages')
        .values({
          message_id: answer.messageId,
          kind: 'response',
          recipient: request.sender,
          sender: request.recipient,
          message_namespace: answer.messageType.namespace,
          message_local_name: answer.messageType.localName,
          request_id: request.messageId,
          reply_to: null,
          provider: request.provider,
          state: 'queued',
          body: answer.body,
          attachments: answer.attachments ?? null,
          // An answer is sent in its request's version (the pipeline checks), and handed out in it.
          contract_version: request.contractVersion,
          created_at: at,
          visible_at: at,
          expires_at: at + this.settings.lifetimeMs,
          deliveries: 0,
          updated_at: at,
        })
        .onConflict((conflict) => conflict.columns(['sender', 'message_id']).doNothing())
        .executeTakeFirst();
      // A retried answer (its first attempt's outcome unknown to the provider) is told so, not refused.
      if (!inserted.numInsertedOrUpdatedRows) throw alreadySent(answer.messageId);
      await linkFiles(trx, request.recipient, answer.messageId, answer.files, at);
      await remember(trx, request.recipient, answer.messageId, at);
      // The request must still be open; a final answer closes it, so it is never handed out again, even when
      // the provider's Ack was lost.
      const closed = await trx
        .updateTable('queue_messages')
        .set(answer.final ? { state: 'answered', updated_at: at } : { updated_at: at })
        .where('sender', '=', request.sender)
        .where('message_id', '=', request.messageId)
        .where('kind', '=', 'request')
        .where('state', 'in', [...OPEN, 'acknowledged'])
        .where('expires_at', '>', at)
        .executeTakeFirst();
      if (!closed.numUpdatedRows) {
        throw new GatewayFault(
          'TargetMessageIsNotFound',
          `request ${request.messageId} is no longer open for an answer`,
        );
      }
      await this.notify(trx, request.sender, request.messageId, answer.final ? 'answered' : 'status', at);
    });
  }

  async take(
    recipient: string,
    kind: TakeKind,
    messageType: MessageType | undefined,
    now: Date,
    contractVersion = '1.1',
  ): Promise<TakenMessage | undefined> {
    return this.takeWhere(now, { recipient, kind, messageType, hosted: false, contractVersion });
  }

  /** The worker's take: the oldest visible request on a route the gateway hosts. */
  takeHosted(now: Date): Promise<TakenMessage | undefined> {
    return this.takeWhere(now, { kind: 'request', hosted: true });
  }

  private async takeWhere(
    now: Date,
    which: {
      recipient?: string;
      kind: TakeKind;
      messageType?: MessageType | undefined;
      hosted: boolean;
      /** Absent: any version (the worker's take; status notices). */
      contractVersion?: string;
    },
  ): Promise<TakenMessage | undefined> {
    const at = now.getTime();
    let candidate = this.db
      .selectFrom('queue_messages')
      .select(['sender', 'message_id'])
      .where('kind', '=', which.kind)
      .where('state', 'in', OPEN)
      .where('visible_at', '<=', at)
      .where('expires_at', '>', at);
    if (which.recipient !== undefined) candidate = candidate.where('recipient', '=', which.recipient);
    // Requests on routes the gateway hosts are the worker's; the recipient system takes only `queue` routes.
    if (which.kind === 'request') {
      candidate = candidate.where('provider', which.hosted ? '<>' : '=', QUEUE_PROVIDER);
    }
    // A message is handed out in the contract version it was sent in; notices tell of it in any version.
    if (which.contractVersion !== undefined && which.kind !== 'status') {
      candidate = candidate.where('contract_version', '=', which.contractVersion);
    }
    if (which.messageType) {
      candidate = candidate
        .where('message_namespace', '=', which.messageType.namespace)
        .where('message_local_name', '=', which.messageType.localName);
    }
    candidate = candidate.orderBy('created_at').orderBy('message_id').limit(1);
    if (this.postgres) candidate = candidate.forUpdate().skipLocked();
    const row = await this.db
      .updateTable('queue_messages')
      .set({
        state: 'delivered',
        visible_at: at + this.settings.visibilityTimeoutMs,
        deliveries: sql<number>`deliveries + 1`,
        updated_at: at,
      })
      .where(({ eb, refTuple }) =>
        eb(refTuple('sender', 'message_id'), 'in', candidate.$asTuple('sender', 'message_id')),
      )
      .where('state', 'in', OPEN)
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.kind === 'status') {
      // A notice is told once: it carries no id of its own that an Ack could name.
      await this.db
        .deleteFrom('queue_messages')
        .where('sender', '=', row.sender)
        .where('message_id', '=', row.message_id)
        .execute();
    } else if (Number(row.deliveries) === 1) {
      await this.notify(
        this.db,
        consumerOf(row),
        row.request_id,
        row.kind === 'request' ? 'delivered' : 'answer delivered',
        at,
      );
    }
    // Only a message whose signed block names stored files has any; the others cost no query.
    const files = row.body.includes('RefAttachmentHeader')
      ? await this.db
          .selectFrom('queue_message_files')
          .select('uuid')
          .where('sender', '=', row.sender)
          .where('message_id', '=', row.message_id)
          .orderBy('position')
          .execute()
      : [];
    return {
      messageId: row.message_id,
      requestId: row.request_id,
      ...(files.length > 0 ? { files: files.map((file) => file.uuid) } : {}),
      sender: row.sender,
      recipient: row.recipient,
      provider: row.provider,
      body: row.body,
      attachments: row.attachments ?? undefined,
      deliveries: Number(row.deliveries) - 1,
      contractVersion: row.contract_version ?? '1.1',
      ...(row.kind === 'status'
        ? {}
        : { messageType: { namespace: row.message_namespace, localName: row.message_local_name } }),
    };
  }

  async pending(system: string, now: Date, contractVersion = '1.1'): Promise<QueueStatistics[]> {
    const rows = await this.db
      .selectFrom('queue_messages')
      .select(['message_namespace', 'message_local_name', (eb) => eb.fn.countAll<number>().as('pending')])
      .where('recipient', '=', system)
      .where('contract_version', '=', contractVersion)
      .where('state', 'in', OPEN)
      .where('expires_at', '>', now.getTime())
      // Answers for the system as a consumer; requests only on routes it serves itself (the worker takes the rest).
      .where((eb) =>
        eb.or([
          eb('kind', '=', 'response'),
          eb.and([eb('kind', '=', 'request'), eb('provider', '=', QUEUE_PROVIDER)]),
        ]),
      )
      .groupBy(['message_namespace', 'message_local_name'])
      .orderBy('message_namespace')
      .orderBy('message_local_name')
      .execute();
    return rows.map((row) => ({
      messageType: { namespace: row.message_namespace, localName: row.message_local_name },
      pending: Number(row.pending),
    }));
  }

  async ack(system: string, messageId: string, now: Date): Promise<void> {
    const at = now.getTime();
    // MessageIDs are scoped to their senders, so two senders' messages to one system may share one; the Ack is
    // for the one handed out last. Only a message handed out can be acknowledged: one still queued is not yet
    // the caller's, and an Ack for it (a replay of an Ack for another sender's message with the same id, say)
    // would drop it unseen. Ack carries no time of its own to refuse a replay by.
    const row = await this.db
      .selectFrom('queue_messages')
      .select(['kind', 'state', 'request_id', 'sender', 'recipient', 'expires_at'])
      .where('message_id', '=', messageId)
      .where('recipient', '=', system)
      .where('kind', '<>', 'status')
      .where('state', 'in', HANDED_OUT)
      .orderBy(sql`case when state = 'delivered' then 0 else 1 end`)
      .orderBy('updated_at', 'desc')
      .executeTakeFirst();
    if (!row) {
      throw new GatewayFault('TargetMessageIsNotFound', `${system} was handed no message ${messageId}`);
    }
    // Acknowledging again is harmless: the first Ack may have been lost on its way back.
    if (row.state === 'acknowledged' || row.state === 'answered') return;
    const updated = await this.db
      .updateTable('queue_messages')
      .set({ state: 'acknowledged', updated_at: at })
      .where('sender', '=', row.sender)
      .where('message_id', '=', messageId)
      .where('state', '=', 'delivered')
      .executeTakeFirst();
    if (updated.numUpdatedRows && row.kind === 'response') {
      await this.notify(this.db, row.recipient, row.request_id, 'acknowledged', at);
    }
  }

  /** Open messages past their lifetime leave the queue; their consumers are told. Returns how many. */
  async expire(now: Date): Promise<number> {
    const at = now.getTime();
    const rows = await this.db
      .updateTable('queue_messages')
      .set({ state: 'expired', updated_at: at })
      // An acknowledged request still waits for its answer; an acknowledged answer has arrived: its exchange is
      // complete, and expiring it would tell the consumer "cancelled".
      .where((eb) =>
        eb.or([
          eb('state', 'in', OPEN),
          eb.and([eb('state', '=', 'acknowledged'), eb('kind', '=', 'request')]),
        ]),
      )
      .where('kind', '<>', 'status')
      .where('expires_at', '<=', at)
      .returning(['kind', 'state', 'sender', 'recipient', 'request_id'])
      .execute();
    for (const row of rows) await this.notify(this.db, consumerOf(row), row.request_id, 'expired', at);
    // Notices past their lifetime, and final messages past the retention, are removed.
    await this.db
      .deleteFrom('queue_messages')
      .where((eb) =>
        eb.or([
          eb.and([eb('kind', '=', 'status'), eb('expires_at', '<=', at)]),
          eb.and([
            eb('state', 'in', ['acknowledged', 'answered', 'expired']),
            eb('updated_at', '<=', at - this.settings.retainMs),
          ]),
        ]),
      )
      .execute();
    return rows.length;
  }

  private async notify(
    db: Db | Transaction<Tables>,
    consumer: string,
    requestId: string,
    change: StatusChange,
    at: number,
  ): Promise<void> {
    if (!this.settings.statusNotices) return;
    await db
      .insertInto('queue_messages')
      .values({
        message_id: newMessageId(),
        kind: 'status',
        recipient: consumer,
        sender: consumer,
        message_namespace: '',
        message_local_name: '',
        request_id: requestId,
        reply_to: null,
        provider: '',
        state: 'queued',
        body: JSON.stringify(statusNotice(change)),
        attachments: null,
        created_at: at,
        visible_at: at,
        // A notice outlives the message it tells of: `expired` is news only after the message is gone.
        expires_at: at + this.settings.retainMs,
        deliveries: 0,
        updated_at: at,
      })
      .execute();
  }
}

/**
 * The stored files a message names, recorded with it in its queuing transaction: the attachment store keeps them
 * while the message is in the queue, and the recipient is handed credentials for them.
 */
async function linkFiles(
  trx: Transaction<Tables>,
  sender: string,
  messageId: string,
  files: readonly string[] | undefined,
  at: number,
): Promise<void> {
  if (!files || files.length === 0) return;
  const rows = files.map((uuid, position) => ({
    sender,
    message_id: messageId,
    position,
    uuid,
    created_at: at,
  }));
  for (const piece of inPieces(rows)) await trx.insertInto('queue_message_files').values(piece).execute();
}

/**
 * The queued message's MessageID joins the gateway's one seen-set (see exchange/replay-guard), in the queuing
 * transaction: a request queued by SendRequest is then refused by Call, and the reverse, by the same sender.
 */
async function remember(trx: Transaction<Tables>, sender: string, messageId: string, at: number) {
  const inserted = await trx
    .insertInto('seen_message_ids')
    .values({ sender, message_id: messageId, message_time: uuidTime(messageId) ?? at, seen_at: at })
    .onConflict((conflict) => conflict.columns(['sender', 'message_id']).doNothing())
    .executeTakeFirst();
  if (!inserted.numInsertedOrUpdatedRows) throw alreadySent(messageId);
}

/** The time of a version-1 UUID; undefined for other MessageIDs (the pipeline has refused those already). */
function uuidTime(messageId: string): number | undefined {
  try {
    return messageIdTime(messageId);
  } catch {
    return undefined;
  }
}

function alreadySent(messageId: string): GatewayFault {
  return new GatewayFault('MessageIsAlreadySent', `MessageID ${messageId} was already accepted`);
}

/** The consumer of a row's exchange: a request's sender, an answer's recipient. */
function consumerOf(row: Pick<QueueMessageTable, 'kind' | 'sender' | 'recipient'>): string {
  return row.kind === 'request' ? row.sender : row.recipient;
}

/** An opaque return address: random, so it says nothing about the request and cannot be guessed. */
export function newReplyTo(): string {
  return randomUUID();
}
