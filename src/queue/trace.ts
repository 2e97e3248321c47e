/**
 * Where a queued message is, for operators and auditors (`GET /api/v1/queue/messages/:id`): the message and the
 * others of its exchange (the request, its answers), each with its state, parties, type, times and how often it
 * was handed out. Bodies stay in the queue; this tells only where things are.
 */
import type { QueueMessageTable, QueueTables } from '../store/schema-queue.js';
import type { Store } from '../store/store.js';

export interface QueuedMessageView {
  readonly messageId: string;
  readonly kind: 'request' | 'response';
  /** queued, delivered (handed out, not yet acknowledged), acknowledged, answered or expired. */
  readonly state: string;
  readonly sender: string;
  readonly recipient: string;
  readonly messageType: string;
  readonly provider: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly expiresAt: string;
  readonly deliveries: number;
  readonly attachments: boolean;
}

export interface QueueTrace {
  readonly message: QueuedMessageView;
  /** The request and every answer of the same exchange, oldest first (the message itself included). */
  readonly exchange: readonly QueuedMessageView[];
}

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();

function view(row: QueueMessageTable): QueuedMessageView {
  return {
    messageId: row.message_id,
    kind: row.kind === 'request' ? 'request' : 'response',
    state: row.state,
    sender: row.sender,
    recipient: row.recipient,
    messageType: `{${row.message_namespace}}${row.message_local_name}`,
    provider: row.provider,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    expiresAt: iso(row.expires_at),
    deliveries: Number(row.deliveries),
    attachments: row.attachments !== null,
  };
}

/**
 * MessageIDs are scoped to their senders: `sender` picks one when several systems used the same MessageID
 * (without it, the oldest such message is told).
 */
export async function traceQueuedMessage(
  store: Store,
  messageId: string,
  sender?: string,
): Promise<QueueTrace | undefined> {
  const db = store.db.withTables<{ [T in keyof QueueTables]: QueueTables[T] }>();
  let query = db
    .selectFrom('queue_messages')
    .selectAll()
    .where('message_id', '=', messageId)
    .where('kind', '<>', 'status');
  if (sender !== undefined) query = query.where('sender', '=', sender);
  const row = await query.orderBy('created_at').executeTakeFirst();
  if (!row) return undefined;
  // The exchange is the request (sent by its consumer) and the answers to it (addressed to that consumer).
  const consumer = row.kind === 'request' ? row.sender : row.recipient;
  const exchange = await db
    .selectFrom('queue_messages')
    .selectAll()
    .where('request_id', '=', row.request_id)
    .where((eb) =>
      eb.or([
        eb.and([eb('kind', '=', 'request'), eb('sender', '=', consumer)]),
        eb.and([eb('kind', '=', 'response'), eb('recipient', '=', consumer)]),
      ]),
    )
    .orderBy('created_at')
    .orderBy('message_id')
    .execute();
  return { message: view(row), exchange: exchange.map(view) };
}
