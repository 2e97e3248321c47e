/**
 * Archives of the message log, on SQLite and PostgreSQL: `log export` → `log verify-archive` round trip through
 * the real CLI (for PostgreSQL the export is made by exportArchive, since the CLI cannot name a test schema; the
 * offline check is always the CLI, which needs no database); every kind of tampering with the archive file is named
 * at its record and exits 1; retention removes only archived records and the rest still verifies; and each stored
 * request and answer checks alone with xmlsec1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createPrivateKey } from 'node:crypto';
import { KeyCheckpointSigner } from '../../src/audit/checkpoint-signer.js';
import { gatewayCheckpointSigner } from '../../src/audit/setup.js';
import {
  exportArchive,
  verifyArchive,
  verifyArchiveFile,
  type Archive,
} from '../../src/messagelog/archive.js';
import { checkpointData, recordHash, sha256Hex, type MessageRecord } from '../../src/messagelog/record.js';
import { bodySealerOf } from '../../src/messagelog/setup.js';
import { pruneMessageLog, registerArchive } from '../../src/messagelog/retention.js';
import { verifyStoredLog } from '../../src/messagelog/store-verify.js';
import { NS } from '../../src/soap/namespaces.js';
import { useGateway } from '../support/gateway.js';
import { STORES } from '../support/store.js';
import { checkpointAt, cli, records, send, sendSeries, type SentExchange } from './support.js';

const XMLSEC1 = process.env.XMLSEC1 ?? 'xmlsec1';
const CA = 'certs-sample/ca.crt.pem';
const signatureIn = (container: string) => `//*[local-name()='${container}']/*[local-name()='Signature']`;

/** Recompute digests and hashes from `from` on, as a forger who rewrote records would. */
function rechain(records: MessageRecord[], from: number): void {
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  let previous = sorted.find((r) => r.seq === from - 1)?.hash;
  for (const record of sorted.filter((r) => r.seq >= from)) {
    if (record.request_xml !== null)
      record.request_digest = sha256Hex(Buffer.from(record.request_xml, 'utf8'));
    if (record.answer_xml !== null) record.answer_digest = sha256Hex(Buffer.from(record.answer_xml, 'utf8'));
    if (previous !== undefined) record.prev_hash = previous;
    record.hash = recordHash(record);
    previous = record.hash;
  }
}

