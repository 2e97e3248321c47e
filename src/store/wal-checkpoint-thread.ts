/**
 * The WAL checkpointer's thread (wal-checkpointer.ts): its own connection to the SQLite file, one passive
 * checkpoint each time it is asked, a report of each back. A passive checkpoint never waits for or blocks the
 * gateway's writers and readers; one already running (another gateway process's) makes this one a no-op.
 */
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const { file } = workerData as { file: string };
const database = new SQLite(file, { fileMustExist: true });

parentPort?.on('message', (message: 'checkpoint' | 'stop') => {
  if (message === 'stop') {
    database.close();
    parentPort?.close();
    return;
  }
  try {
    const [row] = database.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    parentPort?.postMessage({ log: row?.log ?? 0, checkpointed: row?.checkpointed ?? 0 });
  } catch (error) {
    parentPort?.postMessage({ error: (error as Error).message });
  }
});
