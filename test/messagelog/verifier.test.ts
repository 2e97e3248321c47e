/**
 * The offline verifier on archives built here, with no gateway: chains of records hashed as the gateway hashes
 * them and checkpoints signed with the sample gateway key. What it must hold against a hostile archive: its work
 * grows with the archive, not with its square; it says which range it proved complete, judges the ends by the
 * order of the chain (answer times), and exits apart when an intact archive does not prove its range.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { KeyCheckpointSigner } from '../../src/audit/checkpoint-signer.js';
import { verifyArchive } from '../../src/messagelog/archive.js';
import {
  GENESIS_HASH,
  checkpointData,
  recordHash,
  sha256Hex,
  type MessageRecord,
  type RecordFields,
} from '../../src/messagelog/record.js';
import { retentionStarts, verifyChains, type Checkpoint } from '../../src/messagelog/verify.js';
import { checkpointSigners } from '../../src/signature/pki/checkpoint-signers.js';
import { TrustStore } from '../../src/signature/pki/trust-store.js';
import { cli, recordFields } from './support.js';

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

const signers = checkpointSigners(
  TrustStore.fromPem(
    [readFileSync('certs-sample/ca.crt.pem', 'utf8')],
    [readFileSync('certs-sample/ca.crl.pem', 'utf8')],
  ),
  [readFileSync('certs-sample/gateway.crt.pem', 'utf8')],
);

/** An archive of `records` and `checkpoints` claiming the range `from`..`to` (ms). */
function archiveOf(records: MessageRecord[], checkpoints: Checkpoint[], from: number, to: number) {
  return {
    format: 'smev-gateway-message-log-archive',
    version: 1,
    exportedAt: new Date(to + 60_000).toISOString(),
    range: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    records,
    checkpoints,
    sealed: false,
    trust: { certificates: [], crls: [] },
  };
}

describe('what an archive proves about its range', function () {
  this.timeout(60_000);
  const base = Date.now() - 3_600_000;
  const [from, to] = [base + 1_000, base + 2_000];
  // Received and answered (ms after base): #3 was received before the range but answered inside it, after #2.
  const times: Record<number, [number, number]> = {
    1: [500, 510],
    2: [1_100, 1_110],
    3: [900, 1_200],
    4: [1_300, 1_310],
    5: [2_500, 2_510],
  };
  const chain = chainOf('gw', 5, (seq) => ({
    received_at: base + times[seq]![0],
    answered_at: base + times[seq]![1],
  }));
  const seqs = (a: number, b: number) => chain.filter((r) => r.seq >= a && r.seq <= b);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'smev-verifier-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const cliOn = (archive: unknown, ...args: string[]) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(archive));
    return cli(['log', 'verify-archive', '--quiet', ...args, file]);
  };

  it('an archive whose whole range is proven says which range that is, in text and JSON, and exits 0', () => {
    const whole = archiveOf(chain, [checkpointOver(chain[1]!), checkpointOver(chain[4]!)], from, to);
    const verdict = verifyArchive(whole, signers);
    expect(verdict.problems).to.deep.equal([]);
    expect(verdict.completeness).to.deep.equal({
      complete: true,
      range: whole.range,
      exportedAt: whole.exportedAt,
      problems: [],
    });
    const run = cliOn(whole);
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.contain(
      `verdict: intact\ncomplete: yes\nrange: from ${whole.range.from} to ${whole.range.to}, exported ${whole.exportedAt} (as the archive states it)\n`,
    );
    const json = JSON.parse(cliOn(whole, '--json').stdout) as { completeness: { range: unknown } };
    expect(json.completeness.range).to.deep.equal(whole.range);
  });

  it('the start is judged by answer time: a slow record received before the range but chained after records of it proves nothing', () => {
    // #1 and #2 cut with the checkpoint over them: #3, received before `from`, was answered after #2 inside the range.
    const cut = archiveOf(seqs(3, 5), [checkpointOver(chain[4]!)], from, to);
    const verdict = verifyArchive(cut, signers);
    expect(verdict.ok, verdict.problems.join('\n')).to.equal(true);
    expect(verdict.completeness.complete).to.equal(false);
    expect(verdict.completeness.problems).to.deep.equal([
      `gw: the start is not proven: no record before #3 (answered before ${cut.range.from}) is in the archive`,
    ]);
    const run = cliOn(cut);
    expect(run.status, run.stdout + run.stderr).to.equal(3);
    expect(run.stdout).to.match(/^verdict: intact\ncomplete: NOT PROVEN\n/m);
  });

  it('the end is judged by answer time too: a last record answered by `to` proves nothing after it', () => {
    const cut = archiveOf(seqs(1, 4), [checkpointOver(chain[3]!)], from, base + 1_310);
    const verdict = verifyArchive(cut, signers);
    expect(verdict.completeness.problems).to.deep.equal([
      `gw: the end is not proven: no record after #4 (answered after ${cut.range.to}) is in the archive`,
    ]);
  });

  it('an archive emptied of its records is intact, and exits apart (3), its range not proven', () => {
    const empty = archiveOf([], [], from, to);
    const verdict = verifyArchive(empty, signers);
    expect(verdict.ok).to.equal(true);
    expect(verdict.completeness.complete).to.equal(false);
    const run = cliOn(empty);
    expect(run.status, run.stdout + run.stderr).to.equal(3);
    expect(run.stdout).to.contain('verdict: intact\ncomplete: NOT PROVEN\n');
    expect(run.stdout).to.contain(`range: from ${empty.range.from} to ${empty.range.to}`);
  });

  it('a broken archive exits 1 whatever its range', () => {
    const broken = archiveOf(structuredClone(chain), [checkpointOver(chain[4]!)], from, to);
    broken.records[2]!.sender = 'SOMEONE_ELSE';
    const run = cliOn(broken);
    expect(run.status, run.stdout + run.stderr).to.equal(1);
    expect(run.stdout).to.match(/^verdict: BROKEN$/m);
  });
});