for (const store of STORES) {
  describe(`message log archives (${store})`, function () {
    this.timeout(120_000);
    let dir: string;
    let sent: SentExchange[];
    let instance: string;
    let archiveFile: string;
    let archive: Archive;
    let middle: Archive;
    let counter = 0;
    /** The archive with only the records and checkpoints whose seq `keep` accepts: cut as a forger would. */
    const only = (a: Archive, keep: (seq: number) => boolean): Archive => ({
      ...structuredClone(a),
      records: a.records.filter((r) => keep(Number(r.seq))),
      checkpoints: a.checkpoints.filter((c) => keep(Number(c.seq))),
    });
    const env = () => ({ SQLITE_FILE: gateway.config.store.sqliteFile });
    const file = (name: string, text: string) => {
      const path = join(dir, `${++counter}-${name}`);
      writeFileSync(path, text);
      return path;
    };

    /** `log export` through the CLI (SQLite) or exportArchive + the CLI's own check and registration (PostgreSQL). */
    const exportRange = async (from: Date, to: Date, out: string): Promise<string> => {
      if (store === 'sqlite') {
        const run = cli(
          ['log', 'export', '--from', from.toISOString(), '--to', to.toISOString(), '--out', out],
          env(),
        );
        expect(run.status, run.stderr + run.stdout).to.equal(0);
        return run.stdout;
      }
      const read = (f: string) => readFileSync(f, 'utf8');
      const written = await exportArchive(
        gateway.store,
        { from, to },
        {
          certificates: gateway.config.pki.trustedCaFiles.map(read),
          crls: gateway.config.pki.crlFiles.map(read),
        },
        out,
        bodySealerOf(gateway.config, false),
      );
      const verdict = verifyArchiveFile(out);
      expect(verdict.problems).to.deep.equal([]);
      await registerArchive(gateway.store, JSON.parse(read(out)) as Archive, out, written.sha256);
      return `${out}: ${written.records} records, ${written.checkpoints} checkpoints, sha256 ${written.sha256}\nverified: yes (registered for retention)\n`;
    };

    const verifyArchiveCli = (path: string) => cli(['log', 'verify-archive', path]);
    /** A copy of the archive, changed by `change`, verified offline by the CLI: it must name `seq` and exit 1. */
    const expectTamperNamed = (change: (a: Archive) => void, seq: number, problem: RegExp) => {
      const copy = structuredClone(archive);
      change(copy);
      const run = verifyArchiveCli(file('tampered.json', JSON.stringify(copy)));
      expect(run.status, run.stdout + run.stderr).to.equal(1);
      const first = /^first broken record: (\S+) #(\d+): (.*)$/m.exec(run.stdout);
      expect(first, run.stdout).to.not.equal(null);
      expect(first![1]).to.equal(instance);
      expect(Number(first![2]), run.stdout).to.equal(seq);
      expect(first![3]).to.match(problem);
      expect(run.stdout).to.match(/^verdict: (BROKEN|UNPROVEN)$/m);
      return run.stdout;
    };
    const recordOf = (a: Archive, seq: number) => a.records.find((r) => r.seq === seq)!;

    const gateway = useGateway({
      store,
      overrides: { 'messageLog.checkpointEvery': 5, 'messageLog.checkpointSeconds': 3600 },
    });
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'smev-gateway-archive-'));
      sent = await sendSeries(gateway, 5); // 12 records; checkpoints at #5 and #10
      await checkpointAt(gateway, 10);
      await gateway.checkpoint(); // #12, as the timer would within checkpointSeconds
      instance = (await records(gateway))[0]!.instance_id;
      // Exported now, before retention removes records: the range #4-#6 of a chain that started before it.
      const rows = await records(gateway);
      const out = join(dir, 'middle.json');
      await exportArchive(
        gateway.store,
        { from: new Date(rows[3]!.received_at), to: new Date(rows[5]!.received_at) },
        { certificates: gateway.config.pki.trustedCaFiles.map((f) => readFileSync(f, 'utf8')), crls: [] },
        out,
        bodySealerOf(gateway.config, false),
      );
      middle = JSON.parse(readFileSync(out, 'utf8')) as Archive;
    });
    after(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('retention removes nothing that no archive holds', async () => {
      const removed = await pruneMessageLog(
        gateway.store,
        gatewayCheckpointSigner(gateway.config),
        0,
        new Date(Date.now() + 86_400_000),
      );
      expect(removed).to.deep.equal([]);
      expect(await records(gateway)).to.have.length(sent.length);
    });

    it('export → verify-archive round trip: every record ok; exit 3, the range being open at its end', async () => {
      const rows = await records(gateway);
      archiveFile = join(dir, 'archive.json');
      const printed = await exportRange(
        new Date(rows[0]!.received_at),
        new Date(Date.now() + 1000),
        archiveFile,
      );
      expect(printed).to.contain(`${archiveFile}: ${sent.length} records, 3 checkpoints`);
      expect(printed).to.contain('verified: yes (registered for retention)');
      archive = JSON.parse(readFileSync(archiveFile, 'utf8')) as Archive;
      expect(archive.records.map((r) => r.seq)).to.deep.equal(rows.map((r) => r.seq));
      expect(archive.records.map((r) => r.request_digest)).to.deep.equal(rows.map((r) => r.request_digest));
      expect(archive.trust.certificates).to.have.length(gateway.config.pki.trustedCaFiles.length);

      const run = verifyArchiveCli(archiveFile);
      // Intact, but a range that runs to now cannot be proven complete at its end: exit 3, not 0.
      expect(run.status, run.stdout + run.stderr).to.equal(3);
      for (const row of rows) expect(run.stdout).to.contain(`${instance} #${row.seq}: ok\n`);
      expect(run.stdout).to.contain(`records: ${sent.length}\ncheckpoints: 3\nverdict: intact\n`);
      // Order in the file does not matter: the verifier orders by seq.
      const shuffled = { ...archive, records: [...archive.records].reverse() };
      expect(verifyArchiveCli(file('reversed.json', JSON.stringify(shuffled))).status).to.equal(3);
    });

    // An archive holds its range and the records up to the checkpoint that covers the range's end, no further.
    it('an export of an earlier time range (records #1-#6) runs to the covering checkpoint (#10) and verifies', async () => {
      const rows = await records(gateway);
      const out = join(dir, 'first-six.json');
      if (store === 'sqlite') {
        const run = cli(
          [
            'log',
            'export',
            '--from',
            new Date(rows[0]!.received_at).toISOString(),
            '--to',
            new Date(rows[5]!.received_at).toISOString(),
            '--out',
            out,
          ],
          env(),
        );
        expect(run.stdout).to.contain('verified: yes');
        expect(run.status, run.stdout).to.equal(0);
      } else {
        await exportArchive(
          gateway.store,
          { from: new Date(rows[0]!.received_at), to: new Date(rows[5]!.received_at) },
          { certificates: [readFileSync(CA, 'utf8')], crls: [] },
          out,
          bodySealerOf(gateway.config, false),
        );
      }
      const verdict = verifyArchiveFile(out);
      expect(verdict.records).to.equal(10);
      expect(verdict.unproven).to.deep.equal([]);
      expect(verdict.problems).to.deep.equal([]);
    });

    describe('completeness: an archive holds its whole range, or says it is not proven', () => {
      it('a range #4-#6 carries #3 before it (without bodies) and runs to the checkpoint after it: complete', () => {
        expect(middle.records.map((r) => r.seq)).to.deep.equal([3, 4, 5, 6, 7, 8, 9, 10]);
        expect(recordOf(middle, 3)).to.include({ request_xml: null, answer_xml: null });
        const verdict = verifyArchive(middle);
        expect(verdict.problems).to.deep.equal([]);
        expect(verdict.completeness).to.deep.equal({
          complete: true,
          range: middle.range,
          exportedAt: middle.exportedAt,
          problems: [],
        });
        const run = verifyArchiveCli(file('middle.json', JSON.stringify(middle)));
        expect(run.stdout).to.contain('verdict: intact\ncomplete: yes\n');
        expect(run.status, run.stdout).to.equal(0);
      });

      it('records cut from the start with the checkpoints over them: intact, but the start is not proven', () => {
        const cut = only(archive, (seq) => seq > 4); // from genesis, #1-#12
        const verdict = verifyArchive(cut);
        expect(verdict.ok, verdict.problems.join('\n')).to.equal(true);
        expect(verdict.completeness.complete).to.equal(false);
        expect(verdict.completeness.problems[0]).to.match(/the start is not proven: no record before #5/);
        const run = verifyArchiveCli(file('start-cut.json', JSON.stringify(cut)));
        expect(run.stdout).to.match(/verdict: intact\ncomplete: NOT PROVEN\n {2}.*the start is not proven/);
        // Its boundary record dropped as well, a range that starts mid-chain is no better.
        const headless = only(middle, (seq) => seq !== 3);
        expect(verifyArchive(headless).completeness.problems[0]).to.match(
          /start is not proven: no record before #4/,
        );
      });

      it('records cut from the end with the checkpoints over them: intact, but the end is not proven', () => {
        const cut = only(middle, (seq) => seq <= 5);
        const verdict = verifyArchive(cut);
        expect(verdict.ok, verdict.problems.join('\n')).to.equal(true);
        expect(verdict.completeness.complete).to.equal(false);
        expect(verdict.completeness.problems).to.have.length(1);
        expect(verdict.completeness.problems[0]).to.match(/the end is not proven: no record after #5/);
      });

      it('a range still open when exported is intact, its end not proven', () => {
        const verdict = verifyArchive(archive);
        expect(verdict.ok).to.equal(true);
        expect(verdict.completeness.problems).to.have.length(1);
        expect(verdict.completeness.problems[0]).to.match(/the end is not proven: no record after #12/);
      });
    });

    describe('a tampered archive is named at its record and exits 1', () => {
      it('a body changed (the request of #3)', () => {
        expectTamperNamed(
          (a) => {
            const r = recordOf(a, 3);
            r.request_xml = r.request_xml!.replace(
              '<ping:Text>hello</ping:Text>',
              '<ping:Text>HELLO</ping:Text>',
            );
          },
          3,
          /the stored request does not match its digest/,
        );
      });

      it('a record removed (#7)', () => {
        expectTamperNamed(
          (a) =>
            void a.records.splice(
              a.records.findIndex((r) => r.seq === 7),
              1,
            ),
          8,
          /records 7\.\.7 are missing/,
        );
      });

      it('records reordered (#5 and #6 swap their seq)', () => {
        const out = expectTamperNamed(
          (a) => {
            const [five, six] = [recordOf(a, 5), recordOf(a, 6)];
            [five.seq, six.seq] = [6, 5];
          },
          5,
          /its link to the previous record is broken|its fields do not match its hash/,
        );
        expect(out).to.contain(
          `${instance} #5: the signed checkpoint does not match the record at its position`,
        );
      });

      it('a checkpoint forged (head hash of #10 changed; signature of #5 changed)', () => {
        expectTamperNamed(
          (a) => void (a.checkpoints.find((c) => c.seq === 10)!.head_hash = 'e'.repeat(64)),
          10,
          /^checkpoint: /,
        );
        expectTamperNamed(
          (a) => {
            const checkpoint = a.checkpoints.find((c) => c.seq === 5)!;
            const bytes = Buffer.from(checkpoint.signature, 'base64');
            bytes[7] = bytes[7]! ^ 0x01;
            checkpoint.signature = bytes.toString('base64');
          },
          5,
          /^checkpoint: /,
        );
      });

      it("checkpoints re-signed with a registered system's certificate from the same CA", () => {
        const system = new KeyCheckpointSigner(
          createPrivateKey(readFileSync('certs-sample/DEMO_CONSUMER.key.pem', 'utf8')),
          readFileSync('certs-sample/DEMO_CONSUMER.crt.pem', 'utf8'),
        );
        const resign = (a: Archive) => {
          for (const c of a.checkpoints) {
            const signed = system.sign(
              checkpointData(c.instance_id, Number(c.seq), c.head_hash, Number(c.at), c.kind),
            );
            Object.assign(c, {
              algorithm: signed.algorithm,
              signature: signed.signature,
              certificate: signed.certificatePem,
            });
          }
        };
        const first = Math.min(...archive.checkpoints.map((c) => Number(c.seq)));
        expectTamperNamed(resign, first, /not signed with one of the gateway's certificates/);
      });

      it("a request's signature broken while its record's digest and hash (and the chain after it) are recomputed", () => {
        const out = expectTamperNamed(
          (a) => {
            const r = recordOf(a, 9);
            r.request_xml = r.request_xml!.replace(
              '<ping:Text>hello</ping:Text>',
              '<ping:Text>pwned</ping:Text>',
            );
            rechain(a.records, 9);
          },
          9,
          /the request's signature does not verify/,
        );
        // The chain itself is consistent: only the message's own signature and the next checkpoint give it away.
        expect(out).to.match(
          new RegExp(`^${instance} #9: BROKEN — the request's signature does not verify[^;\\n]*\\n`, 'm'),
        );
        expect(out).to.contain(`${instance} #10: ok`);
      });

      it("an answer's signature broken and the chain recomputed to the end: the signature and the checkpoint at #12 both tell", () => {
        const out = expectTamperNamed(
          (a) => {
            const r = recordOf(a, 11);
            expect(r.answer_xml).to.contain('<Text>hello</Text>');
            r.answer_xml = r.answer_xml!.replace('<Text>hello</Text>', '<Text>pwned</Text>');
            rechain(a.records, 11);
          },
          11,
          /the answer's signatures do not verify/,
        );
        const problems = out.split('\n').filter((line) => line.startsWith('  '));
        expect(problems[0]).to.contain(`${instance} #11: the answer's signatures do not verify`);
        expect(out).to.contain(`${instance} #12: the signed checkpoint does not match`);
      });

      it('an archive stripped of its checkpoints is unproven from its first record, and exits 1', () => {
        expectTamperNamed(
          (a) => {
            a.checkpoints.length = 0;
          },
          1,
          /records 1\.\.12 are not covered by a trusted checkpoint: unproven/,
        );
      });

      it('an archive truncated after a checkpoint and before the next is unproven from the cut on', () => {
        expectTamperNamed(
          (a) => {
            a.records.splice(a.records.findIndex((r) => r.seq === 12));
            a.checkpoints.splice(a.checkpoints.findIndex((c) => c.seq > 10));
          },
          11,
          /records 11\.\.11 are not covered/,
        );
      });

      it('something that is not an archive is refused', () => {
        const run = verifyArchiveCli(file('not-an-archive.json', JSON.stringify({ format: 'x' })));
        expect(run.status).to.not.equal(0);
        expect(run.stderr).to.contain('not a smev-gateway message-log archive');
      });
    });

    it('each stored request and answer checks alone with xmlsec1 --verify', function () {
      const probe = spawnSync(XMLSEC1, ['--version'], { encoding: 'utf8' });
      if (probe.error || probe.status !== 0)
        throw new Error('xmlsec1 is required (apt-get install -y xmlsec1)');
      const xmlsec1 = (args: string[], xml: string) => {
        const run = spawnSync(XMLSEC1, ['--verify', '--trusted-pem', CA, ...args, file('message.xml', xml)], {
          encoding: 'utf8',
        });
        return { status: run.status, output: `${run.stdout}${run.stderr}` };
      };
      const expectOk = (run: { status: number | null; output: string }, what: string) => {
        expect(run.status, `${what}: ${run.output}`).to.equal(0);
        expect(run.output, what).to.match(/^OK$/m);
      };
      const id = (localName: string, ns: string = NS.types) => ['--id-attr:Id', `${ns}:${localName}`];
      let requests = 0;
      let answers = 0;
      for (const record of archive.records) {
        const what = `#${record.seq}`;
        if (record.verification === 'verified' && record.request_xml !== null) {
          expectOk(xmlsec1(id('SenderProvidedRequestData'), record.request_xml), `${what} request`);
          requests++;
        }
        if (record.http_status === 200 && record.answer_xml !== null) {
          const ids = [...id('SenderProvidedResponseData'), ...id('Response')];
          expectOk(
            xmlsec1(
              [...ids, '--node-xpath', signatureIn('SenderInformationSystemSignature')],
              record.answer_xml,
            ),
            `${what} answer (provider)`,
          );
          expectOk(
            xmlsec1([...ids, '--node-xpath', signatureIn('SMEVSignature')], record.answer_xml),
            `${what} answer (gateway)`,
          );
          answers++;
        }
        if (record.fault_code === 'Client.MessageIsAlreadySent') {
          // A fault the gateway could attribute is signed too.
          expectOk(
            xmlsec1(
              [...id('Body', NS.soap11), '--node-xpath', signatureIn('SMEVSignature')],
              record.answer_xml!,
            ),
            `${what} signed fault`,
          );
        }
      }
      expect(requests).to.equal(sent.filter((e) => e.kind === 'ping' || e.kind === 'replay').length);
      expect(answers).to.equal(sent.filter((e) => e.kind === 'ping').length);
      // And the check can fail: a stored request with its payload changed does not verify.
      const changed = recordOf(archive, 1).request_xml!.replace(
        '<ping:Text>hello</ping:Text>',
        '<ping:Text>pwned</ping:Text>',
      );
      const run = xmlsec1(id('SenderProvidedRequestData'), changed);
      expect(run.status).to.not.equal(0);
      expect(run.output).to.match(/^FAIL$/m);
    });

    it('prune with zero-day retention removes only the archived records; what remains still verifies', async () => {
      await send(gateway, 'ping');
      await send(gateway, 'ping');
      await send(gateway, 'ping'); // #13-#15: newer than the archive
      await gateway.checkpoint();
      const removed = await pruneMessageLog(
        gateway.store,
        gatewayCheckpointSigner(gateway.config),
        0,
        new Date(Date.now() + 86_400_000),
      );
      expect(removed).to.deep.equal([{ instance, removedThrough: sent.length, removed: sent.length }]);
      const rows = await records(gateway);
      expect(rows.map((r) => r.seq)).to.deep.equal([13, 14, 15]);
      const cut = await gateway.store.db
        .selectFrom('message_log_checkpoints')
        .selectAll()
        .where('kind', '=', 'cut')
        .execute();
      expect(cut.map((c) => Number(c.seq))).to.deep.equal([sent.length]);

      const verdict = await verifyStoredLog(gateway.store);
      expect(verdict.problems).to.deep.equal([]);
      expect(verdict.records).to.equal(3);
      // The chain goes on after the cut, and the archive made before still verifies offline.
      await send(gateway, 'ping');
      await gateway.checkpoint();
      expect((await verifyStoredLog(gateway.store)).problems).to.deep.equal([]);
      expect(verifyArchiveCli(archiveFile).status, 'intact, its open range not proven').to.equal(3);
      if (store === 'sqlite') {
        const run = cli(['log', 'verify'], env());
        expect(run.status, run.stdout + run.stderr).to.equal(0);
        expect(run.stdout).to.contain('records: 4\n');
        expect(run.stdout).to.contain('verdict: intact');
      }
      // Pruning again removes nothing: nothing else is archived.
      expect(
        await pruneMessageLog(
          gateway.store,
          gatewayCheckpointSigner(gateway.config),
          0,
          new Date(Date.now() + 86_400_000),
        ),
      ).to.deep.equal([]);
    });
  });
}

describe('a malformed archive is named as such, not a crash', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'smev-gateway-archive-shape-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const head = { format: 'smev-gateway-message-log-archive', version: 1 };
  const cases: Array<[string, string, RegExp]> = [
    [
      'a record that is no object',
      JSON.stringify({ ...head, records: [null], checkpoints: [] }),
      /records\.0/,
    ],
    [
      'a record without its fields',
      JSON.stringify({ ...head, records: [{ instance_id: 'a', seq: 1 }], checkpoints: [] }),
      /records\.0\.request_id/,
    ],
    [
      'a body that is no string',
      JSON.stringify({ ...head, records: [{ request_xml: { x: 1 } }], checkpoints: [] }),
      /records\.0\./,
    ],
    [
      'a checkpoint that is no object',
      JSON.stringify({ ...head, records: [], checkpoints: ['x'] }),
      /checkpoints\.0/,
    ],
    [
      'trust material that is no text',
      JSON.stringify({ ...head, records: [], checkpoints: [], trust: { certificates: [1], crls: [] } }),
      /trust\.certificates\.0/,
    ],
    [
      'a sequence number beyond 2^53, as digits',
      JSON.stringify({
        ...head,
        records: [],
        checkpoints: [
          {
            instance_id: 'a',
            seq: '99999999999999999999',
            at: 1,
            head_hash: 'x',
            kind: 'head',
            algorithm: 'x',
            signature: 'x',
            certificate: 'x',
          },
        ],
      }),
      /checkpoints\.0\.seq.*beyond 2\^53/,
    ],
    ['no JSON at all', 'not json', /is not JSON/],
  ];
  for (const [name, text, where] of cases) {
    it(name, () => {
      const path = join(dir, `${name.replace(/\W+/g, '-')}.json`);
      writeFileSync(path, text);
      expect(() => verifyArchiveFile(path)).to.throw(/malformed|not JSON/);
      const run = cli(['log', 'verify-archive', path]);
      expect(run.status).to.not.equal(0);
      expect(run.stderr).to.match(where);
      expect(run.stderr).not.to.match(/TypeError|at \w+ \(/);
    });
  }
});
