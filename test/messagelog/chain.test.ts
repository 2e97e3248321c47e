/**
 * The message log through a real gateway, on SQLite and PostgreSQL: every exchange (signed pings, a replayed
 * MessageID, an unsigned message, garbage) is one record holding the request and answer exactly as they crossed
 * the wire, with its verification outcome, thumbprint and fault; the stored chain verifies; and each kind of
 * tampering done directly in SQL is named at exactly the record (or checkpoint) touched. Then: bodies left out by
 * configuration still verify, and a log that cannot be written withholds the answer (fail closed) unless told not to.
 */
import { expect } from 'chai';
import { sql } from 'kysely';
import { messageSignatureProblems } from '../../src/messagelog/message-signatures.js';
import { recordHash, sha256Hex } from '../../src/messagelog/record.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { bodySealerOf } from '../../src/messagelog/setup.js';
import { verifyStoredLog } from '../../src/messagelog/store-verify.js';
import type { ChainVerdict } from '../../src/messagelog/verify.js';
import { SOAP11 } from '../../src/soap/version.js';
import { post, signedCall, startTestGateway, type TestGateway, useGateway } from '../support/gateway.js';
import { STORES } from '../support/store.js';
import {
  PING_TYPE,
  checkpointAt,
  records,
  sampleThumbprint,
  send,
  sendSeries,
  type SentExchange,
} from './support.js';

