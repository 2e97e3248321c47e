/**
 * Verifying an audit trail: the chain walk shared by `AuditTrail.verify` (over the database) and
 * `verifyAuditExport` (over an exported file, with no database at all).
 *
 * What the walk finds and where it puts the blame (the seq named in `firstBroken`):
 * - an entry whose stored hash is not the hash of its columns (edited row, or a row moved to another seq) → it;
 * - a seq missing from 1..head (deleted row) → the missing seq;
 * - an entry whose prev_hash is not the previous entry's hash (the previous entry was rewritten and its hash
 *   recomputed) → the previous entry;
 * - a checkpoint whose head hash is not the hash of the entry at its seq (entries up to it rewritten with
 *   recomputed hashes), whose signature does not verify, or whose certificate is not trusted → its seq;
 * - a head row that disagrees with the last entry → the first seq in doubt.
 * - entries after the last trusted checkpoint → the first of them, as unproven: rewriting them with their hashes
 *   recomputed could not be told from the original, so they prove nothing until the gateway signs over them.
 */
import type { CertificateCheck } from '../signature/pki/checkpoint-signers.js';
import {
  GENESIS_HASH,
  checkpointData,
  entryHash,
  type AuditCheckpointRow,
  type AuditEntryRow,
} from './canonical.js';
import { checkpointSignatureProblem } from './checkpoint-signer.js';

export interface AuditVerdict {
  ok: boolean;
  /** Entries walked. */
  entries: number;
  /** Checkpoints checked. */
  checkpoints: number;
  /** The lowest seq at which something is wrong, and what. */
  firstBroken?: { seq: number; problem: string };
  /** Every problem found, in seq order (at most MAX_PROBLEMS, then a count of the rest). */
  problems: string[];
  /** Entries after the last trusted checkpoint: intact as far as anyone can tell, but not proven. */
  unproven?: { from: number; to: number };
  /**
   * An export's end, when it is intact: the last entry, which its last checkpoint signed, and when. Nothing in a
   * file proves that no entry came after it (entries cut from the end with their checkpoints leave an intact
   * trail), so the verdict says how far the file is proven and when it was exported; a later export, or the
   * sha256 an earlier one was registered under, tells more.
   */
  provenThrough?: { seq: number; signedAt: string; exportedAt?: string };
}

export const AUDIT_EXPORT_FORMAT = 'smev-gateway-audit-export';
export const AUDIT_EXPORT_VERSION = 1;

/** The exported file. Entries and checkpoints carry every column under its column name. */
export interface AuditExport {
  format: typeof AUDIT_EXPORT_FORMAT;
  version: typeof AUDIT_EXPORT_VERSION;
  exportedAt: string;
  head: { seq: number; hash: string };
  entries: AuditEntryRow[];
  checkpoints: AuditCheckpointRow[];
}

const MAX_PROBLEMS = 100;

const short = (hash: string): string => `${hash.slice(0, 12)}…`;

/** Feeds entries in seq order, then `finish`. */
export class ChainWalk {
  /** `weak`: a tail left unproven, named after every concrete problem so that firstBroken is the real one. */
  private readonly found: { seq: number; problem: string; order: number; weak?: boolean }[] = [];
  private readonly pending = new Map<number, AuditCheckpointRow>();
  private expected = 1;
  private prevHash = GENESIS_HASH;
  private count = 0;
  private lastGoodCheckpoint = 0;
  /** Checkpoints whose signature or signer failed: they prove nothing. */
  private readonly untrusted = new Set<number>();
  /** The previous entry failed its own hash check (already blamed, so a broken link to it adds nothing). */
  private prevBroken = false;

  constructor(
    private readonly checkpoints: readonly AuditCheckpointRow[],
    trust?: CertificateCheck,
  ) {
    for (const cp of checkpoints) {
      this.pending.set(cp.seq, cp);
      const bad = checkpointSignatureProblem(
        cp.algorithm,
        cp.certificate,
        checkpointData(cp.seq, cp.head_hash, cp.at),
        cp.signature,
      );
      if (bad) {
        this.untrusted.add(cp.seq);
        this.problem(cp.seq, `checkpoint ${cp.seq} is forged or damaged: ${bad}`);
      } else if (trust) {
        try {
          trust.check(cp.certificate, new Date(cp.at));
        } catch (error) {
          this.untrusted.add(cp.seq);
          this.problem(
            cp.seq,
            `checkpoint ${cp.seq} is signed by an untrusted certificate: ${(error as Error).message}`,
          );
        }
      }
    }
  }

