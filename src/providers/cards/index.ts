/** The cards service (work in progress): its codec and its store-backed provider. */
import type { BuiltinService } from '../builtin.js';

export const CARDS_NS = 'urn://smev-gateway/services/cards/1.0';

export const cardsService: BuiltinService = {
  codec: {
    namespace: CARDS_NS,
    requests: [],
    decode: () => {
      throw new Error('the cards service is not implemented yet');
    },
    encode: () => '',
  },
  createProvider: () => ({
    handle: async () => ({ kind: 'rejected', code: 'FAILURE', description: 'not implemented yet' }),
  }),
};
