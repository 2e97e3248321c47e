/**
 * The store on SQLite (a temporary file) and on PostgreSQL (a fresh schema per run): migrations, idempotent
 * re-migration, the replay guard's once-only acceptance (also under concurrency), and a whole gateway on PostgreSQL.
 */
import { expect } from 'chai';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { v1 as uuidv1 } from 'uuid';
import { readCallAnswer } from '../../src/client/answer.js';
import { StoreReplayGuard } from '../../src/exchange/replay-guard.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { isGatewayFault } from '../../src/core/faults.js';
import { migrationProvider } from '../../src/store/migrations.js';
import type { QueueMessageTable, QueueTables } from '../../src/store/schema-queue.js';
import { openStore, type Store } from '../../src/store/store.js';
import { post, signedCall, startTestGateway } from '../support/gateway.js';
import { dropSchema, freshSchema, POSTGRES_URL, STORES, testStores } from '../support/store.js';

const WINDOW_MS = 300_000;

/** The fault code an accept fails with, or 'accepted'. */
async function outcome(guard: StoreReplayGuard, id: string, now = new Date()): Promise<string> {
  try {
    await guard.accept(id, 'DEMO_CONSUMER', now);
    return 'accepted';
  } catch (error) {
    if (isGatewayFault(error)) return error.code;
    throw error;
  }
}

