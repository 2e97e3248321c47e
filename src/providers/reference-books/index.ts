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
import { bookAtVersion, type BookVersion } from '../../registry/reference-books.js';
import type { BuiltinService } from '../service.js';
import {
  rejected,
  type Provider,
  type ProviderOutcome,
  type ProviderRequest,
  type ServiceCodec,
} from '../contract.js';
import { referenceBooksCodec, type ReferenceBookRequest } from './codec.js';

export { REFERENCE_BOOKS_NS } from './codec.js';

export const REFERENCE_BOOK_REFUSALS = {
  BOOK_NOT_FOUND: 'справочник не найден',
  BOOK_VERSION_NOT_FOUND: 'такой версии справочника нет',
} as const;

export const referenceBooksService: BuiltinService = {
  codec: referenceBooksCodec as ServiceCodec,
  createProvider: ({ store }) => {
    const provider: Provider<ReferenceBookRequest, BookVersion> = {
      async handle({ body }: ProviderRequest<ReferenceBookRequest>): Promise<ProviderOutcome<BookVersion>> {
        try {
          const found = await bookAtVersion(store.db, body.book, body.version);
          if (found) return { kind: 'answer', body: found };
          return rejected(
            'NO_DATA',
            `BOOK_NOT_FOUND: ${REFERENCE_BOOK_REFUSALS.BOOK_NOT_FOUND} (there is no reference book ${body.book})`,
          );
        } catch (error) {
          if (error instanceof RegistryError && error.kind === 'not_found')
            return rejected(
              'NO_DATA',
              `BOOK_VERSION_NOT_FOUND: ${REFERENCE_BOOK_REFUSALS.BOOK_VERSION_NOT_FOUND} (${error.message})`,
            );
          throw error;
        }
      },
    };
    return provider as Provider;
  },
};
