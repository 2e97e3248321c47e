/**
 * Whether an archive holds every record of the range it claims. Integrity alone cannot tell: records cut from
 * either end of an archive (with the checkpoints over them) leave a chain that is intact in itself. So the
 * exporter writes, beside the records of the range, each chain's boundary records: the one before the range
 * (without its bodies: its hash still covers their digests) and the records after it up to the next checkpoint.
 * Both are links of the verified chain, so a signed checkpoint vouches for them; then
 * - the start is complete when the chain starts at genesis, or its first record was received before `from`;
 * - the end is complete when its last record was received after `to`.
 * Anything else — an archive cut at either end, one written before boundaries were exported, a range still open
 * when it was exported — is reported as not proven, naming the chain and the end.
 */
import { GENESIS_HASH, type MessageRecord } from './record.js';

export interface Completeness {
  readonly complete: boolean;
  /** Why it is not proven, per chain and end. */
  readonly problems: string[];
}

export function rangeCompleteness(
  records: readonly MessageRecord[],
  range: { readonly from: string; readonly to: string } | undefined,
): Completeness {
  const from = range ? Date.parse(range.from) : NaN;
  const to = range ? Date.parse(range.to) : NaN;
  if (Number.isNaN(from) || Number.isNaN(to))
    return { complete: false, problems: ['the archive names no valid range'] };
  const ends = new Map<string, { first: MessageRecord; last: MessageRecord }>();
  for (const r of records) {
    const seen = ends.get(r.instance_id);
    if (!seen) ends.set(r.instance_id, { first: r, last: r });
    else {
      if (Number(r.seq) < Number(seen.first.seq)) seen.first = r;
      if (Number(r.seq) > Number(seen.last.seq)) seen.last = r;
    }
  }
  const problems: string[] = [];
  if (ends.size === 0) problems.push('the archive holds no record: that the range has none is not proven');
  for (const [instance, { first, last }] of ends) {
    const genesis = Number(first.seq) === 1 && first.prev_hash === GENESIS_HASH;
    if (!genesis && Number(first.received_at) >= from)
      problems.push(
        `${instance}: the start is not proven: no record before #${first.seq} (received before ${range?.from}) is in the archive`,
      );
    if (Number(last.received_at) <= to)
      problems.push(
        `${instance}: the end is not proven: no record after #${last.seq} (received after ${range?.to}) is in the archive`,
      );
  }
  return { complete: problems.length === 0, problems };
}
