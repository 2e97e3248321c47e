/**
 * The writer's checkpoints, in one process with no timers in the way: a checkpoint that finds nothing new must not
 * stop the ones after it (it once did: the settled promise was never cleared, and no checkpoint followed — not by
 * the timer, not every N records, not at shutdown).
 */
import { expect } from 'chai';
import { recordHash, sha256Hex, type RecordFields } from '../../src/messagelog/record.js';
import { verifyStoredLog } from '../../src/messagelog/store-verify.js';
import { MessageLogWriter } from '../../src/messagelog/writer.js';
import { useStore } from '../support/store.js';
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { KeyCheckpointSigner } from '../../src/audit/checkpoint-signer.js';
import { gatewaySigner } from '../audit/support.js';
import { recordFields, rewriteChain } from './support.js';

const fields = (n: number): RecordFields =>
  recordFields({
    request_id: `req-${n}`,
    request_bytes: 10,
    received_at: 1_700_000_000_000 + n,
    answered_at: 1_700_000_000_000 + n,
    http_status: 200,
    verification: 'not reached',
    request_digest: sha256Hex(`request ${n}`),
    answer_digest: sha256Hex(`answer ${n}`),
  });

describe('message log writer: checkpoints after a quiet spell', () => {
  const store = useStore('sqlite', { prefix: 'gateway-writer', each: true });

  const heads = async () =>
    (await store.db.selectFrom('message_log_checkpoints').select('seq').orderBy('seq').execute()).map((c) =>
      Number(c.seq),
    );

  it('a checkpoint with nothing new settles, and the next one after new records still signs', async () => {
    const writer = await MessageLogWriter.open(store, 'i', gatewaySigner(), {
      checkpointEvery: 1000,
      checkpointSeconds: 3600,
    });
    await writer.checkpoint(); // nothing to sign: the quiet tick
    await writer.record(fields(1));
    await writer.checkpoint();
    await writer.record(fields(2));
    await writer.close(); // and at shutdown
    expect(await heads()).to.deep.equal([1, 2]);
    expect((await verifyStoredLog(store)).problems).to.deep.equal([]);
  });

  it('a turn that brings more records than one statement can bind still records them all, chained', async () => {
    // SQLite binds at most 32,766 values to a statement: 1,365 records of 24 columns. A flood brings more in a turn.
    const writer = await MessageLogWriter.open(store, 'i', gatewaySigner(), {
      checkpointEvery: 100_000,
      checkpointSeconds: 3600,
    });
    await Promise.all(Array.from({ length: 3000 }, (_, n) => writer.record(fields(n + 1))));
    await writer.close();
    const stored = await store.db
      .selectFrom('message_log')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    expect(Number(stored?.n)).to.equal(3000);
    expect((await verifyStoredLog(store)).problems).to.deep.equal([]);
  });

  it('every checkpointEvery records, after a quiet tick', async () => {
    const writer = await MessageLogWriter.open(store, 'i', gatewaySigner(), {
      checkpointEvery: 3,
      checkpointSeconds: 3600,
    });
    await writer.checkpoint();
    for (let n = 1; n <= 3; n++) await writer.record(fields(n));
    for (let i = 0; i < 100 && !(await heads()).includes(3); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await heads()).to.deep.equal([3]);
    await writer.close();
  });

  it('records are refused once no checkpoint could be time-stamped for longer than the grace period', async () => {
    let now = 0;
    const writer = await MessageLogWriter.open(store, 'i', gatewaySigner(), {
      checkpointEvery: 1000,
      checkpointSeconds: 3600,
      timestamper: {
        stamp: () => Promise.reject(new Error('TSA unreachable')),
      },
      timestampGraceMs: 50,
      onError: () => undefined,
    });
    await writer.record(fields(1));
    now = Date.now();
    await writer.checkpoint(new Date(now)); // signed without a token
    expect(writer.timestampOverdue(now + 10)).to.equal(false);
    expect(writer.timestampOverdue(now + 60)).to.equal(true);
    await new Promise((r) => setTimeout(r, 80));
    let refused: Error | undefined;
    await writer.record(fields(2)).catch((error: Error) => (refused = error));
    expect(refused?.message).to.match(/no checkpoint could be time-stamped since .*: the TSA is unreachable/);
    expect(await heads()).to.deep.equal([1]);
    await writer.close();
  });
});

