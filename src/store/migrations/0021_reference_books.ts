/**
 * Reference books (справочники) the regional rules name: spheres of activity (which coordinator checks an
 * application), connection points of the social card, document types and regions. Each book carries a version
 * that every edit raises, so a participant can tell whether its copy is current. The first version is seeded here.
 */
import type { Kysely, Migration } from 'kysely';

export const SEEDED_BOOKS: Record<string, ReadonlyArray<readonly [string, string]>> = {
  spheres: [
    ['education', 'Образование'],
    ['health', 'Здравоохранение'],
    ['trade', 'Торговля'],
    ['catering', 'Общественное питание'],
    ['culture', 'Культура'],
    ['sport', 'Физическая культура и спорт'],
    ['transport', 'Транспорт'],
    ['social', 'Социальная защита'],
    ['other', 'Иное'],
  ],
  'connection-points': [
    ['portal', 'Региональный портал государственных услуг'],
    ['app', 'Мобильное приложение'],
  ],
  'document-types': [
    ['passport', 'Паспорт гражданина Российской Федерации'],
    ['snils', 'СНИЛС'],
  ],
  regions: [
    ['28', 'Амурская область'],
    ['47', 'Ленинградская область'],
    ['59', 'Пермский край'],
    ['26', 'Ставропольский край'],
  ],
};

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('reference_books')
      .addColumn('book', 'varchar(50)', (c) => c.primaryKey())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('changed_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('reference_entries')
      .addColumn('book', 'varchar(50)', (c) => c.notNull())
      .addColumn('code', 'varchar(50)', (c) => c.notNull())
      .addColumn('title', 'varchar(500)', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('reference_entries_pk', ['book', 'code'])
      .execute();
    const now = Date.now();
    const typed = db as Kysely<{
      reference_books: { book: string; version: number; changed_at: number };
      reference_entries: { book: string; code: string; title: string; active: number; version: number };
    }>;
    for (const [book, entries] of Object.entries(SEEDED_BOOKS)) {
      await typed.insertInto('reference_books').values({ book, version: 1, changed_at: now }).execute();
      await typed
        .insertInto('reference_entries')
        .values(entries.map(([code, title]) => ({ book, code, title, active: 1, version: 1 })))
        .execute();
    }
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('reference_entries').execute();
    await db.schema.dropTable('reference_books').execute();
  },
};
