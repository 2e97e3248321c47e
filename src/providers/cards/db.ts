/** The gateway database seen with the cards service's tables (until they are merged into `Database`). */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { CardsTables } from '../../store/schema-cards.js';
import type { Store } from '../../store/store.js';

/** CardsTables as a mapped type: kysely's `withTables` wants an index-signature-compatible record. */
export type CardsTableMap = { [T in keyof CardsTables]: CardsTables[T] };
export type CardsDb = Kysely<Database & CardsTableMap>;
export type CardsTransaction = Transaction<Database & CardsTableMap>;

export function cardsDb(store: Store): CardsDb {
  return store.db.withTables<CardsTableMap>();
}