  problem(seq: number, problem: string, weak = false): void {
    this.found.push({ seq, problem, order: this.found.length, ...(weak ? { weak } : {}) });
  }

  /** The seq of the last entry walked (0 before any). */
  get lastSeq(): number {
    return this.expected - 1;
  }

  entry(row: AuditEntryRow): void {
    this.count++;
    if (row.seq < this.expected) {
      this.problem(
        row.seq,
        `entry ${row.seq} is duplicated or out of order (after entry ${this.expected - 1})`,
      );
      return;
    }
    const gap = row.seq > this.expected;
    if (gap) {
      this.problem(
        this.expected,
        row.seq === this.expected + 1
          ? `entry ${this.expected} is missing`
          : `entries ${this.expected}..${row.seq - 1} are missing`,
      );
    }
    const broken = entryHash(row) !== row.hash;
    if (broken) {
      this.problem(row.seq, `entry ${row.seq} does not match its hash: its contents or its seq were changed`);
    } else if (!gap && !this.prevBroken && row.prev_hash !== this.prevHash) {
      const before = row.seq - 1;
      this.problem(
        before,
        before === 0
          ? `entry 1 does not start the chain (prev_hash is not zeros)`
          : `entry ${before} was rewritten: its hash ${short(this.prevHash)} is not the ${short(row.prev_hash)} entry ${row.seq} recorded`,
      );
    }
    const cp = this.pending.get(row.seq);
    if (cp) {
      this.pending.delete(row.seq);
      if (cp.head_hash !== row.hash) {
        this.problem(
          row.seq,
          `checkpoint ${cp.seq} signed head hash ${short(cp.head_hash)} but entry ${row.seq} has ${short(row.hash)}: ` +
            `entries ${this.lastGoodCheckpoint + 1}..${row.seq} were rewritten after it was signed (or the checkpoint was)`,
        );
      } else if (!this.untrusted.has(cp.seq)) this.lastGoodCheckpoint = row.seq;
    }
    this.prevHash = row.hash;
    this.prevBroken = broken;
    this.expected = row.seq + 1;
  }

  /** Compares the head with the last entry walked and reports checkpoints that name no entry. */
  finish(head: { seq: number; hash: string } | undefined): AuditVerdict {
    for (const cp of this.pending.values()) {
      this.problem(cp.seq, `checkpoint ${cp.seq} names entry ${cp.seq}, which is missing`);
    }
    this.pending.clear();
    const last = this.lastSeq;
    if (head === undefined) this.problem(last + 1, 'the head row is missing');
    else if (head.seq > last) {
      this.problem(
        last + 1,
        head.seq === last + 1
          ? `entry ${head.seq} is missing (the head names it; the trail ends at ${last})`
          : `entries ${last + 1}..${head.seq} are missing (the head names ${head.seq}; the trail ends at ${last})`,
      );
    } else if (head.seq < last) {
      this.problem(head.seq + 1, `entries ${head.seq + 1}..${last} lie beyond the head (${head.seq})`);
    } else if (head.hash !== this.prevHash) {
      this.problem(last, `the head hash ${short(head.hash)} is not the hash of entry ${last}`);
    }
    // Entries after the last trusted checkpoint could have been rewritten with their hashes recomputed.
    const unproven =
      last > this.lastGoodCheckpoint ? { from: this.lastGoodCheckpoint + 1, to: last } : undefined;
    if (unproven) {
      const { from } = unproven;
      this.problem(
        from,
        `entries ${from}..${last} are not covered by a trusted checkpoint: unproven (the gateway signs one within seconds)`,
        true,
      );
    }
    const sorted = [...this.found].sort(
      (a, b) => Number(a.weak ?? false) - Number(b.weak ?? false) || a.seq - b.seq || a.order - b.order,
    );
    const problems = sorted.slice(0, MAX_PROBLEMS).map((p) => p.problem);
    if (sorted.length > MAX_PROBLEMS) problems.push(`… and ${sorted.length - MAX_PROBLEMS} more problems`);
    const first = sorted[0];
    return {
      ok: sorted.length === 0,
      entries: this.count,
      checkpoints: this.checkpoints.length,
      ...(first ? { firstBroken: { seq: first.seq, problem: first.problem } } : {}),
      problems,
      ...(unproven ? { unproven } : {}),
    };
  }
}

