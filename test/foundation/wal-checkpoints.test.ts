/**
 * The SQLite store's WAL checkpoints run in a thread of their own: asked for after writes, never while the store
 * is idle, and with SQLite's own checkpoint raised to a safety net on the gateway's connection.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { expect } from 'chai';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/store.js';
import type { WalCheckpointReport } from '../../src/store/wal-checkpointer.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('foundation: SQLite WAL checkpoints off the event loop', function () {
  this.timeout(30_000);
  let dir: string;
  let store: Store | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'smev-wal-'))));
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('checkpoints the whole WAL shortly after writes, once for writes close together, and not while idle', async () => {
    const reports: WalCheckpointReport[] = [];
    const errors: Error[] = [];
    const file = join(dir, 'gateway.db');
    store = await openStore({
      sqliteFile: file,
      walCheckpoints: { delayMs: 50, onCheckpoint: (r) => reports.push(r), onError: (e) => errors.push(e) },
    });
    const db = store.db;
    await sql`create table filler (body text)`.execute(db);
    await pause(300);
    reports.length = 0;
    for (let i = 0; i < 20; i++) await sql`insert into filler values (${'x'.repeat(20_000)})`.execute(db);
    await pause(300);
    expect(errors).to.deep.equal([]);
    expect(reports).to.have.length(1);
    const [report] = reports as [WalCheckpointReport];
    expect(report.log).to.be.greaterThan(20 * 4);
    expect(report.checkpointed).to.equal(report.log);
    // Idle: no checkpoint is asked for.
    await pause(400);
    expect(reports).to.have.length(1);
    // What was checkpointed is in the database file itself.
    expect(statSync(file).size).to.be.greaterThan(20 * 20_000);
  });

  it("raises SQLite's own checkpoint to a safety net on the gateway's connection, and leaves other stores alone", async () => {
    const file = join(dir, 'gateway.db');
    store = await openStore({ sqliteFile: file, walCheckpoints: {} });
    const own = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db);
    expect(own.rows[0]?.wal_autocheckpoint).to.equal(10_000);
    const tool = await openStore({ sqliteFile: file });
    try {
      const theirs = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(tool.db);
      expect(theirs.rows[0]?.wal_autocheckpoint).to.equal(1000);
    } finally {
      await tool.close();
    }
  });

  it('closing the store stops the thread and leaves a database that opens whole', async () => {
    const file = join(dir, 'gateway.db');
    store = await openStore({ sqliteFile: file, walCheckpoints: { delayMs: 10 } });
    await sql`create table filler (body text)`.execute(store.db);
    await sql`insert into filler values (${'y'.repeat(50_000)})`.execute(store.db);
    await store.close();
    store = undefined;
    const database = new SQLite(file, { readonly: true });
    try {
      expect(database.pragma('integrity_check', { simple: true })).to.equal('ok');
      expect(database.prepare('select count(*) as n from filler').get()).to.deep.equal({ n: 1 });
    } finally {
      database.close();
    }
  });
});
