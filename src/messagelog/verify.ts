/**
 * Verifying message-log chains: pure functions over records and checkpoints, shared by `log verify` (from the
 * store) and `log verify-archive` (from a file, no database). The verdict names the first broken record.
 */
import { checkpointSignatureProblem } from '../audit/checkpoint-signer.js';
import type { CertificateCheck } from '../signature/pki/checkpoint-signers.js';
import type { MessageLogCheckpointTable } from '../store/schema.js';
import { isSealed, type BodySealer } from './sealing.js';
import { verifyTimestampToken } from '../timestamp/rfc3161.js';
import {
  GENESIS_HASH,
  checkpointData,
  recordHash,
  bodyMatchesDigest,
  timestampedData,
  type MessageRecord,
} from './record.js';

export interface RecordVerdict {
  readonly instance: string;
  readonly seq: number;
  readonly ok: boolean;
  readonly problems: string[];
}

export interface ChainVerdict {
  readonly ok: boolean;
  readonly records: number;
  readonly checkpoints: number;
  readonly firstBroken?: { instance: string; seq: number; problem: string };
  /** Records no trusted checkpoint covers: intact as far as anyone can tell, but not proven. */
  readonly unproven: { instance: string; from: number; to: number }[];
  readonly problems: string[];
  readonly perRecord: RecordVerdict[];
  /**
   * Records whose bodies were not checked against their digests: `absent` without one or both bodies (left out by
   * the body policy, or removed: the record does not say which), `unchecked` with a sealed body and no key.
   */
  readonly bodies: { readonly absent: number; readonly unchecked: number };
}

export type Checkpoint = MessageLogCheckpointTable;

/**
 * Whether the only thing wrong is records no trusted checkpoint covers (one problem for each unproven range).
 * Read from the verdict's structure, never from problem text: that text quotes instance ids and other stored
 * values, which whoever edits the store chooses.
 */
export function onlyUnproven(verdict: ChainVerdict): boolean {
  return !verdict.ok && verdict.problems.length === verdict.unproven.length;
}

