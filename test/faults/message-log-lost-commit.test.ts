/**
 * An insert into the message log that the store committed but whose answer never came back (the connection
 * dropped right after the commit). The writer asks the store: the record is there, so the exchange is recorded
 * and is answered as recorded (refusing it would leave a log that says "answered" for an exchange its client saw
 * refused). When the store cannot tell, the writer reports the failure and chains on from what the store holds
 * at the next insert: chaining on from its own memory would reuse a committed sequence number, and every later
 * insert would fail on the key, keeping the log, and every exchange with it (fail-closed), down for good.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  InsertQueryNode,
  SelectQueryNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { MessageLogWriter } from '../../src/messagelog/writer.js';
import { sha256Hex, type RecordFields } from '../../src/messagelog/record.js';
import { verifyStoredLog } from '../../src/messagelog/store-verify.js';
import { openStore, type Store } from '../../src/store/store.js';
import { gatewaySigner } from '../audit/support.js';

/**
 * Lets the next insert into message_log run, then throws as if its answer had been lost; with `blind`, the
 * writer's next look at the store fails too (the store cannot tell whether the insert was stored).
 */
class LoseNextInsertAnswer implements KyselyPlugin {
  armed = false;
  blind = false;
  private readonly inserts = new WeakSet<object>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (this.blind && SelectQueryNode.is(args.node)) {
      this.blind = false;
      throw new Error('Connection terminated unexpectedly (the store is gone)');
    }
    if (InsertQueryNode.is(args.node) && args.node.into?.table.identifier.name === 'message_log') {
      this.inserts.add(args.queryId);
    }
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.armed && this.inserts.has(args.queryId)) {
      this.armed = false;
      throw new Error('Connection terminated unexpectedly (after the commit)');
    }
    return args.result;
  }
}

function fields(n: number): RecordFields {
  const now = Date.now();
  return {
    request_id: `req-${n}`,
    request_bytes: null,
    operation: 'Call',
    message_id: `00000000-0000-1000-8000-${String(n).padStart(12, '0')}`,
    answer_message_id: null,
    reference_message_id: null,
    sender: 'DEMO_CONSUMER',
    recipient: 'SMEV_GATEWAY',
    message_type: null,
    received_at: now,
    answered_at: now,
    duration_us: 1000,
    http_status: 200,
    fault_code: null,
    certificate: null,
    verification: 'valid',
    request_digest: sha256Hex(`request ${n}`),
    answer_digest: sha256Hex(`answer ${n}`),
    request_xml: null,
    answer_xml: null,
  };
}

describe('fault: a message-log insert committed but its answer lost', () => {
  let dir: string;
  let store: Store;

  async function writerWithLostAnswer() {
    dir = mkdtempSync(join(tmpdir(), 'smev-gateway-lost-commit-'));
    store = await openStore({ sqliteFile: join(dir, 'gateway.db') });
    const plugin = new LoseNextInsertAnswer();
    const flaky: Store = {
      ...store,
      db: store.db.withPlugin(plugin),
      append: (write) => store.append((db) => write(db.withPlugin(plugin))),
    };
    const writer = await MessageLogWriter.open(flaky, 'test:1', gatewaySigner(), {
      checkpointEvery: 1000,
      checkpointSeconds: 3600,
    });
    return { writer, plugin };
  }

  async function expectChainOfFour(): Promise<void> {
    const rows = await store.db
      .selectFrom('message_log')
      .select(['seq', 'request_id'])
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => [Number(r.seq), r.request_id])).to.deep.equal([
      [1, 'req-1'],
      [2, 'req-2'],
      [3, 'req-3'],
      [4, 'req-4'],
    ]);
    const verdict = await verifyStoredLog(store);
    expect(verdict.ok, JSON.stringify(verdict.problems)).to.equal(true);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }

  it('finds the record stored after all, so the exchange is answered as recorded, and chains on', async () => {
    const { writer, plugin } = await writerWithLostAnswer();
    await writer.record(fields(1));
    plugin.armed = true;
    await writer.record(fields(2));
    expect(plugin.armed, 'the answer of the insert was lost').to.equal(false);
    await writer.record(fields(3));
    await writer.record(fields(4));
    await writer.close();
    await expectChainOfFour();
  });

  it('when the store cannot tell, reports the exchange as failed and chains the next ones on from the store', async () => {
    const { writer, plugin } = await writerWithLostAnswer();
    await writer.record(fields(1));
    plugin.armed = true;
    plugin.blind = true;
    const lost = await writer.record(fields(2)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(lost, 'the writer must report the failed insert').to.be.instanceOf(Error);
    await writer.record(fields(3));
    await writer.record(fields(4));
    await writer.close();
    await expectChainOfFour();
  });
});
