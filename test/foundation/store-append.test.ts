/**
 * The request path's appends on a SQLite file: a lock another connection (another worker) holds is waited for on a
 * timer, so the event loop serves on meanwhile; a lock held past the busy timeout still fails the append.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { expect } from 'chai';
import { openStore, type Store } from '../../src/store/store.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const seenRow = (n: number) => ({
  message_id: `append-${n}`,
  sender: 'DEMO_CONSUMER',
  message_time: n,
  seen_at: n,
});

describe('store: the request path appends without sleeping on a lock', function () {
  this.timeout(30_000);
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'smev-gateway-append-'));
    file = join(dir, 'gateway.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function count(store: Store): Promise<number> {
    const row = await store.db
      .selectFrom('seen_message_ids')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it('waits for another connection’s write lock on a timer, serving timers meanwhile, then appends', async () => {
    const store = await openStore({ sqliteFile: file });
    const other = new SQLite(file);
    try {
      other.exec('begin immediate'); // another worker in the middle of a write
      let ticks = 0;
      const ticking = setInterval(() => ticks++, 5);
      const appended = store.append((db) => db.insertInto('seen_message_ids').values(seenRow(1)).execute());
      await sleep(150);
      const ticksWhileLocked = ticks;
      other.exec('rollback');
      await appended;
      clearInterval(ticking);
      // SQLite's busy handler would have held the event loop for the whole 150 ms: no tick at all.
      expect(ticksWhileLocked, 'timer ticks while the lock was held').to.be.greaterThan(10);
      expect(await count(store)).to.equal(1);
    } finally {
      other.close();
      await store.close();
    }
  });

  it('fails the append when the lock outlasts the busy timeout, and appends again once it is free', async () => {
    const store = await openStore({ sqliteFile: file });
    const other = new SQLite(file);
    try {
      other.exec('begin immediate');
      const started = Date.now();
      const failure = await store
        .append((db) => db.insertInto('seen_message_ids').values(seenRow(2)).execute())
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(failure).to.be.instanceOf(SQLite.SqliteError);
      expect((failure as InstanceType<typeof SQLite.SqliteError>).code).to.match(/^SQLITE_BUSY/);
      expect(Date.now() - started).to.be.within(4_000, 10_000);
      other.exec('rollback');
      await store.append((db) => db.insertInto('seen_message_ids').values(seenRow(3)).execute());
      expect(await count(store)).to.equal(1);
    } finally {
      other.close();
      await store.close();
    }
  });
});
