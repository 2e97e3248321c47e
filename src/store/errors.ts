/**
 * Store errors the callers tell apart, on SQLite (better-sqlite3) and PostgreSQL alike. By the driver's code,
 * never by the message text, which any error (a provider's, a remote system's) may happen to contain.
 */
import { parserErrorOf, type ClientError } from '../core/http-errors.js';

/** A unique-key or primary-key violation: the row was there already (perhaps written by a concurrent writer). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Text the store cannot keep: PostgreSQL refuses a NUL character in text (22021) and in JSON (22P05), where SQLite
 * keeps it. Such text came with a request (a path, a query, a field no check looked at): the client's error.
 */
export function isUnstorableText(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '22021' || code === '22P05';
}

/**
 * The client's part of an error met while answering a request, or undefined when the error is the gateway's own:
 * what express and its body parsers raise (core/http-errors.ts), and text the store refused to keep. One place for
 * the admin API, the console, the attachments and the last error handler, which import nothing of each other.
 */
export function clientErrorOf(error: unknown): ClientError | undefined {
  if (isUnstorableText(error)) {
    return { status: 400, message: 'the request carries a character the store cannot keep (such as NUL)' };
  }
  return parserErrorOf(error);
}
