/**
 * Retention: records older than the retention period leave the store only once a verified archive holds them.
 * Exports that verify are registered per instance and seq range; pruning removes the oldest records that are
 * both past the period and inside a registered archive, and signs a 'cut' checkpoint naming the last removed
 * record, so the chain that remains starts from a signed anchor and still verifies.
 */
import type { CheckpointSigner } from '../audit/checkpoint-signer.js';
import type { Store } from '../store/store.js';
import type { Archive } from './archive.js';
import { checkpointData } from './record.js';

/** Register a verified archive's ranges so retention may remove what it holds. */
export async function registerArchive(
  store: Store,
  archive: Archive,
  file: string,
  sha256: string,
  now = new Date(),
): Promise<void> {
  const ranges = new Map<string, { from: number; to: number }>();
  // The record before the range is there only to show where it starts: its bodies are not in this archive.
  const from = Date.parse(archive.range.from);
  for (const record of archive.records) {
    if (Number(record.received_at) < from && !ranges.has(record.instance_id)) continue;
    const range = ranges.get(record.instance_id) ?? { from: Infinity, to: -Infinity };
    ranges.set(record.instance_id, {
      from: Math.min(range.from, Number(record.seq)),
      to: Math.max(range.to, Number(record.seq)),
    });
  }
  for (const [instance, range] of ranges) {
    await store.db
      .insertInto('message_log_archives')
      .values({
        instance_id: instance,
        from_seq: range.from,
        to_seq: range.to,
        sha256,
        file,
        verified_at: now.getTime(),
      })
      .onConflict((c) => c.columns(['instance_id', 'to_seq']).doNothing())
      .execute();
  }
}

export async function pruneMessageLog(
  store: Store,
  signer: CheckpointSigner,
  retentionDays: number,
  now = new Date(),
  /** Only this chain (a gateway prunes its own); absent: every chain. */
  only?: string,
): Promise<Array<{ instance: string; removedThrough: number; removed: number }>> {
  const horizon = now.getTime() - retentionDays * 86_400_000;
  let query = store.db.selectFrom('message_log').select('instance_id').distinct();
  if (only !== undefined) query = query.where('instance_id', '=', only);
  const instances = await query.execute();
  const results: Array<{ instance: string; removedThrough: number; removed: number }> = [];
  for (const { instance_id: instance } of instances) {
    const first = await store.db
      .selectFrom('message_log')
      .select(['seq'])
      .where('instance_id', '=', instance)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (!first) continue;
    // The archives must hold every record from the first remaining one on, without a gap.
    const archives = await store.db
      .selectFrom('message_log_archives')
      .selectAll()
      .where('instance_id', '=', instance)
      .orderBy('from_seq')
      .execute();
    let covered = Number(first.seq) - 1;
    for (const archive of archives)
      if (Number(archive.from_seq) <= covered + 1) covered = Math.max(covered, Number(archive.to_seq));
    const lastOld = await store.db
      .selectFrom('message_log')
      .select(['seq', 'hash'])
      .where('instance_id', '=', instance)
      .where('received_at', '<', horizon)
      .where('seq', '<=', covered)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!lastOld) continue;
    const through = Number(lastOld.seq);
    const at = now.getTime();
    const signature = signer.sign(checkpointData(instance, through, lastOld.hash, at, 'cut'));
    const removed = await store.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('message_log_checkpoints')
        .values({
          instance_id: instance,
          seq: through,
          at,
          head_hash: lastOld.hash,
          kind: 'cut',
          algorithm: signature.algorithm,
          signature: signature.signature,
          certificate: signature.certificatePem,
        })
        .execute();
      const result = await trx
        .deleteFrom('message_log')
        .where('instance_id', '=', instance)
        .where('seq', '<=', through)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
    results.push({ instance, removedThrough: through, removed });
  }
  return results;
}
