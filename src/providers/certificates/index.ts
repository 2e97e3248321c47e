/**
 * The certificates service: electronic certificates for social support (Leningrad region order N 04-54 of
 * 2022-09-01). A service organisation reads a certificate by its number or QR code, posts the works it performs
 * under it, and sends the registry of each day's transactions. Tables and sample certificates: store migration
 * 0003_certificates; schema: xsd/certificates-1.0.xsd; samples: examples/certificates/.
 */
import type { CertificatesTables } from '../../store/schema-certificates.js';
import { defineService } from '../service.js';
import { certificatesCodec } from './codec.js';
import { CertificatesProvider } from './provider.js';

export { CERTIFICATES_NS } from './codec.js';
export type { CertificatesAnswer, CertificatesRequest } from './codec.js';

export const certificatesService = defineService({
  codec: certificatesCodec,
  createProvider: ({ store, log, clock }) =>
    new CertificatesProvider(
      store.db.withTables<{ [T in keyof CertificatesTables]: CertificatesTables[T] }>(),
      clock,
      log,
    ),
});