export interface ChainInput {
  readonly records: readonly MessageRecord[];
  readonly checkpoints: readonly Checkpoint[];
  /** Who may sign checkpoints (see signature/pki/checkpoint-signers.ts); absent: signatures only. */
  readonly checkpointSigners?: CertificateCheck;
  /**
   * Where each instance's records start: the seq before the first record and its hash. From the store this is
   * a retention cut (or genesis); in an archive, the first record's own prev_hash, anchored by a checkpoint.
   */
  readonly startOf?: (instance: string, first: MessageRecord) => { seq: number; hash: string } | undefined;
  /**
   * How checkpoints' RFC 3161 tokens are checked: only a checkpoint whose token holds, made within the grace
   * period of the checkpoint, proves the records it covers. Absent: tokens unchecked, and signed checkpoints prove.
   */
  readonly timestamps?: TimestampCheck;
  /** Opens sealed bodies, to check them against their digests; without it sealed bodies are left unchecked. */
  readonly sealer?: BodySealer;
  /**
   * Bodies are in plain text (an archive that says `"sealed": false`): a body in sealed form is then no body of
   * the exchange but text put in its place, which would otherwise be left unchecked as if no key were at hand.
   */
  readonly plainBodies?: boolean;
  /** Extra per-record checks (e.g. the messages' own signatures in an archive), on the opened bodies. */
  readonly checkRecord?: (record: MessageRecord) => string[];
  /** Told after each record: how many are checked of how many (a terminal shows it; see cli/progress.ts). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What the checkpoints' time-stamps are checked with. */
export interface TimestampCheck {
  /** The TSA's certificate (PEM), from outside what is verified. */
  readonly tsaCertificate: string;
  /**
   * How late a token may be made after its checkpoint: the writing gateway's `timestamping.graceSeconds`, the
   * time it goes on without a token before it refuses exchanges.
   */
  readonly graceMs: number;
}

export function verifyChains(input: ChainInput): ChainVerdict {
  const problems: string[] = [];
  const perRecord: RecordVerdict[] = [];
  const unproven: ChainVerdict['unproven'] = [];
  let firstBroken: ChainVerdict['firstBroken'];
  const blame = (instance: string, seq: number, problem: string) => {
    problems.push(`${instance} #${seq}: ${problem}`);
    firstBroken ??= { instance, seq, problem };
  };

  let checked = 0;
  const bodies = { absent: 0, unchecked: 0 };
  const byInstance = groupBy(input.records);
  // Grouped once: an archive may carry any number of chains, and a pass over every checkpoint per chain (or per
  // checkpoint) would make the verifier's time grow with their square.
  const checkpointsOf = groupBy(input.checkpoints);
  for (const [instance, records] of byInstance) {
    records.sort((a, b) => Number(a.seq) - Number(b.seq));
    const first = records[0] as MessageRecord;
    const start = input.startOf?.(instance, first) ?? { seq: 0, hash: GENESIS_HASH };
    let expectedSeq = start.seq + 1;
    let previous = start.hash;
    const hashes = new Map<number, string>();
    for (const record of records) {
      const seq = Number(record.seq);
      const own: string[] = [];
      if (seq !== expectedSeq)
        own.push(
          seq > expectedSeq
            ? `records ${expectedSeq}..${seq - 1} are missing`
            : `record out of order (expected #${expectedSeq})`,
        );
      if (record.prev_hash !== previous) own.push('its link to the previous record is broken');
      if (recordHash(record) !== record.hash) own.push('its fields do not match its hash');
      const stored = [record.request_xml, record.answer_xml];
      if (stored.includes(null)) bodies.absent++;
      const sealed = stored.filter((body) => body !== null && isSealed(body)).length;
      if (input.plainBodies && sealed > 0)
        own.push('a body is in sealed form in an archive whose bodies are in plain text');
      else if (sealed > 0 && !input.sealer) bodies.unchecked++;
      const opened = openBodies(record, input.plainBodies ? undefined : input.sealer, own);
      // A body that does not match its digest is broken already: the further checks read only those that do.
      const matching = (body: string | null, digest: string, which: string): string | null => {
        if (bodyMatchesDigest(body, digest)) return body;
        own.push(`the stored ${which} does not match its digest`);
        return null;
      };
      const intact = {
        ...opened,
        request_xml: matching(opened.request_xml, record.request_digest, 'request'),
        answer_xml: matching(opened.answer_xml, record.answer_digest, 'answer'),
      };
      own.push(...(input.checkRecord?.(intact) ?? []));
      for (const problem of own) blame(instance, seq, problem);
      perRecord.push({ instance, seq, ok: own.length === 0, problems: own });
      input.onProgress?.(++checked, input.records.length);
      hashes.set(seq, record.hash);
      previous = record.hash;
      expectedSeq = seq + 1;
    }
    const last = Number(records[records.length - 1]?.seq ?? 0);
    let covered = start.seq;
    for (const checkpoint of checkpointsOf.get(instance) ?? []) {
      const seq = Number(checkpoint.seq);
      const trusted = checkpointTrusted(checkpoint, input.checkpointSigners, (problem) =>
        blame(instance, seq, problem),
      );
      const stamp = timeStamp(checkpoint, input.timestamps);
      if (stamp.problem) blame(instance, seq, stamp.problem);
      if (checkpoint.kind !== 'head') continue;
      if (hashes.has(seq) && hashes.get(seq) !== checkpoint.head_hash) {
        blame(
          instance,
          seq,
          'the signed checkpoint does not match the record at its position: records up to it were rewritten',
        );
      } else if (hashes.has(seq) && trusted && stamp.proves) covered = Math.max(covered, seq);
      if (seq > last && seq >= start.seq + 1 && !hashes.has(seq)) {
        blame(instance, last + 1, `the checkpoint at #${seq} covers records that are missing`);
      }
    }
    if (last > covered) {
      unproven.push({ instance, from: covered + 1, to: last });
      blame(
        instance,
        covered + 1,
        `records ${covered + 1}..${last} are not covered by a trusted checkpoint: unproven`,
      );
    }
  }
  // A chain whose records are all gone while a checkpoint still names them: deleted, not pruned.
  for (const [instance, checkpoints] of checkpointsOf) {
    if (byInstance.has(instance)) continue;
    const cut = checkpoints
      .filter((c) => c.kind === 'cut')
      .reduce((max, c) => Math.max(max, Number(c.seq)), 0);
    for (const checkpoint of checkpoints) {
      if (checkpoint.kind !== 'head' || Number(checkpoint.seq) <= cut) continue;
      blame(
        instance,
        cut + 1,
        `records ${cut + 1}..${Number(checkpoint.seq)} are missing (a checkpoint names them)`,
      );
    }
  }
  return {
    ok: problems.length === 0,
    records: input.records.length,
    checkpoints: input.checkpoints.length,
    ...(firstBroken ? { firstBroken } : {}),
    unproven,
    problems,
    perRecord,
    bodies,
  };
}

/** Rows by their chain, each chain's in the order given. */
export function groupBy<T extends { readonly instance_id: string }>(rows: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.instance_id);
    if (group) group.push(row);
    else groups.set(row.instance_id, [row]);
  }
  return groups;
}

