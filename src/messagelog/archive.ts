/**
 * Exporting the message log into one archive file and verifying it offline. The archive holds the records of a
 * time range with their bodies, every checkpoint of the instances concerned, and the trust material (CA
 * certificates and CRLs) needed to check the checkpoints and the messages' own signatures with no database —
 * and each chain's boundary records, so that the verifier can tell whether the range is complete (completeness.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { writePrivateFile } from '../core/private-file.js';
import { TrustStore } from '../signature/pki/trust-store.js';
import type { Store } from '../store/store.js';
import { rangeCompleteness, type Completeness } from './completeness.js';
import type { XmlLimits } from '../xml/guard.js';
import { messageSignatureProblems } from './message-signatures.js';
import type { MessageRecord } from './record.js';
import type { CertificateCheck } from '../signature/pki/checkpoint-signers.js';
import { isSealed, type BodySealer } from './sealing.js';
import {
  openBodies,
  verifyChains,
  type ChainVerdict,
  type Checkpoint,
  type TimestampCheck,
} from './verify.js';

export const ARCHIVE_FORMAT = 'smev-gateway-message-log-archive';

export interface Archive {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly version: 1;
  readonly exportedAt: string;
  readonly range: { readonly from: string; readonly to: string };
  readonly records: MessageRecord[];
  readonly checkpoints: Checkpoint[];
  /** Whether bodies in it are still sealed (the exporter did not hold the key): then they cannot be checked. */
  readonly sealed?: boolean;
  readonly trust: { readonly certificates: string[]; readonly crls: string[] };
}

export async function exportArchive(
  store: Store,
  range: { from: Date; to: Date },
  trust: { certificates: string[]; crls: string[] },
  file: string,
  /** With the key, bodies are written in plain text; without it they stay sealed and the archive says so. */
  sealer?: BodySealer,
  /** Told after each record is read into the archive: how many of how many. */
  onProgress?: (done: number, total: number) => void,
): Promise<{ records: number; checkpoints: number; sha256: string; sealed: boolean }> {
  const inRange = await store.db
    .selectFrom('message_log')
    .selectAll()
    .where('received_at', '>=', range.from.getTime())
    .where('received_at', '<=', range.to.getTime())
    .orderBy('instance_id')
    .orderBy('seq')
    .execute();
  const spanned = await wholeSpans(store, inRange);
  const records = [
    ...(await predecessors(store, spanned, range.from.getTime())),
    ...spanned,
    ...(await recordsUpToCover(store, spanned)),
  ];
  // The checkpoints that anchor the exported records: those signed at a record inside the range (a later one
  // covers records the archive does not hold), and the retention cut the range may start from.
  const spans = new Map<string, { first: number; last: number }>();
  for (const r of records) {
    const span = spans.get(r.instance_id) ?? { first: Number(r.seq), last: Number(r.seq) };
    spans.set(r.instance_id, {
      first: Math.min(span.first, Number(r.seq)),
      last: Math.max(span.last, Number(r.seq)),
    });
  }
  const instances = [...spans.keys()];
  const checkpoints = (
    instances.length
      ? await store.db
          .selectFrom('message_log_checkpoints')
          .selectAll()
          .where('instance_id', 'in', instances)
          .orderBy('seq')
          .execute()
      : []
  ).filter((c) => {
    const span = spans.get(c.instance_id);
    const seq = Number(c.seq);
    return (
      span !== undefined &&
      (c.kind === 'cut' ? seq === span.first - 1 : seq >= span.first && seq <= span.last)
    );
  });
  const problems: string[] = [];
  const opened = records.map((r, index) => {
    const record = sealer ? openBodies(numeric(r), sealer, problems) : numeric(r);
    onProgress?.(index + 1, records.length);
    return record;
  });
  if (problems.length) throw new Error(`the store's sealed bodies do not open: ${problems[0] ?? ''}`);
  const sealed = opened.some(
    (r) =>
      (r.request_xml !== null && isSealed(r.request_xml)) ||
      (r.answer_xml !== null && isSealed(r.answer_xml)),
  );
  const archive: Archive = {
    format: ARCHIVE_FORMAT,
    version: 1,
    exportedAt: new Date().toISOString(),
    range: { from: range.from.toISOString(), to: range.to.toISOString() },
    records: opened,
    checkpoints: checkpoints.map((c) => ({ ...c, seq: Number(c.seq), at: Number(c.at) })),
    sealed,
    trust,
  };
  const text = JSON.stringify(archive);
  // Bodies are written opened: the archive is as private as the store's sealed bodies.
  await writePrivateFile(file, (draft) => writeFile(draft, text));
  return {
    records: records.length,
    checkpoints: checkpoints.length,
    sha256: createHash('sha256').update(text).digest('hex'),
    sealed,
  };
}

