/**
 * The gateway store: kysely over better-sqlite3 (the embedded default, WAL) or PostgreSQL (`databaseUrl`).
 * Opening a store migrates it to the latest schema.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';

export type StoreDialect = 'sqlite' | 'postgres';

/**
 * The most rows one multi-row insert carries: SQLite binds at most 32,766 values to a statement, and 1,000 rows
 * stay within that for tables of up to 32 columns. Batches of the hot path (the message log, the seen-set) are
 * cut to this, since a flood can bring more in one turn of the event loop, and so are the lists a message brings.
 */
export const MAX_ROWS_PER_INSERT = 1000;

/** `items` in pieces of at most `size`: rows to insert, or values of an `in (…)` list, one statement a piece. */
export function inPieces<T>(items: readonly T[], size = MAX_ROWS_PER_INSERT): T[][] {
  const pieces: T[][] = [];
  for (let i = 0; i < items.length; i += size) pieces.push(items.slice(i, i + size));
  return pieces;
}

export interface StoreOptions {
  databaseUrl?: string | undefined;
  sqliteFile?: string;
  /** PostgreSQL schema to work in (created if missing); tests use a fresh one per run. */
  schema?: string;
  /**
   * Make the store when it does not exist (the gateway's first start). Tools that work on the gateway's store
   * pass false: a mistyped SQLite file or schema is then an error, not a silent second, empty store.
   */
  create?: boolean;
}

/** The store a command found missing, with where it looked. */
export class StoreMissingError extends Error {
  override name = 'StoreMissingError';
}

/** Which store the options name, for people: `SQLite /abs/file` or `PostgreSQL host/db, schema s` (no password). */
export function describeStore(options: StoreOptions): string {
  if (!options.databaseUrl) return `SQLite ${resolve(options.sqliteFile ?? 'data/gateway.db')}`;
  let where = 'PostgreSQL';
  try {
    const url = new URL(options.databaseUrl);
    where = `PostgreSQL ${url.host}${url.pathname}`;
  } catch {
    // Not a URL (a libpq key=value string): name only the kind, it may hold a password.
  }
  return options.schema ? `${where}, schema ${options.schema}` : where;
}

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /**
   * Runs one of the request path's batched appends (message-log records, seen MessageIDs). On a SQLite file it runs
   * over a connection of its own that never sleeps for a lock: SQLite's busy handler sleeps inside the statement,
   * so a lock held by another worker of the same store stopped every exchange of this one for 1 to 100 ms. A busy
   * store is tried again on a timer instead, while the event loop serves on (appendWhenUnlocked).
   */
  append<T>(write: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Round trip to the database; throws when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const create = options.create ?? true;
  const sqliteFile = options.sqliteFile ?? 'data/gateway.db';
  if (!create && !options.databaseUrl && sqliteFile !== ':memory:' && !existsSync(sqliteFile)) {
    throw new StoreMissingError(missingStoreMessage(options));
  }
  const store = options.databaseUrl ? openPostgres(options.databaseUrl, options.schema) : openSqlite(options);
  if (store.dialect === 'postgres' && !create && !(await hasMigrations(store.db, options.schema))) {
    await store.close();
    throw new StoreMissingError(missingStoreMessage(options));
  }
  if (store.dialect === 'postgres' && options.schema) {
    await sql`create schema if not exists ${sql.id(options.schema)}`.execute(store.db);
  }
  await migrate(store.db, store.dialect === 'postgres' ? options.schema : undefined);
  return store;
}

function missingStoreMessage(options: StoreOptions): string {
  return (
    `no gateway store at ${describeStore(options)}: start the gateway once to create it, or point this command ` +
    'at the store the gateway uses (--config, SQLITE_FILE, DATABASE_URL, DATABASE_SCHEMA)'
  );
}

/** Has a gateway ever migrated this PostgreSQL schema (or the connection's current one)? */
async function hasMigrations(db: Kysely<Database>, schema: string | undefined): Promise<boolean> {
  const found = await sql<{ found: number }>`
    select 1 as found from information_schema.tables
    where table_name = 'kysely_migration' and table_schema = coalesce(${schema ?? null}, current_schema())`.execute(
    db,
  );
  return found.rows.length > 0;
}

