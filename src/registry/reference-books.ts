/**
 * Reference books (spheres, connection points, document types, regions): the operator edits them, everyone
 * reads them, and each edit raises the book's version so a participant can tell whether its copy is current.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { invalid, notFound } from './errors.js';
import { ReferenceEntryInput, parseInput } from './inputs.js';
import { runChange, updateVersioned } from './transaction.js';
import { requireRole, type Actor, type Db, type RegistryContext } from './types.js';

export class ReferenceBooks {
  constructor(private readonly ctx: RegistryContext) {}

  async list() {
    const rows = await this.ctx.db.selectFrom('reference_books').selectAll().orderBy('book').execute();
    return rows.map((r) => ({
      book: r.book,
      version: Number(r.version),
      changedAt: new Date(Number(r.changed_at)).toISOString(),
    }));
  }

  /** A book with its entries; withdrawn entries only when asked, so old records still resolve. */
  async get(book: string, options: { withdrawn?: boolean } = {}) {
    const head = await this.ctx.db
      .selectFrom('reference_books')
      .selectAll()
      .where('book', '=', book)
      .executeTakeFirst();
    if (!head) throw notFound(`reference book ${book}`);
    let query = this.ctx.db
      .selectFrom('reference_entries')
      .selectAll()
      .where('book', '=', book)
      .orderBy('code');
    if (!options.withdrawn) query = query.where('active', '=', 1);
    const entries = await query.execute();
    return {
      book,
      version: Number(head.version),
      changedAt: new Date(Number(head.changed_at)).toISOString(),
      entries: entries.map((e) => ({
        code: e.code,
        title: e.title,
        active: Number(e.active) === 1,
        version: Number(e.version),
      })),
    };
  }

  /** Add or change one entry (or withdraw it with `active: false`); the book's version goes up by one. */
  async setEntry(actor: Actor, book: string, code: string, body: unknown) {
    requireRole(actor, 'operator');
    const input = parseInput(ReferenceEntryInput, body);
    if (!/^[a-z0-9][a-z0-9-]{0,49}$/.test(code))
      throw invalid('code', 'must be 1 to 50 lower-case letters, digits or hyphens');
    return runChange(this.ctx, actor, 'reference.set', 'reference', `${book}:${code}`, async (trx) => {
      const head = await trx
        .selectFrom('reference_books')
        .selectAll()
        .where('book', '=', book)
        .executeTakeFirst();
      if (!head) throw notFound(`reference book ${book}`);
      const version = Number(head.version) + 1;
      const before = await trx
        .selectFrom('reference_entries')
        .selectAll()
        .where('book', '=', book)
        .where('code', '=', code)
        .executeTakeFirst();
      const row = { book, code, title: input.title, active: input.active ? 1 : 0, version };
      // The history keeps every state of the entry by version; its state before the first edit recorded here
      // (seeded, or entered before the history was kept) goes in first, at the version it had.
      const recorded = await trx
        .selectFrom('reference_entry_history')
        .select('version')
        .where('book', '=', book)
        .where('code', '=', code)
        .executeTakeFirst();
      if (before && !recorded)
        await trx
          .insertInto('reference_entry_history')
          .values({
            book,
            code,
            version: Number(before.version),
            title: before.title,
            active: Number(before.active),
          })
          .execute();
      await trx.insertInto('reference_entry_history').values(row).execute();
      if (before)
        await trx
          .updateTable('reference_entries')
          .set(row)
          .where('book', '=', book)
          .where('code', '=', code)
          .execute();
      else await trx.insertInto('reference_entries').values(row).execute();
      const changes = { version, changed_at: this.ctx.clock().getTime() };
      await updateVersioned(trx, 'reference_books', book, Number(head.version), changes, 'the book');
      const after = { code, title: input.title, active: input.active, version };
      return { before, after, result: { book, ...after } };
    });
  }

  /** The book as it stood at `version` (the current one when absent); see `bookAtVersion`. */
  async at(book: string, version?: number) {
    const found = await bookAtVersion(this.ctx.db, book, version);
    if (!found) throw notFound(`reference book ${book}`);
    return found;
  }

  /** The code must be an active entry of the book, or the input naming it is refused. */
  async requireEntry(trx: Db, book: string, code: string, field: string): Promise<void> {
    const entry = await trx
      .selectFrom('reference_entries')
      .select('code')
      .where('book', '=', book)
      .where('code', '=', code)
      .where('active', '=', 1)
      .executeTakeFirst();
    if (!entry) throw invalid(field, `${code} is not in the reference book ${book}`);
  }
}

export interface BookVersion {
  readonly book: string;
  /** The version these entries are of. */
  readonly version: number;
  /** The book's current version. */
  readonly currentVersion: number;
  /** When the book last changed. */
  readonly changedAt: string;
  /** Every entry the book held at that version, withdrawn ones with `active: false`, by code. */
  readonly entries: ReadonlyArray<{ code: string; title: string; active: boolean }>;
}

/**
 * A book as it stood at a version: each entry in its latest recorded state up to that version; an entry never
 * edited since the history was kept is in the state it has now, from the version it carries. Undefined when
 * there is no such book; a version the book never had is a not-found.
 */
export async function bookAtVersion(
  db: Kysely<Database>,
  book: string,
  version?: number,
): Promise<BookVersion | undefined> {
  const head = await db.selectFrom('reference_books').selectAll().where('book', '=', book).executeTakeFirst();
  if (!head) return undefined;
  const current = Number(head.version);
  const wanted = version ?? current;
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > current)
    throw notFound(`version ${wanted} of the reference book ${book} (it is at version ${current})`);
  const [entries, history] = await Promise.all([
    db.selectFrom('reference_entries').selectAll().where('book', '=', book).execute(),
    db
      .selectFrom('reference_entry_history')
      .selectAll()
      .where('book', '=', book)
      .orderBy('version')
      .execute(),
  ]);
  const state = new Map<string, { code: string; title: string; active: boolean }>();
  const withHistory = new Set(history.map((h) => h.code));
  for (const e of entries)
    if (!withHistory.has(e.code) && Number(e.version) <= wanted)
      state.set(e.code, { code: e.code, title: e.title, active: Number(e.active) === 1 });
  for (const h of history)
    if (Number(h.version) <= wanted)
      state.set(h.code, { code: h.code, title: h.title, active: Number(h.active) === 1 });
  return {
    book,
    version: wanted,
    currentVersion: current,
    changedAt: new Date(Number(head.changed_at)).toISOString(),
    entries: [...state.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)),
  };
}