/** Each chain's first and last seq among `records`. */
function seqSpans(records: readonly MessageRecord[]): Map<string, { first: number; last: number }> {
  const spans = new Map<string, { first: number; last: number }>();
  for (const r of records) {
    const span = spans.get(r.instance_id);
    const seq = Number(r.seq);
    spans.set(r.instance_id, {
      first: Math.min(span?.first ?? seq, seq),
      last: Math.max(span?.last ?? seq, seq),
    });
  }
  return spans;
}

/** A chain's records from seq `from` to `to`, both included, in order. */
function chainRecords(store: Store, instance: string, from: number, to: number): Promise<MessageRecord[]> {
  return store.db
    .selectFrom('message_log')
    .selectAll()
    .where('instance_id', '=', instance)
    .where('seq', '>=', from)
    .where('seq', '<=', to)
    .orderBy('seq')
    .execute();
}

/**
 * Every record of each chain from the range's first to its last, by seq: a record received before the range but
 * answered inside it (a slow exchange) sits between records of the range, and the chain must not break there.
 */
async function wholeSpans(store: Store, records: readonly MessageRecord[]): Promise<MessageRecord[]> {
  const all: MessageRecord[] = [];
  for (const [instance, { first, last }] of seqSpans(records))
    all.push(...(await chainRecords(store, instance, first, last)));
  return all;
}

/**
 * The records before each chain's first, without their bodies (their hashes cover the digests, not them), back to
 * one answered before `from`: a chain is in answer order, so that one shows where the range starts (no record
 * received in it lies before), and the chain through the archive's checkpoints vouches for it. Most often it is
 * the record just before; a slow exchange received before `from` but answered after it adds one more.
 */
async function predecessors(
  store: Store,
  records: readonly MessageRecord[],
  from: number,
): Promise<MessageRecord[]> {
  const found: MessageRecord[] = [];
  for (const [instance, { first }] of seqSpans(records)) {
    for (let seq = first - 1; seq >= 1; seq--) {
      const [before] = await chainRecords(store, instance, seq, seq);
      if (!before) break; // genesis, or a retention cut
      found.push({ ...before, request_xml: null, answer_xml: null });
      if (Number(before.answered_at) < from) break;
    }
  }
  return found;
}

/**
 * The records after a range's last one, per chain, up to the first checkpoint after it: without them the range's
 * tail would be covered by no checkpoint in the archive, and so unproven; and the first of them shows where the
 * range ends.
 */
async function recordsUpToCover(store: Store, records: readonly MessageRecord[]): Promise<MessageRecord[]> {
  const more: MessageRecord[] = [];
  for (const [instance, { last }] of seqSpans(records)) {
    const cover = await store.db
      .selectFrom('message_log_checkpoints')
      .select('seq')
      .where('instance_id', '=', instance)
      .where('kind', '=', 'head')
      .where('seq', '>', last)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (cover) more.push(...(await chainRecords(store, instance, last + 1, Number(cover.seq))));
  }
  return more;
}

/** Verify an archive file with no database and no network. */
export function verifyArchiveFile(
  file: string,
  checkpointSigners?: CertificateCheck,
  timestamps?: TimestampCheck,
  onProgress?: (done: number, total: number) => void,
  /** The writing gateway's `limits.*`, which its bodies were received within; the defaults when not given. */
  limits?: XmlLimits,
): ArchiveVerdict {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new Error(`${file} is not JSON, so no message-log archive: ${error.message}`);
  }
  return verifyArchive(value, checkpointSigners, timestamps, onProgress, limits);
}

/**
 * Verify an archive. The messages' signatures are checked against the CA certificates the archive carries; the
 * checkpoints, which anchor everything else, against `checkpointSigners` (the gateway's own certificates, from
 * outside the archive) when given, else against the carried CAs only, which a forger could have replaced too.
 */