for (const store of STORES) {
  describe(`message log chain through a real gateway (${store})`, function () {
    this.timeout(120_000);
    let sent: SentExchange[];
    let instance: string;

    const verify = () => verifyStoredLog(gateway.store, { sealer: bodySealerOf(gateway.config, false) });
    const db = () => gateway.store.db;

    /** Everything in the two tables, to put back after each tampering. */
    let saved: { log: Record<string, unknown>[]; checkpoints: Record<string, unknown>[] };
    const restore = async () => {
      await db().deleteFrom('message_log').execute();
      await db().deleteFrom('message_log_checkpoints').execute();
      await db()
        .insertInto('message_log')
        .values(saved.log as never) // rows read back from the same table
        .execute();
      await db()
        .insertInto('message_log_checkpoints')
        .values(saved.checkpoints as never) // rows read back from the same table
        .execute();
      expect((await verify()).ok).to.equal(true);
    };
    const expectBroken = (verdict: ChainVerdict, seq: number, problem: RegExp) => {
      expect(verdict.ok, JSON.stringify(verdict.problems)).to.equal(false);
      expect(verdict.firstBroken?.instance).to.equal(instance);
      expect(verdict.firstBroken?.seq, JSON.stringify(verdict.problems)).to.equal(seq);
      expect(verdict.firstBroken?.problem).to.match(problem);
      const broken = verdict.perRecord.filter((r) => !r.ok).map((r) => r.seq);
      return broken;
    };

    const gateway = useGateway({
      store,
      overrides: { 'messageLog.checkpointEvery': 5, 'messageLog.checkpointSeconds': 3600 },
    });
    before(async () => {
      sent = await sendSeries(gateway, 5); // 12 exchanges: checkpoints at #5 and #10
      await checkpointAt(gateway, 10);
      await gateway.checkpoint(); // and #12, as the timer would within checkpointSeconds
      instance = (await records(gateway))[0]!.instance_id;
      saved = {
        log: await db().selectFrom('message_log').selectAll().execute(),
        checkpoints: await db().selectFrom('message_log_checkpoints').selectAll().execute(),
      };
    });

    it('records every exchange, in order, with request and answer exactly as they crossed the wire', async () => {
      const count = await db()
        .selectFrom('message_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).to.equal(sent.length);
      const rows = await records(gateway);
      expect(rows.map((r) => r.seq)).to.deep.equal(sent.map((_, i) => i + 1));
      for (const [i, exchange] of sent.entries()) {
        const row = rows[i]!;
        const what = `#${row.seq} (${exchange.kind})`;
        // A request refused before its signature was verified keeps its digest and size, not its body.
        const verified = exchange.kind === 'ping' || exchange.kind === 'replay';
        expect(row.request_xml, what).to.equal(verified ? exchange.posted : null);
        expect(row.answer_xml, what).to.equal(verified ? exchange.body : null);
        expect(row.request_bytes, what).to.equal(Buffer.byteLength(exchange.posted, 'utf8'));
        expect(row.request_digest, what).to.equal(sha256Hex(Buffer.from(exchange.posted, 'utf8')));
        expect(row.answer_digest, what).to.equal(sha256Hex(Buffer.from(exchange.body, 'utf8')));
        expect(row.http_status, what).to.equal(exchange.status);
        expect(row.answered_at, what).to.be.at.least(row.received_at);
        expect(row.prev_hash, what).to.equal(i === 0 ? '0'.repeat(64) : rows[i - 1]!.hash);
      }
    });

    // Unauthenticated traffic cannot fill the disk: what it sent is proven by digest and size only.
    it('keeps only the digest and size of requests refused before their signature was verified', async () => {
      const rows = await records(gateway);
      for (const kind of ['garbage', 'unsigned', 'badsig'] as const) {
        const i = sent.findIndex((e) => e.kind === kind);
        expect(rows[i], kind).to.include({ request_xml: null, answer_xml: null });
        expect(rows[i]!.request_digest, kind).to.equal(sha256Hex(Buffer.from(sent[i]!.posted, 'utf8')));
        expect(rows[i]!.request_bytes, kind).to.equal(Buffer.byteLength(sent[i]!.posted, 'utf8'));
      }
      const garbage = sent.findIndex((e) => e.kind === 'garbage');
      expect(rows[garbage]!.fault_code).to.equal('Client.MalformedXml');
    });

    it('keeps the verification outcome, the thumbprint and the fault of each exchange', async () => {
      const rows = await records(gateway);
      const thumbprint = sampleThumbprint('DEMO_CONSUMER');
      for (const [i, exchange] of sent.entries()) {
        const row = rows[i]!;
        const what = `#${row.seq} (${exchange.kind})`;
        if (exchange.kind === 'ping') {
          expect(row, what).to.include({
            operation: 'Call',
            message_id: exchange.messageId,
            sender: 'DEMO_CONSUMER',
            message_type: PING_TYPE,
            verification: 'verified',
            certificate: thumbprint,
            fault_code: null,
            http_status: 200,
          });
          expect(row.answer_message_id, what).to.be.a('string');
          expect(exchange.body, what).to.contain(row.answer_message_id);
          expect(row.recipient, what).to.be.a('string');
        } else if (exchange.kind === 'replay') {
          // The signature holds (the sender is known, the fault is signed); the MessageID was used before.
          expect(row, what).to.include({
            message_id: exchange.messageId,
            sender: 'DEMO_CONSUMER',
            verification: 'verified',
            certificate: thumbprint,
            fault_code: 'Client.MessageIsAlreadySent',
          });
          expect(row.answer_message_id, what).to.equal(null);
          expect(exchange.body).to.contain('MessageIsAlreadySent');
        } else if (exchange.kind === 'unsigned') {
          // An empty signature element fails the schema: refused before verification was reached.
          expect(row, what).to.include({
            operation: 'Call',
            sender: null,
            certificate: null,
            verification: 'not reached',
            fault_code: 'Client.InvalidContent',
          });
          expect(exchange.body).to.contain('InvalidContent');
        } else if (exchange.kind === 'badsig') {
          expect(row, what).to.include({
            operation: 'Call',
            message_id: exchange.messageId,
            sender: null,
            certificate: null,
            message_type: PING_TYPE,
          });
          expect(row.verification, what).to.match(/^refused: /);
          expect(row.fault_code, what).to.match(/^Client\.SignatureVerificationFault/);
          expect(exchange.body).to.contain('SignatureVerificationFault');
        } else {
          expect(row, what).to.include({
            operation: 'unknown',
            message_id: null,
            sender: null,
            certificate: null,
            message_type: null,
            verification: 'not reached',
            fault_code: 'Client.MalformedXml',
          });
        }
      }
    });

    it('the stored log verifies as intact, with its signed checkpoints', async () => {
      const verdict = await verify();
      expect(verdict.problems).to.deep.equal([]);
      expect(verdict).to.include({ ok: true, records: sent.length });
      expect(verdict.checkpoints).to.be.at.least(2);
      expect(verdict.perRecord.every((r) => r.ok)).to.equal(true);
    });

    describe('tampering in SQL is named at the record touched', () => {
      afterEach(restore);

      it('(a) a body changed: the request of #3 edited', async () => {
        const row = (await records(gateway))[2]!;
        await db()
          .updateTable('message_log')
          .set({
            request_xml: row.request_xml!.replace(
              '<ping:Text>hello</ping:Text>',
              '<ping:Text>HELLO</ping:Text>',
            ),
          })
          .where('instance_id', '=', instance)
          .where('seq', '=', 3)
          .execute();
        const broken = expectBroken(await verify(), 3, /the stored request does not match its digest/);
        expect(broken).to.deep.equal([3]);
      });

      it('(a) a body changed: the answer of #8 edited', async () => {
        // Someone who can write the store but holds no key can only put plain text in place of a sealed body.
        const plain = (await records(gateway))[7]!.answer_xml!;
        await db()
          .updateTable('message_log')
          .set({ answer_xml: plain.replace('<Text>hello</Text>', '<Text>bye</Text>') })
          .where('instance_id', '=', instance)
          .where('seq', '=', 8)
          .execute();
        const broken = expectBroken(await verify(), 8, /the stored answer does not match its digest/);
        expect(broken).to.deep.equal([8]);
      });

      it('(a) a sealed body moved to another record does not open there (bound to its seq)', async () => {
        const [first] = await db()
          .selectFrom('message_log')
          .select('request_xml')
          .where('instance_id', '=', instance)
          .where('seq', '=', 1)
          .execute();
        expect(first!.request_xml).to.match(/^sealed:v1:/);
        await db()
          .updateTable('message_log')
          .set({ request_xml: first!.request_xml })
          .where('instance_id', '=', instance)
          .where('seq', '=', 2)
          .execute();
        const broken = expectBroken(await verify(), 2, /does not open: altered, or moved/);
        expect(broken).to.deep.equal([2]);
      });

      it('(a) a digested field changed (the fault code of #4 erased): its hash no longer matches', async () => {
        await db()
          .updateTable('message_log')
          .set({ fault_code: null })
          .where('instance_id', '=', instance)
          .where('seq', '=', 4)
          .execute();
        const broken = expectBroken(await verify(), 4, /its fields do not match its hash/);
        expect(broken).to.deep.equal([4]);
      });

      it('(b) a record deleted in the middle (#7): the gap is named at #8 as "record 7 missing"', async () => {
        await db()
          .deleteFrom('message_log')
          .where('instance_id', '=', instance)
          .where('seq', '=', 7)
          .execute();
        const verdict = await verify();
        expectBroken(verdict, 8, /records 7\.\.7 are missing/);
        expect(verdict.problems.join('\n')).to.contain(
          `${instance} #8: its link to the previous record is broken`,
        );
      });

      it('(c) two records reordered (#5 and #6 swap their seq): named at #5', async () => {
        await db()
          .updateTable('message_log')
          .set({ seq: -1 })
          .where('instance_id', '=', instance)
          .where('seq', '=', 5)
          .execute();
        await db()
          .updateTable('message_log')
          .set({ seq: 5 })
          .where('instance_id', '=', instance)
          .where('seq', '=', 6)
          .execute();
        await db()
          .updateTable('message_log')
          .set({ seq: 6 })
          .where('instance_id', '=', instance)
          .where('seq', '=', -1)
          .execute();
        const verdict = await verify();
        const broken = expectBroken(
          verdict,
          5,
          /its link to the previous record is broken|its fields do not match its hash/,
        );
        expect(broken.slice(0, 2)).to.deep.equal([5, 6]);
        // The checkpoint at #5 signed the original #5: the swap is also caught there.
        expect(verdict.problems.join('\n')).to.contain(
          `${instance} #5: the signed checkpoint does not match the record at its position`,
        );
      });

      it('(c) a record rewritten and the chain recomputed after it: the signed checkpoint at #5 catches it', async () => {
        const rows = await records(gateway);
        let previous = rows[1]!.hash;
        for (const row of rows.slice(2)) {
          const changed =
            row.seq === 3 ? { ...row, request_xml: row.request_xml!.replace('hello', 'HELLO') } : { ...row };
          if (row.seq === 3) changed.request_digest = sha256Hex(Buffer.from(changed.request_xml!, 'utf8'));
          changed.prev_hash = previous;
          changed.hash = recordHash(changed);
          previous = changed.hash;
          await db()
            .updateTable('message_log')
            .set({
              request_xml: changed.request_xml,
              request_digest: changed.request_digest,
              prev_hash: changed.prev_hash,
              hash: changed.hash,
            })
            .where('instance_id', '=', instance)
            .where('seq', '=', row.seq)
            .execute();
        }
        const verdict = await verify();
        expect(verdict.perRecord.every((r) => r.ok)).to.equal(true);
        expectBroken(verdict, 5, /the signed checkpoint does not match the record at its position/);
      });

      it('(d) a checkpoint forged: its head hash changed', async () => {
        await db()
          .updateTable('message_log_checkpoints')
          .set({ head_hash: 'f'.repeat(64) })
          .where('instance_id', '=', instance)
          .where('seq', '=', 10)
          .where('kind', '=', 'head')
          .execute();
        const verdict = await verify();
        expectBroken(verdict, 10, /^checkpoint: /);
        expect(verdict.perRecord.every((r) => r.ok)).to.equal(true);
        expect(verdict.problems.every((p) => p.startsWith(`${instance} #10: `))).to.equal(true);
      });

      it('(d) a checkpoint forged: its signature changed', async () => {
        const checkpoint = await db()
          .selectFrom('message_log_checkpoints')
          .selectAll()
          .where('seq', '=', 5)
          .executeTakeFirstOrThrow();
        const bytes = Buffer.from(checkpoint.signature, 'base64');
        bytes[10] = bytes[10]! ^ 0xff;
        await db()
          .updateTable('message_log_checkpoints')
          .set({ signature: bytes.toString('base64') })
          .where('seq', '=', 5)
          .execute();
        const verdict = await verify();
        expectBroken(verdict, 5, /^checkpoint: /);
        expect(verdict.problems).to.have.length(1);
      });
    });

    it('after all that, restored, the log still verifies and the chain goes on', async () => {
      await send(gateway, 'ping');
      await gateway.checkpoint();
      const verdict = await verify();
      expect(verdict.problems).to.deep.equal([]);
      expect(verdict.records).to.equal(sent.length + 1);
    });

    it('keeps a request that came with a byte order mark as received, and it still verifies', async () => {
      const posted = `\uFEFF${signedCall().xml}`;
      const answer = await post(gateway, posted);
      expect(answer.status, answer.body).to.equal(200);
      const row = (await records(gateway)).at(-1)!;
      expect(row.request_xml).to.equal(posted);
      expect(row.request_digest).to.equal(sha256Hex(Buffer.from(posted, 'utf8')));
      await gateway.checkpoint();
      const verdict = await verify();
      expect(verdict.problems).to.deep.equal([]);
      expect(messageSignatureProblems(row, loadTrustStore(gateway.config))).to.deep.equal([]);
    });
  });
}

describe('message log: bodies left out by configuration (SQLite)', function () {
  this.timeout(60_000);
  const gateway = useGateway({ overrides: { 'messageLog.keepBodiesFor': [] } });

  it('keeps the digests of the bodies but not the bodies, and still verifies', async () => {
    const ping = await send(gateway, 'ping');
    const garbage = await send(gateway, 'garbage');
    const [pingRow, garbageRow] = await records(gateway);
    expect(pingRow).to.include({
      request_xml: null,
      answer_xml: null,
      message_type: PING_TYPE,
      verification: 'verified',
      http_status: 200,
    });
    expect(pingRow!.request_digest).to.equal(sha256Hex(Buffer.from(ping.posted, 'utf8')));
    expect(pingRow!.answer_digest).to.equal(sha256Hex(Buffer.from(ping.body, 'utf8')));
    // A message whose type is unknown is not kept either: omission is the default.
    expect(garbageRow).to.include({ request_xml: null, answer_xml: null });
    expect(garbageRow!.request_digest).to.equal(sha256Hex(Buffer.from(garbage.posted, 'utf8')));
    await gateway.checkpoint();
    const verdict = await verifyStoredLog(gateway.store);
    expect(verdict.problems).to.deep.equal([]);
    expect(verdict).to.include({ ok: true, records: 2 });
  });
});

describe('message log: fail closed (SQLite)', function () {
  this.timeout(60_000);
  const hide = (gateway: TestGateway) =>
    sql`alter table message_log rename to message_log_hidden`.execute(gateway.store.db);
  const unhide = (gateway: TestGateway) =>
    sql`alter table message_log_hidden rename to message_log`.execute(gateway.store.db);

  it('an exchange that cannot be recorded gets SMEVFailure (MessageLogFailure), not its answer', async () => {
    const gateway = await startTestGateway();
    try {
      expect((await post(gateway, signedCall().xml)).status).to.equal(200);
      await hide(gateway);
      const response = await post(gateway, signedCall().xml, SOAP11);
      await unhide(gateway);
      expect(response.status, response.body).to.equal(500);
      expect(response.body).to.contain('SMEVFailure');
      expect(response.body).to.contain('message log');
      expect(response.body).not.to.contain('PingResponse');
      // The log works again: the chain goes on from the last stored record.
      expect((await post(gateway, signedCall().xml)).status).to.equal(200);
      await gateway.checkpoint();
      const verdict = await verifyStoredLog(gateway.store);
      expect(verdict.problems).to.deep.equal([]);
      expect(verdict.records).to.equal(2);
    } finally {
      await gateway.stop();
    }
  });

  it("with 'messageLog.failClosed': false the exchange is answered unlogged", async () => {
    const gateway = await startTestGateway({ overrides: { 'messageLog.failClosed': false } });
    try {
      await hide(gateway);
      const response = await post(gateway, signedCall().xml, SOAP11);
      await unhide(gateway);
      expect(response.status, response.body.slice(0, 300)).to.equal(200);
      expect(response.body).to.contain('PingResponse');
      expect(await records(gateway)).to.have.length(0);
    } finally {
      await gateway.stop();
    }
  });
});
