/** The PKI module's public surface: the trust store and certificate thumbprints (issuing is in src/sample-pki). */
export {
  TrustStore,
  TrustStoreError,
  certificateFault,
  type CertificateFaultReason,
  type CheckedCertificate,
  type TrustStoreFiles,
  type TrustStoreOptions,
  type TrustStoreProblem,
} from './trust-store.js';
export { thumbprint, certificateDer } from './thumbprint.js';
