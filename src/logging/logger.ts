/**
 * winston, writing one JSON object a line to stdout. Each exchange logs through a child logger carrying its
 * request id, so every line of one exchange can be found with one grep.
 */
import winston from 'winston';
import { printableJson } from '../core/printable.js';

export type Logger = winston.Logger;

/** The line winston's transports write (triple-beam's MESSAGE), set by the json format. */
const MESSAGE = Symbol.for('message');

/**
 * Log values come from requests (a fault's reason quotes a header, a namespace): JSON escapes their C0 controls
 * but would leave DEL, the C1 controls, the line separators and the bidi controls raw, to act on the terminal of
 * whoever tails the log or to split and reorder its lines. Those are escaped too, so each line parses back to the
 * same values.
 */
const printableLine = winston.format((info) => {
  const line = info[MESSAGE];
  if (typeof line === 'string') info[MESSAGE] = printableJson(line);
  return info;
});

export function createLogger(level: string, options: { silent?: boolean } = {}): Logger {
  return winston.createLogger({
    level,
    silent: options.silent ?? false,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json(), printableLine()),
    defaultMeta: { service: 'smev-gateway' },
    transports: [new winston.transports.Console()],
  });
}

/** A request that failed on the gateway's side, logged with its stack: the client is told only `internal error`. */
export function logFailure(
  log: Logger,
  req: { readonly method: string; readonly originalUrl: string },
  error: unknown,
): void {
  log.error('request failed', {
    method: req.method,
    // The path alone: a query may carry what the log should not keep.
    path: req.originalUrl.split('?')[0]!.slice(0, 200),
    error: (error as Error | undefined)?.message,
    stack: (error as Error | undefined)?.stack,
  });
}
