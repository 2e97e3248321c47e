/**
 * Whether an archive holds every record of the range it claims. Integrity alone cannot tell: records cut from
 * either end of an archive (with the checkpoints over them) leave a chain that is intact in itself. So the
 * exporter writes, beside the records of the range, each chain's boundary records: those before the range back to
 * one answered before `from` (without their bodies: their hashes still cover the digests) and the records after
 * it up to the next checkpoint. They are links of the verified chain, so a signed checkpoint vouches for them.
 *
 * A chain is in the order its records were answered (the writer chains them as they are answered, each with the
 * time it was answered), not the order they were received: a slow exchange received before `from` can be chained
 * after records of the range. So the ends are judged by the answer time, the field that is ordered with the chain:
 * - the start is complete when the chain starts at genesis, or its first record was answered before `from`: every
 *   record before it was answered, and so received, before `from`;
 * - the end is complete when its last record was answered after `to`: every record after it was answered after.
 * What is proven, then: every exchange received from `from` on and answered by `to` is in the archive (one still
 * running at `to` is in it when answered before the archive's last record). Anything else — an archive cut at
 * either end, one written before boundaries were exported, a range still open when it was exported — is reported
 * as not proven, naming the chain and the end.
 *
 * The range itself is the exporter's claim: nothing in an archive is signed when it is exported (only the gateway
 * process signs, and its checkpoints are over records, not ranges). The verdict repeats it, so that the auditor
 * compares it with the range asked for; the sha256 registered at export binds the file as a whole.
 */
import { GENESIS_HASH, type MessageRecord } from './record.js';

export interface Completeness {
  readonly complete: boolean;
  /** The range the archive says it holds, as written in it: what `complete` is about. */
  readonly range?: { readonly from: string; readonly to: string };
  /** When the archive says it was exported. */
  readonly exportedAt?: string;
  /** Why it is not proven, per chain and end. */
  readonly problems: string[];
}

export function rangeCompleteness(
  records: readonly MessageRecord[],
  range: { readonly from: string; readonly to: string } | undefined,
  exportedAt?: string,
): Completeness {
  const claimed = {
    ...(range ? { range: { from: range.from, to: range.to } } : {}),
    ...(exportedAt === undefined ? {} : { exportedAt }),
  };
  const from = range ? Date.parse(range.from) : NaN;
  const to = range ? Date.parse(range.to) : NaN;
  if (Number.isNaN(from) || Number.isNaN(to))
    return { complete: false, ...claimed, problems: ['the archive names no valid range'] };
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
    if (!genesis && !(Number(first.answered_at) < from))
      problems.push(
        `${instance}: the start is not proven: no record before #${first.seq} (answered before ${range?.from}) is in the archive`,
      );
    if (!(Number(last.answered_at) > to))
      problems.push(
        `${instance}: the end is not proven: no record after #${last.seq} (answered after ${range?.to}) is in the archive`,
      );
  }
  return { complete: problems.length === 0, ...claimed, problems };
}
