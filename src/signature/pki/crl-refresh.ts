/**
 * Keeps the trust store's CRLs as current as their files: every `crlRefreshSeconds` the CRL files are looked at,
 * and when any of them changed (time, size or inode) they are all read again and replace the held CRLs at once.
 * A CA that publishes a revocation needs no gateway restart. A file that cannot be read or holds a bad CRL leaves
 * the CRLs held as they were, and says so in the log, so a half-written file never lifts a revocation.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Logger } from 'winston';
import type { TrustStore } from './trust-store.js';

export class CrlRefresher {
  private timer: NodeJS.Timeout | undefined;
  private seen: string;

  constructor(
    private readonly trust: TrustStore,
    private readonly files: readonly string[],
    private readonly log: Pick<Logger, 'info' | 'warn'>,
  ) {
    this.seen = this.fingerprint();
  }

  /** Look every `seconds`; 0 (or no CRL files) means never. */
  start(seconds: number): this {
    if (seconds > 0 && this.files.length > 0) {
      this.timer = setInterval(() => this.refresh(), seconds * 1000);
      this.timer.unref();
    }
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Read the CRL files again when they changed since the last look; true when the store took new CRLs. */
  refresh(): boolean {
    const now = this.fingerprint();
    if (now === this.seen) return false;
    try {
      this.trust.replaceCrls(this.files.map((file) => readFileSync(file, 'utf8')));
      this.seen = now;
      this.log.info('CRL files changed: CRLs read again', { files: this.files });
      return true;
    } catch (error) {
      // Not remembered as seen: the next look tries again, e.g. once the file is written whole.
      this.log.warn('CRL files changed but could not be read; the CRLs held stay in force', {
        error: (error as Error).message,
      });
      return false;
    }
  }

  private fingerprint(): string {
    return this.files
      .map((file) => {
        try {
          const stat = statSync(file);
          return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
        } catch {
          return 'missing';
        }
      })
      .join('|');
  }
}
