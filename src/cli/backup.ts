/**
 * `backup` and `restore` of the embedded SQLite store. A backup is SQLite's online backup (better-sqlite3's
 * `backup()`), consistent while the gateway runs; a restore puts a backup in place with the gateway stopped.
 * Both verify the message log and the audit trail of the copy afterwards. PostgreSQL stores are backed up with
 * pg_dump and pg_restore (docs/message-log.md).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { connect } from 'node:net';
import SQLite from 'better-sqlite3';
import type { Command } from 'commander';
import { createUnsignedAuditTrail } from '../audit/setup.js';
import { writePrivateFile } from '../core/private-file.js';
import { loadConfig, type GatewayConfig } from '../config/config.js';
import { bodySealerOf, timestampCheckOf } from '../messagelog/setup.js';
import { verifyStoredLog } from '../messagelog/store-verify.js';
import { lastOwnCheckpoint, staleTailProblem, uncoveredLimitMs } from '../messagelog/trusted-head.js';
import { onlyUnproven } from '../messagelog/verify.js';
import { onlyUnproven as onlyUnprovenEntries } from '../audit/verify.js';
import { loadCheckpointSigners } from '../signature/setup.js';
import { openStore, type Store } from '../store/store.js';
import { printLines } from './output.js';
import { withProgress } from './progress.js';

export interface StoreVerdicts {
  /** `stale`: tails no checkpoint covers that are older than a running gateway leaves them, per chain. */
  readonly log: { ok: boolean; records: number; broken: boolean; problems: string[]; stale: string[] };
  readonly audit: { ok: boolean; entries: number; broken: boolean; problems: string[] };
}

/**
 * Verifies the log and the trail of an SQLite file. `broken` means tampered or damaged; a tail not yet covered
 * by a checkpoint (the last seconds before a backup of a running gateway) is only unproven, but one older than
 * that is `stale`: the gateway would not sign on over it (staleTailProblem), so neither is it restored.
 */
export async function verifyStoreFile(
  file: string,
  config: GatewayConfig,
  /** Told as the work goes: which part (`message log`, `audit trail`) and how many of how many are checked. */
  onProgress?: (part: string, done: number, total: number) => void,
): Promise<StoreVerdicts> {
  const store = await openStore({ sqliteFile: file });
  try {
    const signers = loadCheckpointSigners(config);
    const log = await verifyStoredLog(store, {
      checkpointSigners: signers,
      sealer: bodySealerOf(config, false),
      timestamps: timestampCheckOf(config),
      onProgress: onProgress && ((done, total) => onProgress('message log', done, total)),
    });
    const audit = await createUnsignedAuditTrail(store).verify(
      signers,
      onProgress && ((done, total) => onProgress('audit trail', done, total)),
    );
    const stale = await staleTails(store, config);
    return {
      log: {
        ok: log.ok,
        records: log.records,
        broken: !log.ok && !onlyUnproven(log),
        problems: log.problems,
        stale,
      },
      audit: {
        ok: audit.ok,
        entries: audit.entries,
        broken: !audit.ok && !onlyUnprovenEntries(audit),
        problems: audit.problems,
      },
    };
  } finally {
    await store.close();
  }
}

/** Each chain's uncovered tail that is older than a running gateway leaves one, as the gateway judges it at start. */
async function staleTails(store: Store, config: GatewayConfig): Promise<string[]> {
  const { pki, messageLog } = config;
  const certificates = [pki.gatewayCertificate, ...pki.formerGatewayCertificates].map((file) =>
    readFileSync(file, 'utf8'),
  );
  const { url, timeoutMs } = messageLog.timestamping;
  const limit = uncoveredLimitMs(messageLog.checkpointSeconds, url ? timeoutMs : 0);
  const chains = await store.db.selectFrom('message_log').select('instance_id').distinct().execute();
  const stale: string[] = [];
  for (const { instance_id: instance } of chains) {
    const anchor = await lastOwnCheckpoint(store, instance, certificates);
    const problem = await staleTailProblem(store, instance, anchor, limit);
    if (problem !== undefined) stale.push(`${instance}: ${problem}`);
  }
  return stale;
}

