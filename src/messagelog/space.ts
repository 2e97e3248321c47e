/**
 * The log's footprint and the disk under it, for the body policy's floor and for /health: free bytes on the
 * store's file system (statfs), and the size of the log (the SQLite files, or the PostgreSQL tables).
 */
import { existsSync, statSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { sql } from 'kysely';
import type { Store } from '../store/store.js';

export interface SpaceReport {
  readonly logBytes: number;
  readonly freeBytes: number;
  readonly minFreeBytes: number;
  readonly low: boolean;
}

export class LogSpace {
  private lowNow = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly sqliteFile: string,
    private readonly minFreeBytes: number,
  ) {}

  /** Re-reads the free space every `seconds`; `low()` answers from the last reading, cheaply, on the hot path. */
  watch(seconds = 10): this {
    this.lowNow = this.freeBytes() < this.minFreeBytes;
    this.timer = setInterval(() => {
      this.lowNow = this.freeBytes() < this.minFreeBytes;
    }, seconds * 1000);
    this.timer.unref();
    return this;
  }

  close(): void {
    clearInterval(this.timer);
  }

  low(): boolean {
    return this.lowNow;
  }

  freeBytes(): number {
    // The folder of the SQLite file; for PostgreSQL the gateway's own working folder (the database's disk is
    // the database's operator's to watch).
    const folder = this.store.dialect === 'sqlite' ? dirname(resolve(this.sqliteFile)) : process.cwd();
    const stats = statfsSync(folder);
    return stats.bavail * stats.bsize;
  }

  async logBytes(): Promise<number> {
    if (this.store.dialect === 'postgres') {
      const { rows } = await sql<{ bytes: string }>`select (pg_total_relation_size('message_log')
        + pg_total_relation_size('message_log_checkpoints'))::text as bytes`.execute(this.store.db);
      return Number(rows[0]?.bytes ?? 0);
    }
    // The whole SQLite store: the log is most of it, and its pages cannot be told apart cheaply.
    return ['', '-wal', '-shm']
      .map((suffix) => `${this.sqliteFile}${suffix}`)
      .filter((file) => existsSync(file))
      .reduce((sum, file) => sum + statSync(file).size, 0);
  }

  async report(): Promise<SpaceReport> {
    const freeBytes = this.freeBytes();
    this.lowNow = freeBytes < this.minFreeBytes;
    return { logBytes: await this.logBytes(), freeBytes, minFreeBytes: this.minFreeBytes, low: this.lowNow };
  }
}
