/** The tests service (work in progress): its codec and its store-backed provider. */
import type { BuiltinService } from '../builtin.js';

export const TESTS_NS = 'urn://smev-gateway/services/tests/1.0';

export const testsService: BuiltinService = {
  codec: {
    namespace: TESTS_NS,
    requests: [],
    decode: () => {
      throw new Error('the tests service is not implemented yet');
    },
    encode: () => '',
  },
  createProvider: () => ({
    handle: async () => ({ kind: 'rejected', code: 'FAILURE', description: 'not implemented yet' }),
  }),
};
