/**
 * The message log proves itself: checkpoints keep coming on the default interval, RFC 3161 tokens from a real TSA
 * on loopback (and refusal once it has been down past the grace period), bodies sealed at rest, a body kept or
 * left out by the payload namespace of every message stored, and /health telling the log's size and free space.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/config.js';
import { newExchange } from '../../src/exchange/context.js';
import { ExchangeRecorder } from '../../src/exchange/recorder.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logging/logger.js';
import { exportArchive, verifyArchiveFile } from '../../src/messagelog/archive.js';
import { BodyPolicy } from '../../src/messagelog/body-policy.js';
import { timestampedData, checkpointData } from '../../src/messagelog/record.js';
import { KeyCheckpointSigner } from '../../src/audit/checkpoint-signer.js';
import { TsaClient } from '../../src/timestamp/tsa-client.js';
import { BodySealer, loadBodyKey } from '../../src/messagelog/sealing.js';
import { bodySealerOf, timestampCheckOf } from '../../src/messagelog/setup.js';
import { verifyStoredLog } from '../../src/messagelog/store-verify.js';
import { openBodies, type Checkpoint, type TimestampCheck } from '../../src/messagelog/verify.js';
import { openStore } from '../../src/store/store.js';
import { post, signedCall, type TestGateway, useGateway } from '../support/gateway.js';
import { startTestTsa, type TestTsa } from '../support/tsa.js';
import { cli } from './support.js';

const CARDS_NS = 'urn://smev-gateway/services/cards/1.0';
const PING_NS = 'urn://smev-gateway/services/ping/1.0';
const marked = (marker: string) =>
  signedCall({
    payload: `<ping:PingRequest xmlns:ping="${PING_NS}"><ping:Text>${marker}</ping:Text></ping:PingRequest>`,
  });

async function checkpoints(gateway: { store: RunningGateway['store'] }) {
  const rows = await gateway.store.db
    .selectFrom('message_log_checkpoints')
    .selectAll()
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) }));
}

/** `/health` as an operator reads it: the public answer is only up or down. */
async function healthOf(gateway: TestGateway): Promise<unknown> {
  const { token } = await gateway.registry.createToken(
    { name: `health-${Math.random()}`, role: 'operator' },
    'op',
    'operator',
  );
  return (await fetch(`${gateway.url}/health`, { headers: { authorization: `Bearer ${token}` } })).json();
}

describe('message log: checkpoints keep coming (default checkpointSeconds)', function () {
  this.timeout(90_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'smev-gateway-proof-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a gateway idle past the interval, then sent traffic, covers every record within the interval and at shutdown', async () => {
    const config = loadConfig({
      env: {},
      overrides: { port: 0, logLevel: 'error', 'store.sqliteFile': join(dir, 'gateway.db') },
    });
    expect(config.messageLog.checkpointSeconds).to.equal(10);
    const gateway = await startGateway(config, { silent: true });
    try {
      // Longer than the interval with nothing to sign: the tick that finds nothing must not stop the next ones.
      await new Promise((r) => setTimeout(r, 11_000));
      const sentAt = Date.now();
      for (let i = 0; i < 3; i++) {
        const answer = await postTo(gateway, signedCall().xml);
        expect(answer.status).to.equal(200);
      }
      let covering: { seq: number; at: number } | undefined;
      while (!covering && Date.now() - sentAt < 12_000) {
        covering = (await checkpoints(gateway)).find((c) => c.kind === 'head' && c.seq >= 3);
        if (!covering) await new Promise((r) => setTimeout(r, 200));
      }
      expect(covering, 'a checkpoint covering #3').to.not.equal(undefined);
      expect(covering!.at - sentAt).to.be.at.most(10_000);
      const verdict = await verifyStoredLog(gateway.store);
      expect(verdict.problems).to.deep.equal([]);
      // One more, then shutdown: the last checkpoint covers it.
      expect((await postTo(gateway, signedCall().xml)).status).to.equal(200);
    } finally {
      await gateway.stop();
    }
    const store = await openStore({ sqliteFile: join(dir, 'gateway.db') });
    try {
      const verdict = await verifyStoredLog(store);
      expect(verdict.problems).to.deep.equal([]);
      expect(verdict.records).to.equal(4);
    } finally {
      await store.close();
    }
  });
});

