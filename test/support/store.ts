/** Test stores: a temporary SQLite file or a fresh PostgreSQL schema, migrated on opening and removed afterwards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store, type StoreOptions } from '../../src/store/store.js';
import { useFixture } from './fixture.js';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The stores a test that runs on both dialects runs on. */
export const STORES = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORES)[number];

/** A schema name no other test (of this process or another) uses: `<prefix>_<pid>_<time>_<random>`. */
export function freshSchema(prefix = 'test'): string {
  return `${prefix}_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
}

/** Drop a PostgreSQL test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema.replace(/"/g, '""')}" cascade`);
  } finally {
    await client.end();
  }
}

export interface TestStores {
  readonly kind: StoreKind;
  readonly name: 'SQLite' | 'PostgreSQL';
  /** The options of a database of its own: a new file in a temporary directory, or a fresh schema. */
  fresh(): StoreOptions;
  /** Opens (and so migrates) the database of `options`, by default a fresh one. */
  open(options?: StoreOptions): Promise<Store>;
  /** Removes every database made here (the stores opened on them must be closed first). */
  cleanup(): Promise<void>;
}

/** Test databases on `kind`; `prefix` names their directory or schemas, so that a leftover says whose it is. */
export function testStores(kind: StoreKind, prefix = 'test'): TestStores {
  if (kind === 'postgres') {
    const schemas: string[] = [];
    const fresh = () => {
      const schema = freshSchema(prefix);
      schemas.push(schema);
      return { databaseUrl: POSTGRES_URL, schema };
    };
    return {
      kind,
      name: 'PostgreSQL',
      fresh,
      open: (options = fresh()) => openStore(options),
      cleanup: async () => {
        for (const schema of schemas.splice(0)) await dropSchema(schema);
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), `smev-${prefix}-`));
  let made = 0;
  const fresh = () => ({ sqliteFile: join(dir, `store-${++made}.db`) });
  return {
    kind,
    name: 'SQLite',
    fresh,
    open: (options = fresh()) => openStore(options),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A store of its own on `kind` for the tests of the enclosing describe (or for each of them), removed after. */
export function useStore(kind: StoreKind, options: { prefix?: string; each?: boolean } = {}): Store {
  let stores: TestStores | undefined;
  return useFixture(
    'test store',
    () => {
      stores = testStores(kind, options.prefix);
      return stores.open();
    },
    async (store) => {
      await store.close();
      await stores?.cleanup();
    },
    options,
  );
}