describe('bodies an archive holds, or does not', function () {
  this.timeout(60_000);
  const base = Date.now() - 3_600_000;
  const body = (seq: number) => `<body n="${seq}"/>`;
  const chain = chainOf('gw', 5, (seq) => ({
    received_at: base + seq * 1_000,
    answered_at: base + seq * 1_000 + 10,
    request_xml: body(seq),
    answer_xml: body(seq),
    request_digest: sha256Hex(body(seq)),
    answer_digest: sha256Hex(body(seq)),
  }));
  const archive = (change: (records: MessageRecord[]) => void) => {
    const records = structuredClone(chain);
    change(records);
    return archiveOf(records, [checkpointOver(chain[4]!)], base, base + 3_000);
  };

  it('a body in sealed form in an archive that says its bodies are plain text is a problem of its record', () => {
    const forged = archive((records) => {
      records[2]!.request_xml = 'sealed:v1:0000000000000000:AAAA';
    });
    const verdict = verifyArchive(forged, signers);
    expect(verdict.ok).to.equal(false);
    expect(verdict.firstBroken).to.deep.include({ seq: 3 });
    expect(verdict.firstBroken?.problem).to.match(/sealed form in an archive whose bodies are in plain text/);
    // Where the archive says its bodies are sealed (no key at export), the same is a body not checked.
    const sealed = verifyArchive({ ...forged, sealed: true }, signers);
    expect(sealed.ok).to.equal(true);
    expect(sealed.bodies).to.deep.equal({ absent: 0, unchecked: 1 });
  });

  it('records without their bodies are counted in the verdict (its bodies field in --json)', () => {
    const stripped = archive((records) => {
      records[4]!.request_xml = null;
      records[4]!.answer_xml = null;
    });
    const verdict = verifyArchive(stripped, signers);
    expect(verdict.ok).to.equal(true);
    expect(verdict.bodies).to.deep.equal({ absent: 1, unchecked: 0 });
    expect(
      verifyArchive(
        archive(() => undefined),
        signers,
      ).bodies,
    ).to.deep.equal({ absent: 0, unchecked: 0 });
  });
});