function postTo(gateway: RunningGateway, xml: string) {
  return post({ ...gateway, endpoint: `${gateway.url}/ws` } as TestGateway, xml);
}

describe('message log: RFC 3161 time-stamps from a TSA on loopback', function () {
  this.timeout(120_000);
  let tsa: TestTsa;
  let dir: string;

  before(async () => {
    tsa = await startTestTsa();
    dir = mkdtempSync(join(tmpdir(), 'smev-gateway-tsa-archive-'));
  });
  const gateway = useGateway(() => ({
    overrides: {
      'messageLog.checkpointSeconds': 3600,
      'messageLog.timestamping': { url: tsa.url, tsaCertificate: tsa.certificateFile, graceSeconds: 1 },
    },
  }));
  after(async () => {
    await tsa?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Each checkpoint given a time `at` tells, re-signed with the gateway's key and stamped by the TSA now: what the
   * holder of that key could make of a history, after the fact.
   */
  async function restampedAt(
    checkpoints: Array<Checkpoint & { timestamp_token: string | null }>,
    at: (checkpoint: Checkpoint) => number,
  ): Promise<void> {
    const signer = new KeyCheckpointSigner(
      createPrivateKey(readFileSync('certs-sample/gateway.key.pem')),
      readFileSync('certs-sample/gateway.crt.pem', 'utf8'),
    );
    const client = new TsaClient(tsa.url, tsa.certificateFile);
    for (const checkpoint of checkpoints) {
      checkpoint.at = at(checkpoint);
      const data = checkpointData(
        checkpoint.instance_id,
        Number(checkpoint.seq),
        checkpoint.head_hash,
        checkpoint.at,
        checkpoint.kind,
      );
      const signed = signer.sign(data);
      checkpoint.signature = signed.signature;
      checkpoint.timestamp_token = (await client.stamp(timestampedData(data, signed.signature))).toString(
        'base64',
      );
    }
  }

  /** Export the whole log to `file`, check it verifies with the configured TSA check, and return that check. */
  async function exportVerified(file: string): Promise<TimestampCheck> {
    await exportArchive(
      gateway.store,
      { from: new Date(0), to: new Date(Date.now() + 60_000) },
      { certificates: [readFileSync('certs-sample/ca.crt.pem', 'utf8')], crls: [] },
      file,
      bodySealerOf(gateway.config, false),
    );
    const check = timestampCheckOf(gateway.config) as TimestampCheck;
    expect(check.graceMs).to.equal(1000); // the configured graceSeconds
    expect(verifyArchiveFile(file, undefined, check).problems).to.deep.equal([]);
    return check;
  }

  it('time-stamps each checkpoint; the token verifies with `openssl ts -verify` over the checkpoint', async () => {
    expect((await post(gateway, signedCall().xml)).status).to.equal(200);
    await gateway.checkpoint();
    const [checkpoint] = await checkpoints(gateway);
    expect(checkpoint!.timestamp_token).to.be.a('string');
    const data = timestampedData(
      checkpointData(checkpoint!.instance_id, checkpoint!.seq, checkpoint!.head_hash, checkpoint!.at, 'head'),
      checkpoint!.signature,
    );
    writeFileSync(join(dir, 'data.bin'), data);
    writeFileSync(join(dir, 'token.der'), Buffer.from(checkpoint!.timestamp_token!, 'base64'));
    const out = execFileSync(
      'openssl',
      ['ts', '-verify', '-data', 'data.bin', '-in', 'token.der', '-token_in', '-CAfile', tsa.caFile],
      { cwd: dir, encoding: 'utf8', stdio: 'pipe' },
    );
    expect(out).to.contain('Verification: OK');
  });

  it('archives carry the tokens; verify-archive checks them against the TSA certificate and names a forged one', async () => {
    const file = join(dir, 'archive.json');
    const cert = await exportVerified(file);
    const archive = JSON.parse(readFileSync(file, 'utf8')) as { checkpoints: { timestamp_token: string }[] };
    // A token from the same TSA, but over other data: a real token moved onto this checkpoint.
    const other = execFileSync('openssl', ['rand', '-hex', '8'], { encoding: 'utf8' });
    const { TsaClient } = await import('../../src/timestamp/tsa-client.js');
    const moved = await new TsaClient(tsa.url, tsa.certificateFile).stamp(Buffer.from(other));
    archive.checkpoints[0]!.timestamp_token = moved.toString('base64');
    writeFileSync(join(dir, 'forged.json'), JSON.stringify(archive));
    const verdict = verifyArchiveFile(join(dir, 'forged.json'), undefined, cert);
    expect(verdict.ok).to.equal(false);
    expect(verdict.firstBroken?.problem).to.match(/time-stamp: the token is over other data/);
    // Checked against another certificate, the genuine token does not verify either.
    const wrong = verifyArchiveFile(file, undefined, {
      ...cert,
      tsaCertificate: readFileSync(tsa.caFile, 'utf8'),
    });
    expect(wrong.firstBroken?.problem).to.match(/time-stamp: .*signature does not verify/);
  });

  it('a checkpoint whose token is gone, or that was re-signed with a past time and stamped now, proves nothing', async () => {
    expect((await post(gateway, signedCall().xml)).status).to.equal(200);
    await gateway.checkpoint();
    const file = join(dir, 'proven.json');
    const cert = await exportVerified(file);
    type Stamped = { checkpoints: Array<Checkpoint & { timestamp_token: string | null }> };
    const verdictOf = (name: string, change: (archive: Stamped) => Promise<void> | void) =>
      (async () => {
        const archive = JSON.parse(readFileSync(file, 'utf8')) as Stamped;
        await change(archive);
        writeFileSync(join(dir, name), JSON.stringify(archive));
        return verifyArchiveFile(join(dir, name), undefined, cert);
      })();

    // Tokens stripped: the signatures still hold, but no checkpoint proves its time.
    const stripped = await verdictOf('stripped.json', (archive) => {
      for (const checkpoint of archive.checkpoints) checkpoint.timestamp_token = null;
    });
    expect(stripped.ok).to.equal(false);
    expect(stripped.problems.join('\n')).to.match(/not covered by a trusted checkpoint: unproven/);
    expect(verifyArchiveFile(join(dir, 'stripped.json'), undefined, undefined).ok).to.equal(true);

    // Re-signed by the holder of the gateway's key with a time ten days back, stamped now: the token is genuine,
    // but made long after the time it would prove.
    const backdated = await verdictOf('backdated.json', (archive) =>
      restampedAt(archive.checkpoints, () => Date.now() - 10 * 86_400_000),
    );
    expect(backdated.ok).to.equal(false);
    expect(backdated.problems.join('\n')).to.match(/not covered by a trusted checkpoint: unproven/);
  });

  it("the grace a token may come late is the writing gateway's graceSeconds, from its configuration or --tsa-grace", async () => {
    expect((await post(gateway, signedCall().xml)).status).to.equal(200);
    await gateway.checkpoint();
    const file = join(dir, 'late.json');
    const check = await exportVerified(file);
    // Each checkpoint re-signed with its time an hour back and stamped now: an hour late, past this gateway's
    // grace of one second, within the default four hours.
    const archive = JSON.parse(readFileSync(file, 'utf8')) as {
      checkpoints: Array<Checkpoint & { timestamp_token: string | null }>;
    };
    await restampedAt(archive.checkpoints, (checkpoint) => Number(checkpoint.at) - 3_600_000);
    const late = join(dir, 'late-stamped.json');
    writeFileSync(late, JSON.stringify(archive));
    expect(verifyArchiveFile(late, undefined, check).ok).to.equal(false);
    expect(verifyArchiveFile(late, undefined, { ...check, graceMs: 4 * 3_600_000 }).problems).to.deep.equal(
      [],
    );

    // The same through the CLI: the sample configuration has no TSA, so the certificate and the grace are given.
    const verifyCli = (...extra: string[]) =>
      cli(['log', 'verify-archive', late, '--tsa-cert', tsa.certificateFile, '--quiet', ...extra]);
    const strict = verifyCli('--tsa-grace', '1');
    expect(strict.status, strict.stdout + strict.stderr).to.equal(1);
    expect(strict.stdout).to.match(/unproven/);
    const lenient = verifyCli();
    // Intact; 3 and not 0 only because the exported range runs past now, so its end is not proven.
    expect(lenient.status, lenient.stdout + lenient.stderr).to.equal(3);
    expect(lenient.stdout).to.match(/^verdict: intact$/m);
    const bad = verifyCli('--tsa-grace', 'soon');
    expect(bad.status).to.not.equal(0);
    expect(bad.stderr).to.match(/--tsa-grace must be a positive number of seconds, not soon/);
  });

  it('a TSA that is down: exchanges go on for the grace period, then are refused, and resume when it is back', async () => {
    await tsa.down();
    try {
      expect((await post(gateway, signedCall().xml)).status).to.equal(200);
      await gateway.checkpoint(); // signed, but the token cannot be had
      const health = (await healthOf(gateway)) as {
        messageLog: { timestamping: { configured: boolean; unstampedSince?: string } };
      };
      expect(health.messageLog.timestamping.configured).to.equal(true);
      expect(health.messageLog.timestamping.unstampedSince).to.be.a('string');
      await new Promise((r) => setTimeout(r, 1200)); // past graceSeconds: 1
      const refused = await post(gateway, signedCall().xml);
      expect(refused.status).to.equal(500);
      expect(refused.body).to.contain('SMEVFailure');
      expect(refused.body).to.contain('message log');
      const degraded = (await healthOf(gateway)) as {
        status: string;
        messageLog: { timestamping: { overdue: boolean } };
      };
      expect(degraded.messageLog.timestamping.overdue).to.equal(true);
      expect(degraded.status).to.equal('degraded');
    } finally {
      await tsa.up();
    }
    await gateway.checkpoint(); // the TSA is back: the waiting checkpoint gets its token
    expect((await checkpoints(gateway)).every((c) => c.timestamp_token !== null)).to.equal(true);
    expect((await post(gateway, signedCall().xml)).status).to.equal(200);
  });
});

describe('message log: bodies sealed at rest', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'smev-gateway-seal-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const start = (keyFile: string, formerKeyFiles: string[] = []) =>
    startGateway(
      loadConfig({
        env: {},
        overrides: {
          port: 0,
          logLevel: 'error',
          'store.sqliteFile': join(dir, 'gateway.db'),
          'messageLog.sealing': { keyFile, formerKeyFiles },
        },
      }),
      { silent: true },
    );

  it('creates the key file 0600 on first start; the store files, read as bytes, hold no request text', async () => {
    const keyFile = join(dir, 'keys', 'a.key');
    const gateway = await start(keyFile);
    try {
      expect(statSync(keyFile).mode & 0o777).to.equal(0o600);
      const marker = `MARKER-${process.pid}-${Date.now()}`;
      const request = marked(marker);
      expect((await postTo(gateway, request.xml)).status).to.equal(200);
      const bytes = ['gateway.db', 'gateway.db-wal']
        .map((f) => {
          try {
            return readFileSync(join(dir, f));
          } catch {
            return Buffer.alloc(0);
          }
        })
        .reduce((a, b) => Buffer.concat([a, b]));
      expect(bytes.length).to.be.greaterThan(0);
      expect(bytes.includes(Buffer.from(marker))).to.equal(false);
      expect(bytes.includes(Buffer.from('SenderProvidedRequestData'))).to.equal(false);
      expect(bytes.includes(Buffer.from('X509Certificate'))).to.equal(false);
      // An auditor holding the key reads the request as it was received, and its digest holds.
      await gateway.checkpoint();
      const config = loadConfig({
        env: {},
        overrides: { 'store.sqliteFile': join(dir, 'gateway.db'), 'messageLog.sealing': { keyFile } },
      });
      const verdict = await verifyStoredLog(gateway.store, { sealer: bodySealerOf(config, false) });
      expect(verdict.problems).to.deep.equal([]);
      const row = await gateway.store.db.selectFrom('message_log').selectAll().executeTakeFirstOrThrow();
      expect(openBodies(row, bodySealerOf(config, false), []).request_xml).to.equal(request.xml);
    } finally {
      await gateway.stop();
    }
  });

  it('key rotation: a new key seals new records, the former one still opens the old', async () => {
    const [a, b] = [join(dir, 'keys', 'a.key'), join(dir, 'keys', 'b.key')];
    const gateway = await start(b, [a]);
    try {
      expect((await postTo(gateway, marked('after rotation').xml)).status).to.equal(200);
      const rows = await gateway.store.db.selectFrom('message_log').selectAll().orderBy('seq').execute();
      const ids = rows.map((r) => r.request_xml!.split(':')[2]);
      expect(ids[0]).to.equal(loadBodyKey(a).id);
      expect(ids.at(-1)).to.equal(loadBodyKey(b).id);
      const both = bodySealerOf(
        loadConfig({ env: {}, overrides: { 'messageLog.sealing': { keyFile: b, formerKeyFiles: [a] } } }),
        false,
      );
      for (const row of rows) expect(openBodies(row, both, []).request_xml).to.contain('PingRequest');
      // Without the former key the old bodies cannot be opened, and verification says which key is missing.
      const onlyNew = bodySealerOf(
        loadConfig({ env: {}, overrides: { 'messageLog.sealing': { keyFile: b } } }),
        false,
      );
      const problems: string[] = [];
      openBodies(rows[0]!, onlyNew, problems);
      expect(problems[0]).to.match(/sealed with key \w+, which is not configured/);
    } finally {
      await gateway.stop();
    }
  });

  it('each body gets an IV of its own (600 bodies, past one pool of IVs); each opens only in its record', () => {
    const sealer = new BodySealer(loadBodyKey(join(dir, 'iv.key'), true));
    const sealed = Array.from({ length: 600 }, (_, seq) => sealer.seal('the same text', 'instance-a', seq));
    const ivs = sealed.map((text) =>
      Buffer.from(text.split(':')[3] ?? '', 'base64')
        .subarray(0, 12)
        .toString('hex'),
    );
    expect(new Set(ivs).size).to.equal(600);
    sealed.forEach((text, seq) => expect(sealer.open(text, 'instance-a', seq)).to.equal('the same text'));
    expect(() => sealer.open(sealed[5] as string, 'instance-a', 6)).to.throw(/does not open/);
  });

  it('processes that make a missing key file at once all read one whole key, and leave no drafts', async () => {
    const keyDir = mkdtempSync(join(dir, 'race-'));
    const file = join(keyDir, 'message-log.key');
    const sealing = new URL('../../src/messagelog/sealing.js', import.meta.url).href;
    // Each process waits for the same moment, then makes (or reads) the key and prints its id.
    const at = Date.now() + 1500;
    const script = `const { loadBodyKey } = await import(${JSON.stringify(sealing)});
      while (Date.now() < ${at});
      process.stdout.write(loadBodyKey(${JSON.stringify(file)}, true).id);`;
    const ids = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<string>((resolve, reject) =>
            execFile(process.execPath, ['--input-type=module', '-e', script], (error, stdout, stderr) =>
              error ? reject(new Error(stderr)) : resolve(stdout),
            ),
          ),
      ),
    );
    expect(new Set(ids).size).to.equal(1);
    expect(ids[0]).to.equal(loadBodyKey(file).id);
    expect(readdirSync(keyDir)).to.deep.equal(['message-log.key']);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
  });

  it('refuses a key file others may read, and one that is not a 256-bit key', () => {
    const loose = join(dir, 'loose.key');
    writeFileSync(loose, `${Buffer.alloc(32, 1).toString('base64')}\n`);
    chmodSync(loose, 0o644);
    expect(() => loadBodyKey(loose)).to.throw(/may be read by others/);
    const short = join(dir, 'short.key');
    writeFileSync(short, 'c2hvcnQ=\n', { mode: 0o600 });
    expect(() => loadBodyKey(short)).to.throw(/256-bit/);
  });
});

