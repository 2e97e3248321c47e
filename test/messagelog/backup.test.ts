/**
 * Backup and restore round trips on a store with traffic: `smev-gateway backup` copies the SQLite store while the
 * gateway runs (SQLite's online backup) and verifies the copy; `restore` refuses while a gateway answers on the
 * port and refuses a copy that does not verify; PostgreSQL goes through pg_dump and pg_restore, as the docs say.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/config.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { createUnsignedAuditTrail } from '../../src/audit/setup.js';
import { bodySealerOf } from '../../src/messagelog/setup.js';
import { verifyStoredLog } from '../../src/messagelog/store-verify.js';
import { openStore } from '../../src/store/store.js';
import { post, signedCall, type TestGateway } from '../support/gateway.js';
import { dropSchema, freshSchema, POSTGRES_URL } from '../support/store.js';
import { MessageLogWriter } from '../../src/messagelog/writer.js';
import { gatewaySigner } from '../audit/support.js';
import { cli, recordFields, rewriteChain } from './support.js';

const send = (gateway: RunningGateway) =>
  post({ ...gateway, endpoint: `${gateway.url}/ws` } as TestGateway, signedCall().xml);

describe('backup and restore of the SQLite store (CLI)', function () {
  this.timeout(120_000);
  let dir: string;
  let configFile: string;
  let gateway: RunningGateway | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smev-gateway-backup-'));
    const settings = {
      logLevel: 'error',
      store: { sqliteFile: join(dir, 'gateway.db') },
      messageLog: { checkpointSeconds: 3600 },
    };
    gateway = await startGateway(loadConfig({ env: {}, overrides: { ...flat(settings), port: 0 } }), {
      silent: true,
    });
    // The CLI's config names the running gateway's port, so that restore can tell it runs.
    configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ ...settings, port: Number(new URL(gateway.url).port) }));
    for (let i = 0; i < 6; i++) expect((await send(gateway)).status).to.equal(200);
    await gateway.checkpoint();
  });
  after(async () => {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up while the gateway runs and verifies the copy (log and audit trail)', async () => {
    // Traffic goes on during the backup (the CLI runs as its own process, this one keeps serving): the copy is
    // one consistent moment of the store.
    const [run] = await Promise.all([
      cliAsync(['backup', '--out', join(dir, 'backup.db'), '-c', configFile]),
      send(gateway!),
      send(gateway!),
    ]);
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.match(/message log: \d+ records, (intact|UNPROVEN)/);
    expect(run.stdout).to.match(/audit trail: \d+ entries, intact/);
    expect(cli(['backup', '--out', join(dir, 'backup.db'), '-c', configFile]).stderr).to.contain('exists');
  });

  it('restore refuses while a gateway answers on the port', () => {
    const run = cli(['restore', '--from', join(dir, 'backup.db'), '-c', configFile]);
    expect(run.status).to.equal(1);
    expect(run.stderr).to.match(/a gateway answers on .*: stop it before restoring/);
  });

  it('restores a backup with the gateway stopped, after the live store was damaged, and it verifies', async () => {
    await gateway!.stop();
    gateway = undefined;
    const live = new SQLite(join(dir, 'gateway.db'));
    live.prepare('delete from message_log where seq = 3').run();
    live.close();
    expect(cli(['log', 'verify', '-c', configFile]).status).to.equal(1);
    const run = cli(['restore', '--from', join(dir, 'backup.db'), '-c', configFile]);
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.contain(`restored to ${join(dir, 'gateway.db')}`);
    // The gateway starts on the restored store and its chain goes on; then everything verifies, strictly.
    const settings = { 'store.sqliteFile': join(dir, 'gateway.db'), logLevel: 'error', port: 0 };
    const again = await startGateway(loadConfig({ env: {}, overrides: settings }), { silent: true });
    try {
      expect((await send(again)).status).to.equal(200);
    } finally {
      await again.stop();
    }
    const verify = cli(['log', 'verify', '-c', configFile]);
    expect(verify.status, verify.stdout).to.equal(0);
    expect(verify.stdout).to.contain('verdict: intact');
    expect(cli(['audit', 'verify', '-c', configFile]).status).to.equal(0);
  });

  it('refuses to restore a backup that was tampered with, and names the place', () => {
    const copy = join(dir, 'tampered.db');
    execFileSync('cp', [join(dir, 'backup.db'), copy]);
    const db = new SQLite(copy);
    db.prepare("update message_log set fault_code = 'nothing happened' where seq = 2").run();
    db.close();
    const run = cli(['restore', '--from', copy, '-c', configFile]);
    expect(run.status).to.equal(1);
    expect(run.stdout).to.match(/#2: its fields do not match its hash/);
    expect(run.stderr).to.contain('nothing was restored');
  });

  it('tells broken from unproven by the verdict, not by its text: stored values that read ": unproven" change nothing', () => {
    // The message log: an instance id that reads like the unproven problem, a record edited, the checkpoints gone.
    const log = join(dir, 'unproven-by-name.db');
    execFileSync('cp', [join(dir, 'backup.db'), log]);
    let db = new SQLite(log);
    db.prepare("update message_log set instance_id = 'x: unproven'").run();
    db.prepare("update message_log set sender = 'FORGED' where seq = 3").run();
    db.prepare('delete from message_log_checkpoints').run();
    db.close();
    let run = cli(['restore', '--from', log, '-c', configFile]);
    expect(run.status, run.stdout + run.stderr).to.equal(1);
    expect(run.stdout).to.match(/message log: \d+ records, BROKEN/);
    expect(run.stderr).to.contain('nothing was restored');
    // The audit trail: its checkpoints' algorithm named so that their problem reads ": unproven".
    const trail = join(dir, 'unproven-algorithm.db');
    execFileSync('cp', [join(dir, 'backup.db'), trail]);
    db = new SQLite(trail);
    db.prepare("update audit_checkpoints set algorithm = 'x: unproven'").run();
    db.close();
    run = cli(['restore', '--from', trail, '-c', configFile]);
    expect(run.status, run.stdout + run.stderr).to.equal(1);
    expect(run.stdout).to.match(/audit trail: \d+ entries, BROKEN/);
    expect(run.stderr).to.contain('nothing was restored');
  });

  it('refuses a backup whose log was rewritten and left with no checkpoint: unproven far longer than a crash leaves', async () => {
    // Records #1-#9 a day apart (fixture times, no wall clock), signed every third, as a stopped gateway leaves them.
    const honest = join(dir, 'daily.db');
    const store = await openStore({ sqliteFile: honest });
    try {
      const writer = await MessageLogWriter.open(store, 'i', gatewaySigner(), {
        checkpointEvery: 1000,
        checkpointSeconds: 3600,
      });
      for (let n = 1; n <= 9; n++) {
        const at = 1_700_000_000_000 + n * 86_400_000;
        await writer.record(
          recordFields({ received_at: at, answered_at: at, verification: 'not reached', sender: `S${n}` }),
        );
        if (n % 3 === 0) await writer.checkpoint();
      }
      await writer.close();
    } finally {
      await store.close();
    }
    const forged = join(dir, 'rewritten.db');
    execFileSync('cp', [honest, forged]);
    const copy = await openStore({ sqliteFile: forged });
    try {
      await copy.db.deleteFrom('message_log_checkpoints').execute();
      await rewriteChain(copy, 'i', 3, { sender: 'FORGED' });
    } finally {
      await copy.close();
    }
    const run = cli(['restore', '--from', forged, '-c', configFile]);
    expect(run.status, run.stdout + run.stderr).to.equal(1);
    expect(run.stdout).to.match(/message log: 9 records, UNPROVEN for longer than a gateway leaves records/);
    expect(run.stdout).to.match(
      /i: records 1\.\.9 are covered by no checkpoint signed with the gateway's key/,
    );
    expect(run.stderr).to.contain('nothing was restored');
    // The same store as the gateway left it restores.
    const kept = cli(['restore', '--from', honest, '-c', configFile]);
    expect(kept.status, kept.stdout + kept.stderr).to.equal(0);
    expect(kept.stdout).to.match(/message log: 9 records, intact/);
  });
});

function cliAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['dist/src/cli/main.js', ...args],
      { env: { ...process.env, LOG_LEVEL: 'error' }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function flat(settings: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      Object.assign(out, flat(v as Record<string, unknown>, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

describe('backup and restore of a PostgreSQL store with pg_dump and pg_restore', function () {
  this.timeout(120_000);
  const schema = freshSchema('backup');
  let dir: string;
  after(async () => {
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the commands docs/message-log.md gives round-trip a store with traffic, and it verifies', async () => {
    dir = mkdtempSync(join(tmpdir(), 'smev-gateway-pgdump-'));
    const config = loadConfig({
      env: {},
      overrides: {
        port: 0,
        logLevel: 'error',
        'store.databaseUrl': POSTGRES_URL,
        'store.schema': schema,
        'messageLog.sealing.keyFile': join(dir, 'message-log.key'),
      },
    });
    const gateway = await startGateway(config, { silent: true });
    try {
      for (let i = 0; i < 4; i++) expect((await send(gateway)).status).to.equal(200);
    } finally {
      await gateway.stop();
    }
    const dump = join(dir, 'gateway.dump');
    execFileSync('pg_dump', ['--format=custom', `--schema=${schema}`, `--file=${dump}`, POSTGRES_URL]);
    await dropSchema(schema);
    execFileSync('pg_restore', ['--dbname', POSTGRES_URL, '--no-owner', dump]);
    const store = await openStore({ databaseUrl: POSTGRES_URL, schema });
    try {
      const log = await verifyStoredLog(store, { sealer: bodySealerOf(config, false) });
      expect(log.problems).to.deep.equal([]);
      expect(log.records).to.equal(4);
      const audit = await createUnsignedAuditTrail(store).verify();
      expect(audit.problems).to.deep.equal([]);
    } finally {
      await store.close();
    }
  });
});
