/**
 * winston, writing one JSON object a line to stdout. Each exchange logs through a child logger carrying its
 * request id, so every line of one exchange can be found with one grep.
 */
import winston from 'winston';

export type Logger = winston.Logger;

export function createLogger(level: string, options: { silent?: boolean } = {}): Logger {
  return winston.createLogger({
    level,
    silent: options.silent ?? false,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: 'smev-gateway' },
    transports: [new winston.transports.Console()],
  });
}
