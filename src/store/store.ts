/**
 * The gateway store: kysely over better-sqlite3 (the embedded default, WAL) or PostgreSQL (`databaseUrl`).
 * Opening a store migrates it to the latest schema.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';

export type StoreDialect = 'sqlite' | 'postgres';

export interface StoreOptions {
  databaseUrl?: string | undefined;
  sqliteFile?: string;
  /** PostgreSQL schema to work in (created if missing); tests use a fresh one per run. */
  schema?: string;
}

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** Round trip to the database; throws when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const store = options.databaseUrl ? openPostgres(options.databaseUrl, options.schema) : openSqlite(options);
  if (store.dialect === 'postgres' && options.schema) {
    await sql`create schema if not exists ${sql.id(options.schema)}`.execute(store.db);
  }
  await migrate(store.db, store.dialect === 'postgres' ? options.schema : undefined);
  return store;
}

async function migrate(db: Kysely<Database>, schema: string | undefined): Promise<void> {
  // The migration bookkeeping lives in the store's own schema, so schemas sharing a database never mix.
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
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
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return {
    db,
    dialect: 'sqlite',
    ping: async () => {
      database.prepare('select 1').get();
    },
    close: () => db.destroy(),
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
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