describe('message log writer: a restart signs on only from its own last checkpoint', () => {
  const store = useStore('sqlite', { prefix: 'gateway-writer-anchor', each: true });
  const open = (errors: string[] = []) =>
    MessageLogWriter.open(store, 'i', gatewaySigner(), {
      checkpointEvery: 1000,
      checkpointSeconds: 3600,
      onError: (error) => errors.push((error as Error).message),
    });
  const heads = async () =>
    (await store.db.selectFrom('message_log_checkpoints').select('seq').orderBy('seq').execute()).map((c) =>
      Number(c.seq),
    );

  /** Records #1-#6, signed at #3 and #6, and the writer stopped. */
  const sixSigned = async () => {
    const writer = await open();
    for (let n = 1; n <= 3; n++) await writer.record(fields(n));
    await writer.checkpoint();
    for (let n = 4; n <= 6; n++) await writer.record(fields(n));
    await writer.close();
    expect(await heads()).to.deep.equal([3, 6]);
  };

  it('records under the last checkpoint deleted while stopped: the chain goes on, but is never signed', async () => {
    await sixSigned();
    await store.db.deleteFrom('message_log').where('seq', '>', 3).execute();
    const errors: string[] = [];
    const writer = await open(errors);
    expect(writer.integrity()).to.include({ intact: false });
    expect(errors[0]).to.match(/does not extend its checkpoint at #6: the head \(record 3\) is behind/);
    for (let n = 7; n <= 10; n++) await writer.record(fields(n));
    await writer.close();
    expect(await heads()).to.deep.equal([3, 6]);
  });

  it('a record under the last checkpoint rewritten while stopped (its hash recomputed): never signed over', async () => {
    await sixSigned();
    const six = await store.db
      .selectFrom('message_log')
      .selectAll()
      .where('seq', '=', 6)
      .executeTakeFirstOrThrow();
    const forged = { ...six, http_status: 500 };
    await store.db
      .updateTable('message_log')
      .set({ http_status: 500, hash: recordHash(forged) })
      .where('seq', '=', 6)
      .execute();
    const writer = await open([]);
    expect(writer.integrity()).to.include({ intact: false });
    await writer.record(fields(7));
    await writer.close();
    expect(await heads()).to.deep.equal([3, 6]);
  });

  it('an intact chain is signed on after a restart', async () => {
    await sixSigned();
    const writer = await open();
    expect(writer.integrity()).to.deep.equal({ intact: true });
    await writer.record(fields(7));
    await writer.close();
    expect(await heads()).to.deep.equal([3, 6, 7]);
    expect((await verifyStoredLog(store)).problems).to.deep.equal([]);
  });
});

describe('message log writer: a restart never signs over a tail older than a crash leaves', () => {
  const store = useStore('sqlite', { prefix: 'gateway-writer-stale', each: true });
  const DAY = 86_400_000;
  /** Record n, answered n days after the fixture's start: far apart for checkpoints every hour. */
  const daily = (n: number): RecordFields => ({
    ...fields(n),
    received_at: 1_700_000_000_000 + n * DAY,
    answered_at: 1_700_000_000_000 + n * DAY,
  });
  const open = (errors: string[] = [], signer = gatewaySigner(), formerCertificates: string[] = []) =>
    MessageLogWriter.open(store, 'i', signer, {
      checkpointEvery: 1000,
      checkpointSeconds: 3600,
      onError: (error) => errors.push((error as Error).message),
      formerCertificates,
    });
  const heads = async () =>
    (await store.db.selectFrom('message_log_checkpoints').select('seq').orderBy('seq').execute()).map((c) =>
      Number(c.seq),
    );
  /** Records #1-#9, a day apart, signed at #3, #6 and #9, and the writer stopped. */
  const nineSigned = async (signer = gatewaySigner()) => {
    const writer = await open([], signer);
    for (let n = 1; n <= 9; n++) {
      await writer.record(daily(n));
      if (n % 3 === 0) await writer.checkpoint();
    }
    await writer.close();
    expect(await heads()).to.deep.equal([3, 6, 9]);
  };

  it('every checkpoint deleted and a record rewritten, the chain recomputed: not intact, nothing signed', async () => {
    await nineSigned();
    await store.db.deleteFrom('message_log_checkpoints').execute();
    await rewriteChain(store, 'i', 3, { sender: 'FORGED' });
    expect((await verifyStoredLog(store)).unproven).to.deep.equal([{ instance: 'i', from: 1, to: 9 }]);
    const errors: string[] = [];
    const writer = await open(errors);
    expect(writer.integrity()).to.include({ intact: false });
    expect(errors[0]).to.match(
      /does not extend its checkpoint at #0: records 1\.\.9 are covered by no checkpoint .* answered 691200 s before the newest/,
    );
    await writer.record(daily(10));
    await writer.close();
    expect(await heads()).to.deep.equal([]);
  });

  it('the checkpoints after #3 deleted and #7 rewritten: not signed over from #3 on', async () => {
    await nineSigned();
    await store.db.deleteFrom('message_log_checkpoints').where('seq', '>', 3).execute();
    await rewriteChain(store, 'i', 7, { sender: 'FORGED' });
    const writer = await open();
    expect(writer.integrity()).to.include({ intact: false });
    await writer.close();
    expect(await heads()).to.deep.equal([3]);
  });

  it('a fresh store whose first records a crash left unsigned (seconds apart) is signed on', async () => {
    const first = await open();
    for (let n = 1; n <= 5; n++) await first.record(fields(n));
    await first.close();
    await store.db.deleteFrom('message_log_checkpoints').execute();
    const writer = await open();
    expect(writer.integrity()).to.deep.equal({ intact: true });
    await writer.close();
    expect(await heads()).to.deep.equal([5]);
  });

  it('after a key change, the checkpoints of the former key anchor the chain', async () => {
    const pem = (file: string) => readFileSync(`certs-sample/${file}`, 'utf8');
    const former = new KeyCheckpointSigner(
      createPrivateKey(pem('DEMO_CONSUMER.key.pem')),
      pem('DEMO_CONSUMER.crt.pem'),
    );
    await nineSigned(former);
    const writer = await open([], gatewaySigner(), [former.certificatePem]);
    expect(writer.integrity()).to.deep.equal({ intact: true });
    await writer.record(daily(10));
    await writer.close();
    expect(await heads()).to.deep.equal([3, 6, 9, 10]);
  });
});
