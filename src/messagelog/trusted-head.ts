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
 * The chain's last checkpoint (a head, or a retention cut) signed with one of `certificatePems` (the gateway's
 * own, then those it signed with before a key change) and still verifying; the genesis when there is none.
 */
export async function lastOwnCheckpoint(
  store: Store,
  instance: string,
  certificatePems: readonly string[],
): Promise<Anchor> {
  const checkpoints = await store.db
    .selectFrom('message_log_checkpoints')
    .selectAll()
    .where('instance_id', '=', instance)
    .orderBy('seq', 'desc')
    .execute();
  for (const c of checkpoints) {
    const data = checkpointData(instance, Number(c.seq), c.head_hash, Number(c.at), c.kind);
    if (certificatePems.some((pem) => signedWith(pem, c, data)))
      return { seq: Number(c.seq), hash: c.head_hash };
  }
  return { seq: 0, hash: GENESIS_HASH };
}

/**
 * How long a record may wait for a checkpoint in a running gateway: `checkpointSeconds` (what docs/message-log.md
 * promises), once more for a tick that came late, and a time-stamp request's timeout (the checkpoint is stored
 * once its token is back or given up).
 */
export function uncoveredLimitMs(checkpointSeconds: number, timestampTimeoutMs = 0): number {
  return 2 * checkpointSeconds * 1000 + timestampTimeoutMs;
}

/**
 * Records after `anchor` that waited for a checkpoint longer than `limitMs`, measured against the newest of them
 * (the store's own times, so a stopped gateway's store or an old backup is judged as it was left), or undefined.
 * A gateway signs within the interval and at shutdown, so only a short tail is left uncovered, by a crash; a long
 * one is what deleting the checkpoints and rewriting the records with their hashes recomputed leaves, and
 * signing over it would vouch for the rewrite.
 */
export async function staleTailProblem(
  store: Store,
  instance: string,
  anchor: Anchor,
  limitMs: number,
): Promise<string | undefined> {
  const tail = await store.db
    .selectFrom('message_log')
    .select((eb) => [
      eb.fn.min('seq').as('first'),
      eb.fn.max('seq').as('last'),
      eb.fn.min('answered_at').as('oldest'),
      eb.fn.max('answered_at').as('newest'),
    ])
    .where('instance_id', '=', instance)
    .where('seq', '>', anchor.seq)
    .executeTakeFirst();
  if (tail?.first === null || tail?.first === undefined) return undefined;
  const waited = Number(tail.newest) - Number(tail.oldest);
  if (waited <= limitMs) return undefined;
  const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
  return (
    `records ${Number(tail.first)}..${Number(tail.last)} are covered by no checkpoint signed with the gateway's key, ` +
    `and the oldest of them was answered ${seconds(waited)} before the newest (a running gateway signs within ` +
    `${seconds(limitMs)}): the checkpoints over them were deleted, or the records rewritten`
  );
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
