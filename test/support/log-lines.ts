import { Writable } from 'node:stream';
import winston from 'winston';
import type { Logger } from '../../src/logging/logger.js';

/** The lines `log` writes from now on, at `level` and up (the level it has, when none is given). */
export function captureLines(log: Logger, level?: string): string[] {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  log.silent = false;
  if (level) log.level = level;
  log.clear().add(new winston.transports.Stream({ stream }));
  return lines;
}
