/** Reading the message log for auditors: a filtered, paged listing and whole records. */
import type { BodySealer } from './sealing.js';
import { openBodies } from './verify.js';
import type { Store } from '../store/store.js';
import { bodyMatchesDigest, recordHash, type MessageRecord } from './record.js';

export interface MessageFilter {
  readonly from?: Date;
  readonly to?: Date;
  /** Sender or recipient mnemonic. */
  readonly system?: string;
  readonly sender?: string;
  readonly recipient?: string;
  readonly messageType?: string;
  readonly messageId?: string;
  /** `true`: only faults; `false`: only successes; a string: that fault code. */
  readonly fault?: boolean | string;
  readonly page: number;
  readonly pageSize: number;
}

/** A record's identity in the API: `<seq>@<instance>`. */
export const recordId = (record: Pick<MessageRecord, 'seq' | 'instance_id'>) =>
  `${Number(record.seq)}@${record.instance_id}`;

export async function searchMessages(store: Store, filter: MessageFilter) {
  let query = store.db.selectFrom('message_log');
  if (filter.from) query = query.where('received_at', '>=', filter.from.getTime());
  if (filter.to) query = query.where('received_at', '<=', filter.to.getTime());
  if (filter.system)
    query = query.where((eb) =>
      eb.or([eb('sender', '=', filter.system!), eb('recipient', '=', filter.system!)]),
    );
  if (filter.sender) query = query.where('sender', '=', filter.sender);
  if (filter.recipient) query = query.where('recipient', '=', filter.recipient);
  if (filter.messageType) query = query.where('message_type', '=', filter.messageType);
  if (filter.messageId) {
    query = query.where((eb) =>
      eb.or([
        eb('message_id', '=', filter.messageId!),
        eb('answer_message_id', '=', filter.messageId!),
        eb('reference_message_id', '=', filter.messageId!),
      ]),
    );
  }
  if (filter.fault === true) query = query.where('fault_code', 'is not', null);
  if (filter.fault === false) query = query.where('fault_code', 'is', null);
  if (typeof filter.fault === 'string') query = query.where('fault_code', '=', filter.fault);
  const [rows, total] = await Promise.all([
    query
      .select([
        'instance_id',
        'seq',
        'operation',
        'message_id',
        'answer_message_id',
        'reference_message_id',
        'sender',
        'recipient',
        'message_type',
        'received_at',
        'duration_us',
        'http_status',
        'fault_code',
        'verification',
      ])
      .orderBy('received_at', 'desc')
      .orderBy('seq', 'desc')
      .limit(filter.pageSize)
      .offset((filter.page - 1) * filter.pageSize)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirst(),
  ]);
  return {
    page: filter.page,
    pageSize: filter.pageSize,
    total: Number(total?.count ?? 0),
    items: rows.map(summaryOf),
  };
}

type SummaryColumns = Pick<
  MessageRecord,
  | 'instance_id'
  | 'seq'
  | 'operation'
  | 'message_id'
  | 'answer_message_id'
  | 'reference_message_id'
  | 'sender'
  | 'recipient'
  | 'message_type'
  | 'received_at'
  | 'duration_us'
  | 'http_status'
  | 'fault_code'
  | 'verification'
>;

/** A record as the listing shows it. */
function summaryOf(row: SummaryColumns) {
  return {
    id: recordId(row),
    operation: row.operation,
    messageId: row.message_id,
    answerMessageId: row.answer_message_id,
    referenceMessageId: row.reference_message_id,
    sender: row.sender,
    recipient: row.recipient,
    messageType: row.message_type,
    receivedAt: new Date(Number(row.received_at)).toISOString(),
    durationMs: Number(row.duration_us) / 1000,
    httpStatus: Number(row.http_status),
    fault: row.fault_code,
    verification: row.verification,
  };
}

/**
 * Whether what a single-record view shows is the record's own: its fields against its hash, each body shown
 * against the digest the hash covers. A body edited in the store, or copied from another record, is otherwise
 * shown as this record's; `log verify` would find it, a reader of one record would not.
 */
function integrityOf(stored: MessageRecord, opened: MessageRecord, openProblems: readonly string[]) {
  const problems = [...openProblems];
  if (recordHash(stored) !== stored.hash) problems.push("the record's fields do not match its hash");
  for (const [which, body, digest] of [
    ['request', opened.request_xml, stored.request_digest],
    ['answer', opened.answer_xml, stored.answer_digest],
  ] as const) {
    if (!bodyMatchesDigest(body, digest))
      problems.push(
        `the stored ${which} does not match the record's digest: it is not this exchange's ${which}`,
      );
  }
  return { ok: problems.length === 0, problems };
}

/**
 * One record; its sealed bodies opened with `sealer` (the API is for auditors, who may read them), and whether it
 * is intact: a body that does not open, or does not match its digest, is shown with `integrity.ok` false.
 */
export async function getMessage(store: Store, id: string, sealer?: BodySealer) {
  const at = id.indexOf('@');
  const seq = Number(id.slice(0, at));
  if (at < 1 || !Number.isSafeInteger(seq)) return undefined;
  const stored = await store.db
    .selectFrom('message_log')
    .selectAll()
    .where('instance_id', '=', id.slice(at + 1))
    .where('seq', '=', seq)
    .executeTakeFirst();
  if (!stored) return undefined;
  const problems: string[] = [];
  const row = openBodies(stored, sealer, problems);
  return {
    ...summaryOf(row),
    instance: row.instance_id,
    seq: Number(row.seq),
    requestId: row.request_id,
    answeredAt: new Date(Number(row.answered_at)).toISOString(),
    certificate: row.certificate,
    requestDigest: row.request_digest,
    answerDigest: row.answer_digest,
    requestXml: row.request_xml,
    answerXml: row.answer_xml,
    bodiesKept: row.request_xml !== null,
    integrity: integrityOf(stored, row, problems),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