export function verifyArchive(
  value: unknown,
  checkpointSigners?: CertificateCheck,
  /** The TSA's certificate (PEM), from outside the archive, and the grace: the checkpoints' tokens are checked. */
  timestamps?: TimestampCheck,
  /** Told after each record checked: how many of how many. */
  onProgress?: (done: number, total: number) => void,
  /** What each body is read within (xml/guard.ts): the writing gateway's `limits.*`, or the defaults. */
  limits?: XmlLimits,
): ArchiveVerdict {
  const archive = readArchive(value);
  const trust = TrustStore.fromPem(archive.trust?.certificates ?? [], archive.trust?.crls ?? []);
  const verdict = verifyChains({
    records: archive.records,
    checkpoints: archive.checkpoints,
    checkpointSigners: checkpointSigners ?? trust,
    ...(timestamps ? { timestamps } : {}),
    // An archive starts mid-chain: its first record's link is taken as given, and checkpoints anchor the rest.
    startOf: (_instance, first) => ({ seq: Number(first.seq) - 1, hash: first.prev_hash }),
    ...(archive.sealed === false ? { plainBodies: true } : {}),
    checkRecord: (record) => messageSignatureProblems(record, trust, limits),
    ...(onProgress ? { onProgress } : {}),
  });
  // Complete only as far as the chain is intact: the boundary records prove something only through it.
  const completeness = verdict.ok
    ? rangeCompleteness(archive.records, archive.range, archive.exportedAt)
    : {
        complete: false,
        ...(archive.range ? { range: archive.range } : {}),
        ...(archive.exportedAt === undefined ? {} : { exportedAt: archive.exportedAt }),
        problems: ['the archive is not intact'],
      };
  return { ...verdict, completeness };
}

/** An archive's verdict: its chains' integrity, and whether it holds the whole range it claims. */
export interface ArchiveVerdict extends ChainVerdict {
  readonly completeness: Completeness;
}

/**
 * A whole number as the archive writes it, or as a string of digits (PostgreSQL's bigints); either way within the
 * range a number holds exactly, so that two different sequence numbers never read as one.
 */
const count = z
  .union([
    z.number().int(),
    z
      .string()
      .regex(/^-?\d{1,20}$/)
      .transform(Number),
  ])
  .refine(Number.isSafeInteger, 'a whole number beyond 2^53, which no record or time can be');
const text = z.string();
/** A nullable field; an archive written before the field existed has none. */
const optionalText = z.string().nullable().default(null);

const RecordShape = z.object({
  instance_id: text,
  seq: count,
  request_id: text,
  operation: text,
  message_id: optionalText,
  answer_message_id: optionalText,
  reference_message_id: optionalText,
  sender: optionalText,
  recipient: optionalText,
  message_type: optionalText,
  received_at: count,
  answered_at: count,
  duration_us: count,
  http_status: count,
  fault_code: optionalText,
  certificate: optionalText,
  verification: text,
  request_digest: text,
  answer_digest: text,
  request_bytes: count.nullable().default(null),
  request_xml: optionalText,
  answer_xml: optionalText,
  prev_hash: text,
  hash: text,
});

const CheckpointShape = z.object({
  instance_id: text,
  seq: count,
  at: count,
  head_hash: text,
  kind: z.enum(['head', 'cut']),
  algorithm: text,
  signature: text,
  certificate: text,
  timestamp_token: optionalText,
});

const ArchiveShape = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  version: z.literal(1),
  exportedAt: text.optional(),
  range: z.object({ from: text, to: text }).optional(),
  records: z.array(RecordShape),
  checkpoints: z.array(CheckpointShape),
  sealed: z.boolean().optional(),
  trust: z.object({ certificates: z.array(text).default([]), crls: z.array(text).default([]) }).optional(),
});

/**
 * The archive's shape checked before anything reads it: an archive comes from elsewhere, and a record that is no
 * object or a body that is no string must be named as such, not crash the verifier halfway.
 */
function readArchive(value: unknown): z.infer<typeof ArchiveShape> {
  const head = value as { format?: unknown; version?: unknown } | null;
  if (typeof head !== 'object' || head?.format !== ARCHIVE_FORMAT || head.version !== 1) {
    throw new Error('not a smev-gateway message-log archive (version 1)');
  }
  const parsed = ArchiveShape.safeParse(value);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const where = issue?.path.join('.') || 'the archive';
  throw new Error(`the archive is malformed: ${where}: ${issue?.message ?? 'unexpected shape'}`);
}

function numeric(record: MessageRecord): MessageRecord {
  return {
    ...record,
    seq: Number(record.seq),
    received_at: Number(record.received_at),
    answered_at: Number(record.answered_at),
    duration_us: Number(record.duration_us),
    http_status: Number(record.http_status),
  };
}
