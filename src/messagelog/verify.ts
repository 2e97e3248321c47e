/**
 * Verifying message-log chains: pure functions over records and checkpoints, shared by `log verify` (from the
 * store) and `log verify-archive` (from a file, no database). The verdict names the first broken record.
 */
import { checkpointSignatureProblem } from '../audit/checkpoint-signer.js';
import type { CertificateCheck } from '../signature/pki/checkpoint-signers.js';
import type { MessageLogCheckpointTable } from '../store/schema.js';
import { GENESIS_HASH, checkpointData, recordHash, sha256Hex, type MessageRecord } from './record.js';

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
  readonly problems: string[];
  readonly perRecord: RecordVerdict[];
}

export type Checkpoint = MessageLogCheckpointTable;

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
  /** Extra per-record checks (e.g. the messages' own signatures in an archive). */
  readonly checkRecord?: (record: MessageRecord) => string[];
}

export function verifyChains(input: ChainInput): ChainVerdict {
  const problems: string[] = [];
  const perRecord: RecordVerdict[] = [];
  let firstBroken: ChainVerdict['firstBroken'];
  const blame = (instance: string, seq: number, problem: string) => {
    problems.push(`${instance} #${seq}: ${problem}`);
    firstBroken ??= { instance, seq, problem };
  };

  const byInstance = new Map<string, MessageRecord[]>();
  for (const record of input.records) {
    const list = byInstance.get(record.instance_id) ?? [];
    list.push(record);
    byInstance.set(record.instance_id, list);
  }
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
      if (
        record.request_xml !== null &&
        sha256Hex(Buffer.from(record.request_xml, 'utf8')) !== record.request_digest
      ) {
        own.push('the stored request does not match its digest');
      }
      if (
        record.answer_xml !== null &&
        sha256Hex(Buffer.from(record.answer_xml, 'utf8')) !== record.answer_digest
      ) {
        own.push('the stored answer does not match its digest');
      }
      own.push(...(input.checkRecord?.(record) ?? []));
      for (const problem of own) blame(instance, seq, problem);
      perRecord.push({ instance, seq, ok: own.length === 0, problems: own });
      hashes.set(seq, record.hash);
      previous = record.hash;
      expectedSeq = seq + 1;
    }
    const last = Number(records[records.length - 1]?.seq ?? 0);
    for (const checkpoint of input.checkpoints.filter((c) => c.instance_id === instance)) {
      const seq = Number(checkpoint.seq);
      const signed = checkpointSignatureProblem(
        checkpoint.algorithm,
        checkpoint.certificate,
        checkpointData(instance, seq, checkpoint.head_hash, Number(checkpoint.at), checkpoint.kind),
        checkpoint.signature,
      );
      if (signed) blame(instance, seq, `checkpoint: ${signed}`);
      if (input.checkpointSigners) {
        try {
          input.checkpointSigners.check(checkpoint.certificate, new Date(Number(checkpoint.at)));
        } catch (error) {
          blame(instance, seq, `checkpoint certificate is not accepted: ${(error as Error).message}`);
        }
      }
      if (checkpoint.kind === 'head' && hashes.has(seq) && hashes.get(seq) !== checkpoint.head_hash) {
        blame(
          instance,
          seq,
          'the signed checkpoint does not match the record at its position: records up to it were rewritten',
        );
      }
      if (checkpoint.kind === 'head' && seq > last && seq >= start.seq + 1 && !hashes.has(seq)) {
        blame(instance, last + 1, `the checkpoint at #${seq} covers records that are missing`);
      }
    }
  }
  return {
    ok: problems.length === 0,
    records: input.records.length,
    checkpoints: input.checkpoints.length,
    ...(firstBroken ? { firstBroken } : {}),
    problems,
    perRecord,
  };
}