/**
 * Where each chain of the store starts: its last retention cut (checkpoints in seq order), or genesis when it has
 * none. Found in one pass over the checkpoints, not one per chain.
 */
export function retentionStarts(
  checkpoints: readonly Checkpoint[],
): (instance: string) => { seq: number; hash: string } | undefined {
  const cuts = new Map<string, { seq: number; hash: string }>();
  for (const c of checkpoints)
    if (c.kind === 'cut') cuts.set(c.instance_id, { seq: Number(c.seq), hash: c.head_hash });
  return (instance) => cuts.get(instance);
}

/** Whether a checkpoint's signature holds and its signer is accepted; each reason against it goes to `blame`. */
function checkpointTrusted(
  checkpoint: Checkpoint,
  signers: CertificateCheck | undefined,
  blame: (problem: string) => void,
): boolean {
  const seq = Number(checkpoint.seq);
  const signed = checkpointSignatureProblem(
    checkpoint.algorithm,
    checkpoint.certificate,
    checkpointData(checkpoint.instance_id, seq, checkpoint.head_hash, Number(checkpoint.at), checkpoint.kind),
    checkpoint.signature,
  );
  if (signed) {
    blame(`checkpoint: ${signed}`);
    return false;
  }
  if (!signers) return true;
  try {
    signers.check(checkpoint.certificate, new Date(Number(checkpoint.at)));
    return true;
  } catch (error) {
    blame(`checkpoint certificate is not accepted: ${(error as Error).message}`);
    return false;
  }
}

/**
 * The record with its bodies in plain text: sealed ones opened with the key, or left out (null) when there is no
 * key to open them. A sealed body that does not open is a problem of the record.
 */
export function openBodies(
  record: MessageRecord,
  sealer: BodySealer | undefined,
  problems: string[],
): MessageRecord {
  const open = (stored: string | null, which: string): string | null => {
    if (stored === null || !isSealed(stored)) return stored;
    if (!sealer) return null;
    try {
      return sealer.open(stored, record.instance_id, Number(record.seq));
    } catch (error) {
      problems.push(`the stored ${which}: ${(error as Error).message}`);
      return null;
    }
  };
  return {
    ...record,
    request_xml: open(record.request_xml, 'request'),
    answer_xml: open(record.answer_xml, 'answer'),
  };
}

/** How far a checkpoint's own time may lie after the TSA's: clocks differ a little, never by minutes. */
const TIMESTAMP_SKEW_MS = 60_000;

/**
 * A checkpoint's RFC 3161 token, when a TSA certificate is given: what is wrong with it (a token that does not
 * verify, or one made before its checkpoint), and whether it proves the checkpoint's time. A token missing (the
 * TSA was unreachable, or it was stripped) or made later than the grace period after the checkpoint (a history
 * re-signed with past times and stamped now) proves nothing: the records are proven by a later checkpoint, or not
 * at all. Without a TSA certificate every checkpoint proves by its signature alone.
 */
function timeStamp(
  checkpoint: Checkpoint,
  timestamps: TimestampCheck | undefined,
): { problem?: string; proves: boolean } {
  if (timestamps === undefined) return { proves: true };
  const { tsaCertificate, graceMs } = timestamps;
  const token = checkpoint.timestamp_token ?? null;
  if (token === null) return { proves: false };
  const signed = checkpointData(
    checkpoint.instance_id,
    Number(checkpoint.seq),
    checkpoint.head_hash,
    Number(checkpoint.at),
    checkpoint.kind,
  );
  try {
    const { genTime } = verifyTimestampToken(
      Buffer.from(token, 'base64'),
      timestampedData(signed, checkpoint.signature),
      tsaCertificate,
    );
    const at = Number(checkpoint.at);
    if (at > genTime.getTime() + TIMESTAMP_SKEW_MS)
      return {
        problem: `checkpoint time-stamp: the TSA's time ${genTime.toISOString()} is before the checkpoint's`,
        proves: false,
      };
    return { proves: genTime.getTime() <= at + graceMs + TIMESTAMP_SKEW_MS };
  } catch (error) {
    return { problem: `checkpoint time-stamp: ${(error as Error).message}`, proves: false };
  }
}