describe('message log: bodies kept by the payload namespace of every message stored', () => {
  const log = createLogger('error', { silent: true });
  const policy = new BodyPolicy([PING_NS]);
  const exchange = (namespaces: string[] | undefined, verified: boolean) => {
    const e = newExchange(
      'x',
      { body: Buffer.from('<a/>'), contentType: 'text/xml', soapAction: '', tooLarge: false },
      log,
    );
    const record = new ExchangeRecorder(e);
    record.text = '<a/>';
    if (namespaces) record.payloadNamespaces = namespaces;
    if (verified) {
      record.sender = {
        mnemonic: 'DEMO_CONSUMER',
        humanReadableName: 'DEMO_CONSUMER',
        certificateThumbprint: 'x',
      };
    }
    return record;
  };
  const result = {
    status: 200,
    contentType: 'text/xml',
    body: '<answer/>',
    operation: 'GetResponse',
    faultCode: undefined,
  };

  it('an answer handed out in a namespace not configured is left out (GetResponse of a card)', () => {
    expect(exchange([CARDS_NS], true).logRecord(result, policy)).to.include({
      request_xml: null,
      answer_xml: null,
    });
  });
  it('a configured namespace is kept when the sender was verified, and only then', () => {
    expect(exchange([PING_NS], true).logRecord(result, policy)).to.include({ answer_xml: '<answer/>' });
    expect(exchange([PING_NS], false).logRecord(result, policy)).to.include({ answer_xml: null });
  });
  it('no payload at all (an empty queue, garbage) is left out: omission is the default', () => {
    expect(exchange(undefined, true).logRecord(result, policy)).to.include({ answer_xml: null });
    expect(exchange([PING_NS, ''], true).logRecord(result, policy)).to.include({ answer_xml: null });
  });
  it('below the disk-space floor nothing is kept, digests and size only', () => {
    const low = new BodyPolicy([PING_NS], () => true);
    const record = exchange([PING_NS], true).logRecord(result, low);
    expect(record).to.include({ request_xml: null, answer_xml: null, request_bytes: 4 });
  });
});

describe('message log: /health tells its size and the free space; /ws is rate limited by default', function () {
  this.timeout(60_000);
  const gateway = useGateway();

  it('reports the log size, the free space, its floor, sealing and that no TSA is configured', async () => {
    await post(gateway, signedCall().xml);
    const health = (await healthOf(gateway)) as {
      status: string;
      messageLog: {
        logBytes: number;
        freeBytes: number;
        minFreeBytes: number;
        low: boolean;
        sealed: boolean;
        timestamping: { configured: boolean };
      };
    };
    expect(health.status).to.equal('up');
    expect(health.messageLog.logBytes).to.be.greaterThan(0);
    expect(health.messageLog.freeBytes).to.be.greaterThan(0);
    expect(health.messageLog.minFreeBytes).to.equal(1024 * 1024 * 1024);
    expect(health.messageLog).to.include({ sealed: true, low: false });
    expect(health.messageLog.timestamping.configured).to.equal(false);
  });

  it('limits /ws per source by default', () => {
    expect(gateway.config.http.rateLimit.soap).to.equal(6000);
    expect(gateway.config.messageLog.retentionDays).to.be.greaterThan(0);
  });
});
