/**
 * A PostgreSQL connection dropped by the server in the middle of a transaction (what a server shutdown or an
 * administrator's pg_terminate_backend does): the transaction fails, the process lives on, and the store works
 * again with a fresh connection. The drop arrives while the client is checked out but between statements, when
 * no query is there to take the error: unhandled, it used to crash the gateway.
 */
import { expect } from 'chai';
import { sql } from 'kysely';
import pg from 'pg';
import { POSTGRES_URL, useStore } from '../support/store.js';
import { sleep } from './support.js';

describe('fault: a PostgreSQL connection dropped mid-transaction', () => {
  const store = useStore('postgres', { prefix: 'fault_conn' });

  it('fails the transaction and keeps serving, without an unhandled error', async () => {
    let unhandled: unknown;
    const onUncaught = (error: unknown) => (unhandled = error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      const failed = await store.db
        .transaction()
        .execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
          const admin = new pg.Client({ connectionString: POSTGRES_URL });
          await admin.connect();
          try {
            await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
          } finally {
            await admin.end();
          }
          await sleep(300); // the server's notice arrives while this transaction holds the client
          await sql`select 1`.execute(trx);
          return false;
        })
        .catch(() => true);
      expect(failed, 'the transaction on the dropped connection must fail').to.equal(true);
      expect(unhandled, 'no unhandled error').to.equal(undefined);
      await store.ping();
      const { rows } = await sql<{ n: number }>`select 1 as n`.execute(store.db);
      expect(rows[0]?.n).to.equal(1);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
  });
});
