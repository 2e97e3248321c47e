/**
 * WAL checkpoints of the SQLite store off the event loop. SQLite's own checkpoint runs inside the commit that
 * crosses its threshold: under load, every few hundred exchanges one of them copied megabytes into the database
 * file and synced it while every other exchange of that process waited. Here the gateway's connection leaves that
 * to a thread of its own, asked for a passive checkpoint a short while after a write (never while the store is
 * idle). SQLite's own checkpoint stays as a safety net at a higher threshold, and takes over again if the thread
 * fails.
 */
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** What one checkpoint did: frames in the WAL, and how many of them are now in the database file. */
export interface WalCheckpointReport {
  readonly log: number;
  readonly checkpointed: number;
}

export interface WalCheckpointerOptions {
  /** How long after a write the checkpoint is asked for: writes within it share one checkpoint. */
  readonly delayMs?: number;
  readonly onCheckpoint?: (report: WalCheckpointReport) => void;
  readonly onError?: (error: Error) => void;
}

/** SQLite's default threshold (pages of WAL), in force when no checkpointer runs. */
export const SQLITE_AUTOCHECKPOINT = 1000;
/** The safety net while the checkpointer runs: only a WAL it cannot keep up with reaches it. */
const FALLBACK_AUTOCHECKPOINT = 10_000;

export class WalCheckpointer {
  private readonly worker: Worker;
  private armed = false;
  private failed = false;

  constructor(
    private readonly database: SQLite.Database,
    file: string,
    private readonly options: WalCheckpointerOptions = {},
  ) {
    this.worker = new Worker(new URL('./wal-checkpoint-thread.js', import.meta.url), {
      workerData: { file },
    });
    this.worker.unref();
    this.worker.on('message', (report: WalCheckpointReport | { error: string }) => {
      if ('error' in report) this.options.onError?.(new Error(`WAL checkpoint failed: ${report.error}`));
      else this.options.onCheckpoint?.(report);
    });
    this.worker.on('error', (error) => this.fail(error));
    database.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT}`);
  }

  /** The store was written: a checkpoint follows shortly, one for all the writes until then. */
  written(): void {
    if (this.armed || this.failed) return;
    this.armed = true;
    setTimeout(() => {
      this.armed = false;
      if (!this.failed) this.worker.postMessage('checkpoint');
    }, this.options.delayMs ?? 200).unref();
  }

  /** Stop the thread after the checkpoint it may be running; its connection is closed. */
  async stop(): Promise<void> {
    if (this.failed) return;
    this.failed = true;
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage('stop');
    await exited;
  }

  private fail(error: Error): void {
    this.failed = true;
    this.database.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`);
    this.options.onError?.(error);
  }
}
