/** Tables of the queued exchange (migrations 0007_queue, 0008_queue_attachments). */

/** request: for its recipient; response: an answer for the consumer; status: a status notice for the consumer. */
export type QueueKind = 'request' | 'response' | 'status';

/**
 * queued → delivered (handed out, not yet acknowledged) → acknowledged; a request ends `answered` once a final
 * answer is queued for it; any open message past its lifetime ends `expired`.
 */
export type QueueState = 'queued' | 'delivered' | 'acknowledged' | 'answered' | 'expired';

export interface QueueMessageTable {
  message_id: string;
  kind: QueueKind;
  recipient: string;
  sender: string;
  message_namespace: string;
  message_local_name: string;
  /** The request this row belongs to (itself for a request). */
  request_id: string;
  /** A request's opaque return address, carried back in SenderProvidedResponseData/To. */
  reply_to: string | null;
  /** The route's provider (`builtin:…`, `remote:…`, or `queue` when the recipient takes it itself). */
  provider: string;
  state: QueueState;
  /** The element handed out: `Request`, `Response`, or `AsyncProcessingStatus`, serialised. */
  body: string;
  /** The message's `AttachmentContentList`, serialised; null when it carries none. */
  attachments: string | null;
  /** A request's TransactionCode (migration 0015), echoed as OriginalTransactionCode; null when it has none. */
  transaction_code?: string | null;
  /** A request's ReferenceMessageID (migration 0023), echoed in its answers; null for older rows. */
  reference_message_id?: string | null;
  /** The contract version the message was sent in and is handed out in (migration 0023): `1.1`, `1.2`, `1.3`. */
  contract_version?: string;
  created_at: number;
  visible_at: number;
  expires_at: number;
  deliveries: number;
  updated_at: number;
}

export interface QueueTables {
  queue_messages: QueueMessageTable;
}