async function migrate(db: Kysely<Database>, schema: string | undefined): Promise<void> {
  // The migration bookkeeping lives in the store's own schema, so schemas sharing a database never mix.
  // Numbers are handed out to changes made side by side, so one may land after a higher one is released: a
  // store already past it still takes it (each migration adds only what it owns, so the order between them is free).
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`store migration ${failed} failed: ${(error as Error).message}`, { cause: error });
  }
}

function openSqlite(options: StoreOptions): Store {
  const file = options.sqliteFile ?? 'data/gateway.db';
  if (file !== ':memory:') createPrivately(file);
  const database = connectSqlite(file, BUSY_TIMEOUT_MS);
  database.pragma('journal_mode = WAL');
  const db = kyselyOver(database);
  const ping = async () => {
    database.prepare('select 1').get();
  };
  if (file === ':memory:') {
    // A second connection to ':memory:' would be a second, empty database.
    return { db, dialect: 'sqlite', append: (write) => write(db), ping, close: () => db.destroy() };
  }
  const appendingDatabase = connectSqlite(file, 0);
  const appending = kyselyOver(appendingDatabase);
  return {
    db,
    dialect: 'sqlite',
    append: (write) => appendWhenUnlocked(() => write(appending)),
    ping,
    close: async () => {
      // Closed here, not by kysely: kysely closes a connection only once it has run a query on it.
      appendingDatabase.close();
      await db.destroy();
    },
  };
}

/** How long a statement on the store's main connection waits for another connection's lock. */
const BUSY_TIMEOUT_MS = 5000;

function connectSqlite(file: string, busyTimeoutMs: number): SQLite.Database {
  const database = new SQLite(file);
  // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
  database.pragma('synchronous = NORMAL');
  database.pragma(`busy_timeout = ${busyTimeoutMs}`);
  database.pragma('foreign_keys = ON');
  return database;
}

const kyselyOver = (database: SQLite.Database) =>
  new Kysely<Database>({ dialect: new SqliteDialect({ database: reusingStatements(database) }) });

/**
 * Runs `write` until no other connection holds the lock it needs, waiting between tries on a timer, for as long
 * as the main connection would wait in SQLite's busy handler. A statement refused as busy changed nothing, so
 * trying it again is safe.
 */
async function appendWhenUnlocked<T>(write: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let wait = 1; ; wait = Math.min(wait * 2, 16)) {
    try {
      return await write();
    } catch (error) {
      if (!isBusy(error) || Date.now() + wait > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** SQLITE_BUSY and its extended codes (BUSY_SNAPSHOT: another connection wrote since this one last read). */
const isBusy = (error: unknown): boolean =>
  error instanceof SQLite.SqliteError && error.code.startsWith('SQLITE_BUSY');

/**
 * A new store is made readable by its owner only (the card service's keys, the message log's bodies are in it):
 * its folder 0700 when we make it, the file 0600, made empty before SQLite opens it, since SQLite would make it
 * after the umask (0644). SQLite gives its -wal and -shm files the mode of the store file. A file or folder that
 * is there already is the operator's and keeps its mode.
 */
function createPrivately(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    // Made meanwhile by another worker or instance starting on the same store, or there all along.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** How many prepared statements a SQLite store keeps; the gateway's own statements number far fewer. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * The database as kysely sees it, keeping each prepared statement for its SQL text: kysely prepares every query
 * afresh, and on the request path preparing costs more than running. The cache is bounded (oldest first out),
 * since statements with `in (…)` lists vary with their length. Safe because the gateway never streams a query,
 * so no cached statement is still iterating when it is run again.
 */
function reusingStatements(database: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (!statement) {
        statement = database.prepare(text);
        if (statements.size >= STATEMENT_CACHE_SIZE)
          statements.delete(statements.keys().next().value as string);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

function openPostgres(connectionString: string, schema?: string): Store {
  // bigint columns hold epoch milliseconds and sequence numbers, all far below 2^53: read them as numbers.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: 3000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor may a checked-out one: the pool listens only to idle clients, and a server shutdown between two
  // statements of a transaction arrives as an 'error' event with no query to take it. The transaction's next
  // statement fails instead, and the pool drops the broken client when it comes back.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    append: (write) => write(db),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
