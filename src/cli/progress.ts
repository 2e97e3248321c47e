/**
 * Progress of a long command (log verify and export, audit verify, backup) on a terminal: one line per phase,
 * redrawn in place (`\r`) with the count, the total, the share done and the rate. It writes to stderr only when
 * stderr is a terminal, and nothing otherwise, so piped output, scripts and tests see exactly what they saw before.
 * The work itself only calls a plain `(done, total)` callback; this is the terminal's side of it.
 */

/** Where the progress line goes: a terminal stream, or a stand-in of one in tests. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** The callback long operations take: `done` of `total` units so far. */
export type ProgressCallback = (done: number, total: number) => void;

/** The stream new progress lines go to; tests put a stand-in here. */
export const progressOutput: { stream: ProgressStream } = { stream: process.stderr };

export interface ProgressOptions {
  readonly stream?: ProgressStream;
  /** Milliseconds; tests pass a fake clock. */
  readonly now?: () => number;
  /** Least time between two redraws of the line. */
  readonly intervalMs?: number;
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

export class Progress {
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private label: string | undefined;
  private started = 0;
  private lastDraw = -Infinity;
  private last: { done: number; total: number; at: number } | undefined;
  private drawn = false;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? progressOutput.stream;
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? 100;
  }

  /** Whether anything is shown at all: only on a terminal. */
  get active(): boolean {
    return this.stream.isTTY === true;
  }

  /** A callback for one phase of the work, shown under `label`; a new phase ends the line of the one before. */
  phase(label: string): ProgressCallback {
    return (done, total) => this.update(label, done, total);
  }

  update(label: string, done: number, total: number): void {
    if (!this.active) return;
    const now = this.now();
    if (label !== this.label) {
      this.endLine();
      this.label = label;
      this.started = now;
      this.lastDraw = -Infinity;
    }
    this.last = { done, total, at: now };
    if (done < total && now - this.lastDraw < this.intervalMs) return;
    this.draw(now);
  }

  /** Ends the current line (its final figures, then a newline), so that what the command prints next starts clean. */
  end(): void {
    if (!this.active) return;
    this.endLine();
    this.label = undefined;
  }

  private endLine(): void {
    if (this.label === undefined || this.last === undefined) return;
    this.draw(this.last.at);
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
    this.last = undefined;
  }

  private draw(now: number): void {
    if (this.label === undefined || this.last === undefined) return;
    const { done, total } = this.last;
    const seconds = (now - this.started) / 1000;
    const share = total > 0 ? ` (${Math.floor((100 * Math.min(done, total)) / total)}%)` : '';
    const rate = seconds > 0 ? `, ${count(done / seconds)}/s` : '';
    // `\x1b[K` clears what a longer earlier line left to the right.
    this.stream.write(`\r${this.label}: ${count(done)}/${count(total)}${share}${rate}\x1b[K`);
    this.drawn = true;
    this.lastDraw = now;
  }
}

/** Runs `work` with a progress display on the terminal, and ends its line however the work ends. */
export async function withProgress<T>(work: (progress: Progress) => Promise<T> | T): Promise<T> {
  const progress = new Progress();
  try {
    return await work(progress);
  } finally {
    progress.end();
  }
}