async function tableExists(store: Store, table: string, schema?: string): Promise<boolean> {
  if (store.dialect === 'sqlite') {
    const { rows } = await sql<{
      name: string;
    }>`select name from sqlite_master where type = 'table' and name = ${table}`.execute(store.db);
    return rows.length === 1;
  }
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = ${schema ?? 'public'} and table_name = ${table}`.execute(
    store.db,
  );
  return rows.length === 1;
}

async function appliedMigrations(store: Store): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
    store.db,
  );
  return rows.map((r) => r.name);
}

async function seenCount(store: Store, id: string): Promise<number> {
  const rows = await store.db
    .selectFrom('seen_message_ids')
    .select('message_id')
    .where('message_id', '=', id)
    .execute();
  return rows.length;
}

async function ownTestSchemas(): Promise<string[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      'select schema_name as name from information_schema.schemata where schema_name like $1',
      [`test\\_${process.pid}\\_%`],
    );
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      'select 1 from information_schema.schemata where schema_name = $1',
      [schema],
    );
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

for (const kind of STORES) {
  const backend = testStores(kind, 'foundation');
  const options = backend.fresh();
  const { schema } = options;
  describe(`foundation: the store on ${backend.name}`, () => {
    let store: Store;
    let expectedMigrations: string[];
    before(async () => {
      expectedMigrations = Object.keys(await migrationProvider.getMigrations()).sort();
      store = await backend.open(options);
    });
    after(async () => {
      // Clean up even when opening failed in `before`.
      if (store) await store.close();
      await backend.cleanup();
      if (schema) expect(await schemaExists(schema), 'the test schema is dropped').to.equal(false);
    });

    it('opening migrates: every migration is applied and seen_message_ids exists', async () => {
      expect(store.dialect).to.equal(schema ? 'postgres' : 'sqlite');
      expect(await tableExists(store, 'seen_message_ids', schema)).to.equal(true);
      expect(await appliedMigrations(store)).to.deep.equal(expectedMigrations);
      await store.ping();
    });

    it('migrating twice is a no-op: the same migrations, and the data kept', async () => {
      const id = uuidv1();
      await new StoreReplayGuard(store, WINDOW_MS).accept(id, 'DEMO_CONSUMER', new Date());
      const again = await backend.open(options);
      try {
        expect(await appliedMigrations(again)).to.deep.equal(expectedMigrations);
        expect(await seenCount(again, id)).to.equal(1);
        // A replay is refused by a second store on the same database, as after a restart.
        expect(await outcome(new StoreReplayGuard(again, WINDOW_MS), id)).to.equal('MessageIsAlreadySent');
      } finally {
        await again.close();
      }
    });

    it('a store migrated before 0016 and 0017 existed (at 0022) still takes them when opened', async () => {
      await sql`drop table block_requests`.execute(store.db);
      await sql`drop table reference_entry_history`.execute(store.db);
      await sql`delete from kysely_migration where name in ('0016_reference_book_history', '0017_block_requests')`.execute(
        store.db,
      );
      const again = await backend.open(options);
      try {
        expect(await appliedMigrations(again)).to.deep.equal(expectedMigrations);
        expect(await tableExists(again, 'block_requests', schema)).to.equal(true);
        expect(await tableExists(again, 'reference_entry_history', schema)).to.equal(true);
      } finally {
        await again.close();
      }
    });

    it('the replay guard accepts a fresh v1 MessageID once and refuses it the second time', async () => {
      const guard = new StoreReplayGuard(store, WINDOW_MS);
      const id = uuidv1();
      expect(await outcome(guard, id)).to.equal('accepted');
      expect(await outcome(guard, id)).to.equal('MessageIsAlreadySent');
      expect(await seenCount(store, id)).to.equal(1);
      expect(await outcome(guard, uuidv1())).to.equal('accepted');
    });

    it('the replay guard refuses non-v1 and stale MessageIDs without recording them', async () => {
      const guard = new StoreReplayGuard(store, WINDOW_MS);
      expect(await outcome(guard, '0b1e1c5e-5b8a-4b9c-9d7e-2f3a4b5c6d7e')).to.equal('InvalidMessageIdFormat');
      const stale = uuidv1({ msecs: Date.now() - 2 * WINDOW_MS });
      expect(await outcome(guard, stale)).to.equal('StaleMessageId');
      expect(await seenCount(store, stale)).to.equal(0);
    });

    it('pruning drops entries past twice the window; a pruned ID is still refused (as stale)', async () => {
      const guard = new StoreReplayGuard(store, WINDOW_MS);
      const then = new Date(Date.now() - 3 * WINDOW_MS);
      const old = uuidv1({ msecs: then.getTime() });
      expect(await outcome(guard, old, then)).to.equal('accepted');
      const fresh = uuidv1();
      expect(await outcome(guard, fresh)).to.equal('accepted');
      await guard.prune(new Date());
      expect(await seenCount(store, old)).to.equal(0);
      expect(await seenCount(store, fresh)).to.equal(1);
      expect(await outcome(guard, old)).to.equal('StaleMessageId');
    });

    it('20 concurrent accepts of the same MessageID accept exactly one', async () => {
      // Separate guards as separate gateway instances would hold, sharing the one database.
      const id = uuidv1();
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => outcome(new StoreReplayGuard(store, WINDOW_MS), id)),
      );
      expect(outcomes.filter((o) => o === 'accepted')).to.have.length(1);
      expect(outcomes.filter((o) => o === 'MessageIsAlreadySent')).to.have.length(19);
      expect(await seenCount(store, id)).to.equal(1);
    });

    it('one guard, one turn of the event loop: a MessageID twice in the batch is new once, others each once', async () => {
      // The guard inserts what one turn brings in one statement; that batch must judge as inserts one by one would.
      const guard = new StoreReplayGuard(store, WINDOW_MS);
      const twice = uuidv1();
      const others = Array.from({ length: 5 }, () => uuidv1());
      const seenBefore = uuidv1();
      expect(await outcome(guard, seenBefore)).to.equal('accepted');
      const outcomes = await Promise.all(
        [twice, ...others, twice, seenBefore, twice].map((id) => outcome(guard, id)),
      );
      expect(outcomes).to.deep.equal([
        'accepted',
        ...others.map(() => 'accepted'),
        'MessageIsAlreadySent',
        'MessageIsAlreadySent',
        'MessageIsAlreadySent',
      ]);
      for (const id of [twice, ...others]) expect(await seenCount(store, id)).to.equal(1);
      // The same MessageID from another sender is another message.
      await guard.accept(twice, 'PORTAL_26', new Date());
    });

    it('a turn that brings more MessageIDs than one statement can bind accepts each of them once', async () => {
      // SQLite binds at most 32,766 values to a statement (8,191 entries of four columns); a flood brings more.
      const guard = new StoreReplayGuard(store, WINDOW_MS);
      const ids = Array.from({ length: 9000 }, () => uuidv1());
      const outcomes = await Promise.all([...ids, ids[0] as string].map((id) => outcome(guard, id)));
      expect(outcomes.filter((o) => o === 'accepted')).to.have.length(9000);
      expect(outcomes.at(-1)).to.equal('MessageIsAlreadySent');
    });

    if (schema) {
      it('20 concurrent accepts spread over four connection pools (as four instances) accept exactly one', async () => {
        const stores = await Promise.all(Array.from({ length: 4 }, () => backend.open(options)));
        try {
          const id = uuidv1();
          const outcomes = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              outcome(new StoreReplayGuard(stores[i % stores.length] as Store, WINDOW_MS), id),
            ),
          );
          expect(outcomes.filter((o) => o === 'accepted')).to.have.length(1);
          expect(outcomes.filter((o) => o === 'MessageIsAlreadySent')).to.have.length(19);
        } finally {
          await Promise.all(stores.map((s) => s.close()));
        }
      });

      it('writes into its own schema (read back by schema-qualified name)', async () => {
        const id = uuidv1();
        await new StoreReplayGuard(store, WINDOW_MS).accept(id, 'DEMO_CONSUMER', new Date());
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        try {
          const { rows } = await client.query<{ n: string }>(
            `select count(*) as n from "${schema}".seen_message_ids where message_id = $1`,
            [id],
          );
          expect(Number(rows[0]?.n)).to.equal(1);
        } finally {
          await client.end();
        }
      });
    }
  });
}

describe('foundation: PostgreSQL schemas sharing one database', () => {
  const base = freshSchema('foundation_pair');
  const schemas = [`${base}_a`, `${base}_b`];
  after(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  // Regression guard: kysely's Migrator looks for its own tables in every schema unless told which one to use, so
  // without `migrationTableSchema` a fresh schema failed to migrate once another schema held kysely_migration_lock
  // ('relation "kysely_migration_lock" does not exist'); fixed in src/store/store.ts by 11d95b1.
  it('two fresh schemas in one database each migrate on their own', async () => {
    for (const schema of schemas) {
      const store = await openStore({ databaseUrl: POSTGRES_URL, schema });
      try {
        expect(await tableExists(store, 'seen_message_ids', schema), `${schema}.seen_message_ids`).to.equal(
          true,
        );
        expect(await tableExists(store, 'kysely_migration', schema), `${schema}.kysely_migration`).to.equal(
          true,
        );
        expect(
          await tableExists(store, 'kysely_migration_lock', schema),
          `${schema}.kysely_migration_lock`,
        ).to.equal(true);
      } finally {
        await store.close();
      }
    }
  });
});

describe('foundation: a whole gateway on PostgreSQL', () => {
  it('answers a signed ping, refuses its replay, and reports postgres on /health', async () => {
    // test/support names its schemas test_<pid>_…: note which exist, so any this test leaves behind can be dropped.
    const before = await ownTestSchemas();
    let gateway: Awaited<ReturnType<typeof startTestGateway>>;
    try {
      gateway = await startTestGateway({ store: 'postgres' });
    } catch (error) {
      for (const schema of await ownTestSchemas()) if (!before.includes(schema)) await dropSchema(schema);
      throw error;
    }
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
      gateway.store.db,
    );
    const schema = rows[0]?.schema ?? '';
    try {
      expect(gateway.store.dialect).to.equal('postgres');
      expect(schema).to.match(/^test_/);
      const { xml, messageId } = signedCall();
      const response = await post(gateway, xml);
      expect(response.status, response.body).to.equal(200);
      const answer = readCallAnswer(response.body, loadTrustStore(gateway.config));
      expect(answer.kind).to.equal('answer');
      expect(await seenCount(gateway.store, messageId)).to.equal(1);
      const again = await post(gateway, xml);
      expect(again.status).to.equal(500);
      expect(again.body).to.contain('MessageIsAlreadySent');
      const { token } = await gateway.registry.createToken(
        { name: 'health', role: 'operator' },
        'op',
        'operator',
      );
      const health = await fetch(`${gateway.url}/health`, { headers: { authorization: `Bearer ${token}` } });
      expect(health.status).to.equal(200);
      expect(((await health.json()) as { store: string }).store).to.equal('postgres');
    } finally {
      await gateway.stop();
      if (schema) await dropSchema(schema);
    }
    expect(await schemaExists(schema)).to.equal(false);
  });
});

describe('foundation: the queue keyed by sender and MessageID (migration 0023)', () => {
  it('keeps the messages queued before it, and lets two senders queue one MessageID', async () => {
    const backend = testStores('sqlite', 'foundation');
    const file = backend.fresh().sqliteFile ?? '';
    // A store as it stood before the migration, holding one queued request.
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(file) }) });
    const { error } = await new Migrator({ db: old, provider: migrationProvider }).migrateTo(
      '0022_tests_consents',
    );
    expect(error).to.equal(undefined);
    const messageId = uuidv1();
    const row = (sender: string): QueueMessageTable => ({
      message_id: messageId,
      kind: 'request',
      recipient: 'SOCPROTECT_47',
      sender,
      message_namespace: 'urn:q',
      message_local_name: 'Question',
      request_id: messageId,
      reply_to: `${sender}-reply`,
      provider: 'queue',
      state: 'queued',
      body: '<q:Question xmlns:q="urn:q"/>',
      attachments: null,
      transaction_code: 'T-1',
      created_at: 1,
      visible_at: 1,
      expires_at: 2,
      deliveries: 0,
      updated_at: 1,
    });
    const before = row('DEMO_CONSUMER');
    await sql`insert into queue_messages (${sql.join(Object.keys(before).map((k) => sql.ref(k)))})
      values (${sql.join(Object.values(before))})`.execute(old);
    await old.destroy();
    const store = await openStore({ sqliteFile: file });
    try {
      const db = store.db.withTables<{ [T in keyof QueueTables]: QueueTables[T] }>();
      const kept = await db.selectFrom('queue_messages').selectAll().execute();
      expect(kept.map((r) => [r.sender, r.message_id, r.transaction_code])).to.deep.equal([
        ['DEMO_CONSUMER', messageId, 'T-1'],
      ]);
      await db.insertInto('queue_messages').values(row('PORTAL_26')).execute();
      const again = db.insertInto('queue_messages').values(row('PORTAL_26')).execute();
      await again.then(
        () => expect.fail('the same sender and MessageID twice'),
        (e: Error) => expect(e.message).to.match(/UNIQUE|PRIMARY/i),
      );
    } finally {
      await store.close();
      await backend.cleanup();
    }
  });
});
