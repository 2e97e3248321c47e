/**
 * Store errors the callers tell apart, on SQLite (better-sqlite3) and PostgreSQL alike. By the driver's code,
 * never by the message text, which any error (a provider's, a remote system's) may happen to contain.
 */

/** A unique-key or primary-key violation: the row was there already (perhaps written by a concurrent writer). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
