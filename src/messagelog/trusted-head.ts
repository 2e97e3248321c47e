/**
 * Where a writer's chain may be trusted from, and whether the store still extends it (see audit/anchor.ts). The
 * writer continues the chain it finds in the store at start (and after an insert whose outcome it could not tell):
 * it signs over that head only if the records from the last checkpoint signed with its own key link up to it.
 */
import { linkProblem, signedWith, type Anchor } from '../audit/anchor.js';
import type { Store } from '../store/store.js';
import { GENESIS_HASH, checkpointData, recordHash } from './record.js';

const PAGE = 1000;

/** Every column but the bodies: the hash covers their digests, not the bodies themselves. */
const CHAINED = [
  'instance_id',
  'seq',
  'prev_hash',
  'request_id',
  'operation',
  'message_id',
  'answer_message_id',
  'reference_message_id',
  'sender',
  'recipient',
  'message_type',
  'received_at',
  'answered_at',
  'duration_us',
  'http_status',
  'fault_code',
  'certificate',
  'verification',
  'request_digest',
  'answer_digest',
  'request_bytes',
  'hash',
] as const;

/**
 * The chain's last checkpoint (a head, or a retention cut) signed with `certificatePem` and still verifying; the
 * genesis when there is none (a new chain, or one signed only with a former key).
 */
export async function lastOwnCheckpoint(
  store: Store,
  instance: string,
  certificatePem: string,
): Promise<Anchor> {
  const checkpoints = await store.db
    .selectFrom('message_log_checkpoints')
    .selectAll()
    .where('instance_id', '=', instance)
    .orderBy('seq', 'desc')
    .execute();
  for (const c of checkpoints) {
    const data = checkpointData(instance, Number(c.seq), c.head_hash, Number(c.at), c.kind);
    if (signedWith(certificatePem, c, data)) return { seq: Number(c.seq), hash: c.head_hash };
  }
  return { seq: 0, hash: GENESIS_HASH };
}

/** What breaks the stored chain from `anchor` to `head`, or undefined when it links. */
export function storedLinkProblem(
  store: Store,
  instance: string,
  anchor: Anchor,
  head: Anchor,
): Promise<string | undefined> {
  return linkProblem(anchor, head, pages(store, instance, anchor.seq, head.seq), recordHash, 'record');
}

async function* pages(store: Store, instance: string, from: number, to: number) {
  let after = from - 1;
  for (;;) {
    const rows = await store.db
      .selectFrom('message_log')
      .select([...CHAINED])
      .where('instance_id', '=', instance)
      .where('seq', '>', after)
      .where('seq', '<=', to)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) return;
    yield rows;
    after = Number(rows[rows.length - 1]?.seq);
    if (rows.length < PAGE) return;
  }
}
