/**
 * Copies a SQLite store's write-ahead log into the store file on a thread of its own. Left to SQLite, the commit
 * that takes the log past 1,000 pages does it: a 4 MB copy and an fsync, tens of milliseconds in which the worker
 * serves no exchange. The thread checkpoints without waiting for writers a few times a second, and rewinds a log
 * that continuous writes kept from rewinding itself. Should the thread stop, the connections go back to SQLite's
 * own checkpoints.
 */
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** SQLite's own default: a connection checkpoints after a commit that takes the log past this many pages. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

export interface CheckpointThreadData {
  readonly file: string;
  /** How often the thread copies what the log holds into the store file. */
  readonly intervalMs: number;
  /** A log this many pages long is rewound once copied, waiting briefly for the writers. */
  readonly rewindPages: number;
}

export class WalCheckpointer {
  private constructor(
    private readonly thread: Worker,
    private readonly fallBack: () => void,
  ) {}

  /** Takes the checkpoints from `connections` (every connection of this process that writes to `file`). */
  static start(file: string, connections: readonly SQLite.Database[]): WalCheckpointer {
    const workerData: CheckpointThreadData = { file, intervalMs: 100, rewindPages: 4000 };
    const thread = new Worker(new URL('./wal-checkpoint-thread.js', import.meta.url), { workerData });
    thread.unref();
    const setAutocheckpoint = (pages: number) => {
      for (const connection of connections)
        if (connection.open) connection.pragma(`wal_autocheckpoint = ${pages}`);
    };
    setAutocheckpoint(0);
    const fallBack = () => setAutocheckpoint(SQLITE_AUTOCHECKPOINT_PAGES);
    // The thread ends only when its connection could not open; an 'error' left unheard would end the process.
    thread.once('error', fallBack);
    thread.once('exit', fallBack);
    return new WalCheckpointer(thread, fallBack);
  }

  async stop(): Promise<void> {
    this.thread.off('exit', this.fallBack).off('error', this.fallBack);
    await this.thread.terminate();
  }
}
