/** The thread of wal-checkpointer.ts: its own connection to the store file, checkpointing on a timer. */
import { workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import type { CheckpointThreadData } from './wal-checkpointer.js';

const { file, intervalMs, rewindPages } = workerData as CheckpointThreadData;
const database = new SQLite(file, { fileMustExist: true });
// A rewind waits this long for writers and readers, which meanwhile wait for it (the request path on a timer).
database.pragma('busy_timeout = 200');

interface CheckpointResult {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}

setInterval(() => {
  try {
    const [copied] = database.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
    // Writes that never pause keep adding pages behind each copy, so the log would only grow: rewind it.
    if (copied && copied.log >= rewindPages) database.pragma('wal_checkpoint(RESTART)');
  } catch {
    // As SQLite's own checkpoints do, a failed one (a busy store, a full disk) waits for the next turn: the log
    // keeps every commit meanwhile, and a full disk is then refused to the writers, who answer for it.
  }
}, intervalMs);