function sqliteFileOf(config: GatewayConfig): string {
  if (config.store.databaseUrl)
    throw new Error('the store is PostgreSQL: back it up with pg_dump and pg_restore (docs/message-log.md)');
  return config.store.sqliteFile;
}

/** Whether something answers on the gateway's port: then it runs, and its store must not be replaced. */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function report(what: string, verdicts: StoreVerdicts): boolean {
  const { log, audit } = verdicts;
  const verdict = (v: { ok: boolean; broken: boolean }) =>
    v.ok ? 'intact' : v.broken ? 'BROKEN' : 'UNPROVEN';
  const logVerdict =
    log.stale.length && !log.broken ? 'UNPROVEN for longer than a gateway leaves records' : verdict(log);
  printLines(
    what,
    `message log: ${log.records} records, ${logVerdict}`,
    ...log.problems.slice(0, 20).map((problem) => `  ${problem}`),
    ...log.stale.slice(0, 20).map((problem) => `  ${problem}`),
    `audit trail: ${audit.entries} entries, ${verdict(audit)}`,
    ...audit.problems.slice(0, 20).map((problem) => `  ${problem}`),
  );
  return !log.broken && log.stale.length === 0 && !audit.broken;
}

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('copy the SQLite store consistently while the gateway runs, then verify the copy')
    .requiredOption('-o, --out <file>', 'the backup file (must not exist; written mode 600)')
    .option('-c, --config <file>')
    .action(async (options: { out: string; config?: string }) => {
      const config = loadConfig({ file: options.config });
      const source = sqliteFileOf(config);
      if (!existsSync(source)) throw new Error(`no store at ${source}`);
      if (existsSync(options.out)) throw new Error(`${options.out} exists: choose a new file`);
      const verdicts = await withProgress(async (progress) => {
        const copying = progress.phase('copying pages');
        // The copy holds what the store holds (card keys, sealed bodies): a private file, never over another.
        await writePrivateFile(
          options.out,
          async (draft) => {
            const database = new SQLite(source, { fileMustExist: true });
            try {
              const { totalPages } = await database.backup(draft, {
                progress: ({ totalPages, remainingPages }) => {
                  copying(totalPages - remainingPages, totalPages);
                  return 100; // pages a step, better-sqlite3's own figure
                },
              });
              copying(totalPages, totalPages);
            } finally {
              database.close();
            }
          },
          { replace: false },
        );
        return verifyStoreFile(options.out, config, (part, done, total) =>
          progress.update(`verifying the ${part}`, done, total),
        );
      });
      const ok = report(`backup written to ${options.out}`, verdicts);
      if (!ok) process.exitCode = 1;
    });

  program
    .command('restore')
    .description('put a backup in place of the SQLite store (the gateway stopped), after verifying it')
    .requiredOption('-i, --from <file>', 'the backup file')
    .option('-c, --config <file>')
    .option('--force', 'restore even when the backup does not verify')
    .action(async (options: { from: string; config?: string; force?: boolean }) => {
      const config = loadConfig({ file: options.config });
      const target = sqliteFileOf(config);
      if (!existsSync(options.from)) throw new Error(`no backup at ${options.from}`);
      if (await listening(config.host, config.port))
        throw new Error(`a gateway answers on ${config.host}:${config.port}: stop it before restoring`);
      const before = await withProgress((progress) =>
        verifyStoreFile(options.from, config, (part, done, total) =>
          progress.update(`verifying the ${part}`, done, total),
        ),
      );
      if (!report(`backup ${options.from}`, before) && !options.force) {
        process.exitCode = 1;
        throw new Error('the backup does not verify; nothing was restored (--force restores it anyway)');
      }
      // Copied beside the store, then renamed over it: the store is never half written. Its WAL files belong to
      // the store being replaced and would be replayed into the backup.
      await writePrivateFile(target, async (draft) => {
        await copyFile(options.from, draft);
        for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
      });
      const ok = report(`restored to ${target}`, await verifyStoreFile(target, config));
      if (!ok) process.exitCode = 1;
    });
}
