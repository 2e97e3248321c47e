/**
 * Unique violations told apart by the driver's code on both stores: a real duplicate key on SQLite and on
 * PostgreSQL is one, another constraint is not, and neither is an error that merely quotes SQLite's message.
 */
import { expect } from 'chai';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { isUniqueViolation } from '../../src/store/errors.js';
import { POSTGRES_URL } from '../support/store.js';

/** The error `work` throws (it must throw). */
function thrownBy(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

async function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('store errors: unique violations', () => {
  it('SQLite: a duplicate unique column and a duplicate primary key are unique violations', () => {
    const db = new SQLite(':memory:');
    try {
      db.exec('create table t (id text primary key, name text unique, note text not null)');
      db.prepare('insert into t values (?, ?, ?)').run('1', 'a', 'x');
      const insert = db.prepare('insert into t values (?, ?, ?)');
      expect(isUniqueViolation(thrownBy(() => insert.run('2', 'a', 'x')))).to.equal(true);
      expect(isUniqueViolation(thrownBy(() => insert.run('1', 'b', 'x')))).to.equal(true);
      expect(isUniqueViolation(thrownBy(() => insert.run('3', 'c', null)))).to.equal(false);
    } finally {
      db.close();
    }
  });

  it('PostgreSQL: a duplicate key is a unique violation, a missing value is not', async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query('create temporary table t (id text primary key, note text not null)');
      await client.query("insert into t values ('1', 'x')");
      expect(isUniqueViolation(await rejectionOf(client.query("insert into t values ('1', 'y')")))).to.equal(
        true,
      );
      expect(isUniqueViolation(await rejectionOf(client.query("insert into t values ('2', null)")))).to.equal(
        false,
      );
    } finally {
      await client.end();
    }
  });

  it('an error that only quotes the message of a unique violation is not one', () => {
    // A provider's or remote system's failure may carry any text; only the driver's code says what happened.
    expect(isUniqueViolation(new Error('UNIQUE constraint failed: routes.id'))).to.equal(false);
    expect(isUniqueViolation(new Error('duplicate key value violates unique constraint'))).to.equal(false);
    expect(isUniqueViolation(undefined)).to.equal(false);
    expect(isUniqueViolation('23505')).to.equal(false);
  });
});
