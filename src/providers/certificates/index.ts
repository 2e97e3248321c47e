/** The certificates service (work in progress): its codec and its store-backed provider. */
import type { BuiltinService } from '../builtin.js';

export const CERTIFICATES_NS = 'urn://smev-gateway/services/certificates/1.0';

export const certificatesService: BuiltinService = {
  codec: {
    namespace: CERTIFICATES_NS,
    requests: [],
    decode: () => {
      throw new Error('the certificates service is not implemented yet');
    },
    encode: () => '',
  },
  createProvider: () => ({
    handle: async () => ({ kind: 'rejected', code: 'FAILURE', description: 'not implemented yet' }),
  }),
};
