/**
 * The reference-books service: participants read the registry's reference books (spheres, connection points,
 * document types, regions) over SMEV, as the operator keeps them through the admin API — the current version of
 * a book or any earlier one. Nothing is written. Schema: xsd/reference-books-1.0.xsd; sample:
 * examples/reference-books/.
 *
 * Refusals (`NO_DATA`): `BOOK_NOT_FOUND` for a book the registry does not keep, `BOOK_VERSION_NOT_FOUND` for a
 * version the book never had.
 */
import { RegistryError } from '../../registry/errors.js';
import { bookAtVersion } from '../../registry/reference-books.js';
import { defineService } from '../service.js';
import { refusalTable } from '../contract.js';
import { referenceBooksCodec } from './codec.js';

export { REFERENCE_BOOKS_NS } from './codec.js';

export const REFERENCE_BOOK_REFUSALS = {
  BOOK_NOT_FOUND: ['NO_DATA', 'справочник не найден'],
  BOOK_VERSION_NOT_FOUND: ['NO_DATA', 'такой версии справочника нет'],
} as const;

const refusal = refusalTable(REFERENCE_BOOK_REFUSALS);

export const referenceBooksService = defineService({
  codec: referenceBooksCodec,
  createProvider: ({ store }) => ({
    async handle({ body }) {
      try {
        const found = await bookAtVersion(store.db, body.book, body.version);
        if (found) return { kind: 'answer', body: found };
      } catch (error) {
        if (error instanceof RegistryError && error.kind === 'not_found')
          throw refusal('BOOK_VERSION_NOT_FOUND', error.message);
        throw error;
      }
      throw refusal('BOOK_NOT_FOUND', `there is no reference book ${body.book}`);
    },
  }),
});