/**
 * Whether the only thing wrong is the unproven tail. Read from the verdict's structure, never from problem text:
 * that text quotes what the store holds (a checkpoint's algorithm, say), which whoever edits the store chooses.
 */
export function onlyUnproven(verdict: AuditVerdict): boolean {
  return !verdict.ok && verdict.unproven !== undefined && verdict.problems.length === 1;
}

// ---- the exported file, checked with no database ----

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isText = (v: unknown): v is string => typeof v === 'string';
const isNullableText = (v: unknown): v is string | null => v === null || typeof v === 'string';

function asEntry(v: unknown): AuditEntryRow | undefined {
  if (!isObject(v)) return undefined;
  const ok =
    isSeq(v.seq) &&
    isSeq(v.at) &&
    isText(v.actor) &&
    isText(v.role) &&
    isText(v.action) &&
    isText(v.subject_type) &&
    isText(v.subject_id) &&
    isNullableText(v.before_json) &&
    isNullableText(v.after_json) &&
    isText(v.prev_hash) &&
    isText(v.hash);
  return ok ? (v as unknown as AuditEntryRow) : undefined;
}

function asCheckpoint(v: unknown): AuditCheckpointRow | undefined {
  if (!isObject(v)) return undefined;
  const ok =
    isSeq(v.seq) &&
    isSeq(v.at) &&
    isText(v.head_hash) &&
    isText(v.algorithm) &&
    isText(v.signature) &&
    isText(v.certificate);
  return ok ? (v as unknown as AuditCheckpointRow) : undefined;
}

const refused = (problem: string): AuditVerdict => ({
  ok: false,
  entries: 0,
  checkpoints: 0,
  problems: [problem],
});

/**
 * Checks an exported trail (the parsed JSON of `AuditTrail.export`) with no database: the same walk and the same
 * verdict as `AuditTrail.verify`. With a trust store, checkpoint certificates must chain to it.
 */
export function verifyAuditExport(json: unknown, trust?: CertificateCheck): AuditVerdict {
  if (!isObject(json) || json.format !== AUDIT_EXPORT_FORMAT)
    return refused(`not an audit export (format is not ${AUDIT_EXPORT_FORMAT})`);
  if (json.version !== AUDIT_EXPORT_VERSION)
    return refused(`unsupported audit export version ${String(json.version)}`);
  if (!Array.isArray(json.entries) || !Array.isArray(json.checkpoints))
    return refused('the export lacks entries or checkpoints');
  const head =
    isObject(json.head) && isSeq(json.head.seq) && isText(json.head.hash)
      ? { seq: json.head.seq, hash: json.head.hash }
      : undefined;

  const checkpoints: AuditCheckpointRow[] = [];
  const malformed: { seq: number; problem: string }[] = [];
  json.checkpoints.forEach((raw: unknown, i: number) => {
    const cp = asCheckpoint(raw);
    if (cp) checkpoints.push(cp);
    else malformed.push({ seq: seqOf(raw, 0), problem: `checkpoint #${i + 1} in the file is malformed` });
  });
  const walk = new ChainWalk(checkpoints, trust);
  for (const m of malformed) walk.problem(m.seq, m.problem);
  json.entries.forEach((raw: unknown, i: number) => {
    const entry = asEntry(raw);
    if (entry) walk.entry(entry);
    else walk.problem(seqOf(raw, walk.lastSeq + 1), `entry #${i + 1} in the file is malformed`);
  });
  const verdict = walk.finish(head);
  const last = checkpoints.reduce<AuditCheckpointRow | undefined>(
    (a, c) => (a && a.seq > c.seq ? a : c),
    undefined,
  );
  if (!verdict.ok || last === undefined) return verdict;
  const exportedAt = isText(json.exportedAt) ? { exportedAt: json.exportedAt } : {};
  return {
    ...verdict,
    provenThrough: { seq: last.seq, signedAt: new Date(last.at).toISOString(), ...exportedAt },
  };
}

function seqOf(raw: unknown, fallback: number): number {
  return isObject(raw) && isSeq(raw.seq) ? raw.seq : fallback;
}
