/**
 * The SQLite file's disk fills up under load: the gateway as `npm start` runs it keeps its store on a small tmpfs
 * mounted for the test (a real ENOSPC, not an emulation; the test needs root and fails, rather than skips, when
 * the mount is refused). A filler file takes the last free byte while the realistic mix runs. The gateway must
 * answer with SOAP faults, not crash or hang; once the filler is gone it serves again by itself; and afterwards
 * the database passes `PRAGMA integrity_check`, nothing it acknowledged is lost or recorded twice, and the
 * message log and audit trail verify.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { sql } from 'kysely';
import { spawnGateway, type ChildGateway } from '../support/child-gateway.js';
import { expectLogsVerify, expectNothingLost, faultCodes, Load, sleep, withStore } from './support.js';

const TMPFS_SIZE = '24m';
/** The slowest answer allowed while the disk is full (busy_timeout is 5 s; the provider deadline 10 s). */
const PROMPT_MS = 8_000;

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status}): ${result.error?.message ?? ''}${result.stderr}. ` +
        'The full-disk test mounts a small tmpfs and needs root (CAP_SYS_ADMIN).',
    );
  }
}

/** Write zeros until the file system refuses; returns the bytes written. */
function fillDisk(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    for (let size = chunk.length; size >= 512;) {
      try {
        written += writeSync(fd, chunk, 0, size);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        size /= 2; // the last pages go in smaller pieces
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

describe('fault: the disk of the SQLite file fills up under load (tmpfs, real CLI)', function () {
  this.timeout(180_000);
  let mount: string | undefined;
  let mounted = false;
  let gateway: ChildGateway | undefined;

  after(async () => {
    await gateway?.kill();
    if (mounted) run('umount', [mount!]);
    if (mount) rmSync(mount, { recursive: true, force: true });
  });

  it('answers with faults while full, recovers when space is freed, and corrupts nothing', async () => {
    mount = mkdtempSync(join(tmpdir(), 'smev-gateway-full-'));
    run('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'tmpfs', mount]);
    mounted = true;
    const sqliteFile = join(mount, 'gateway.db');
    const filler = join(mount, 'filler');
    gateway = await spawnGateway({ env: { SQLITE_FILE: sqliteFile } });
    const load = new Load(gateway.endpoint, 4);
    try {
      await load.untilAcknowledged(30, 30_000);
      const full = load.now();
      const filled = fillDisk(filler);

      // The log and the replay guard write on every exchange: faults come as soon as SQLite needs a new page.
      const deadline = performance.now() + 30_000;
      while (!load.exchanges.some((e) => e.sentAt > full && e.outcome.kind === 'fault')) {
        if (performance.now() > deadline) throw new Error('no fault in 30 s with the disk full');
        await sleep(100);
      }
      const firstFault = load.now();
      await sleep(3_000);
      expect(gateway.alive(), `the gateway died with the disk full:\n${gateway.output()}`).to.equal(true);
      const freeing = load.now();
      rmSync(filler);
      await load.untilAcknowledged(30, 30_000, load.now());
      await load.stop();

      const whileFull = load.exchanges.filter((e) => e.sentAt > firstFault && e.doneAt < freeing);
      const codes = faultCodes(whileFull);
      expect(whileFull.length, 'exchanges while the disk was full').to.be.greaterThan(5);
      expect(
        Object.keys(codes).every((code) => code.startsWith('SMEVFailure/')),
        JSON.stringify(codes),
      ).to.equal(true);
      expect(
        load.failures.map((f) => `${f.item.kind}: ${f.error}`),
        'requests with no HTTP answer',
      ).to.deep.equal([]);
      const slow = load.exchanges
        .filter((e) => e.ms > PROMPT_MS)
        .map((e) => `${e.item.kind} ${e.ms.toFixed(0)} ms`);
      expect(slow, 'answers slower than the promptness bound').to.deep.equal([]);
      const acknowledged = load.acknowledged();
      process.stdout.write(
        `      ${load.exchanges.length} exchanges, ${acknowledged.length} acknowledged; filler ${(filled / 2 ** 20).toFixed(1)} MiB; ` +
          `first fault ${(firstFault - full).toFixed(0)} ms after the disk filled; while full: ` +
          `${whileFull.length} exchanges ${JSON.stringify(codes)}, ${whileFull.filter((e) => e.status === 200).length} answered 200\n`,
      );

      expect(await gateway.stop(), 'SIGTERM exit code').to.equal(0);
      await withStore({ sqliteFile }, async (store) => {
        const { rows } = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(store.db);
        expect(rows.map((r) => r.integrity_check)).to.deep.equal(['ok']);
        await expectNothingLost(store, acknowledged);
      });
      expectLogsVerify({ SQLITE_FILE: sqliteFile });
    } finally {
      await load.stop();
    }
  });
});
