/**
 * The offline verifier on archives built here, with no gateway: chains of records hashed as the gateway hashes
 * them and checkpoints signed with the sample gateway key. What it must hold against a hostile archive: its work
 * grows with the archive, not with its square.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { KeyCheckpointSigner } from '../../src/audit/checkpoint-signer.js';
import { verifyArchive } from '../../src/messagelog/archive.js';
import {
  GENESIS_HASH,
  checkpointData,
  recordHash,
  type MessageRecord,
  type RecordFields,
} from '../../src/messagelog/record.js';
import { retentionStarts, verifyChains, type Checkpoint } from '../../src/messagelog/verify.js';
import { recordFields } from './support.js';

const signer = new KeyCheckpointSigner(
  createPrivateKey(readFileSync('certs-sample/gateway.key.pem', 'utf8')),
  readFileSync('certs-sample/gateway.crt.pem', 'utf8'),
);

/** A chain's records #1..#n, each with the fields `fields(seq)` gives, linked and hashed. */
export function chainOf(
  instance: string,
  n: number,
  fields: (seq: number) => Partial<RecordFields> = () => ({}),
): MessageRecord[] {
  const records: MessageRecord[] = [];
  let previous = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const base = { ...recordFields(fields(seq)), instance_id: instance, seq, prev_hash: previous };
    previous = recordHash(base);
    records.push({ ...base, hash: previous });
  }
  return records;
}

/** A head checkpoint over `record`, signed with the sample gateway key. */
export function checkpointOver(record: MessageRecord, at = Number(record.answered_at)): Checkpoint {
  const signed = signer.sign(checkpointData(record.instance_id, Number(record.seq), record.hash, at, 'head'));
  return {
    instance_id: record.instance_id,
    seq: Number(record.seq),
    at,
    head_hash: record.hash,
    kind: 'head',
    algorithm: signed.algorithm,
    signature: signed.signature,
    certificate: signed.certificatePem,
    timestamp_token: null,
  };
}

/** `rows`, and how many of its elements have been read since. */
function counted<T>(rows: T[]): { rows: T[]; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(rows, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { rows: proxy, reads: () => reads };
}

/** Head checkpoints of `n` chains, none of whose records are there; unsigned: only their count matters. */
function orphanCheckpoints(n: number): Checkpoint[] {
  return Array.from({ length: n }, (_, i) => ({
    instance_id: `gw-${i}`,
    seq: 3,
    at: 0,
    head_hash: GENESIS_HASH,
    kind: i % 2 ? 'head' : 'cut',
    algorithm: 'x',
    signature: 'x',
    certificate: 'x',
    timestamp_token: null,
  }));
}

describe('the message-log verifier on a hostile archive', function () {
  this.timeout(30_000);

  it('reads each checkpoint a bounded number of times, however many chains they name', () => {
    for (const n of [1_000, 4_000]) {
      const records = Array.from({ length: 50 }, (_, i) => chainOf(`gw-${i * 2 + 1}`, 1)).flat();
      const { rows, reads } = counted(orphanCheckpoints(n));
      const verdict = verifyChains({ records, checkpoints: rows });
      expect(verdict.ok).to.equal(false);
      expect(reads(), `${n} checkpoints`).to.be.at.most(3 * n);
      const cuts = counted(orphanCheckpoints(n));
      const startOf = retentionStarts(cuts.rows);
      for (let i = 0; i < n; i++) startOf(`gw-${i}`);
      expect(cuts.reads(), `${n} checkpoints, each chain's start`).to.be.at.most(2 * n);
    }
  });

  it('an archive of 80,000 chains named by checkpoints alone is verified within seconds', () => {
    const archive = {
      format: 'smev-gateway-message-log-archive',
      version: 1,
      range: { from: new Date(0).toISOString(), to: new Date(1).toISOString() },
      records: [],
      checkpoints: orphanCheckpoints(80_000).map((c) => ({ ...c, kind: 'head' })),
    };
    const started = Date.now();
    const verdict = verifyArchive(archive);
    expect(verdict.ok).to.equal(false);
    expect(verdict.problems).to.have.length(80_000);
    // A hang bound, not a speed target (bench/ keeps those): the square of 80,000 takes minutes here.
    expect(Date.now() - started).to.be.below(15_000);
  });
});
