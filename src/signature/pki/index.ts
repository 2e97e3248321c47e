/** The PKI module's public surface: the trust store, certificate thumbprints, and the sample/test issuing tools. */
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
export {
  addYears,
  createCrl,
  createRootCa,
  issueCertificate,
  selfSigned,
  type CertificateOptions,
  type CrlOptions,
  type IssuedPair,
  type KeyUsageBit,
  type RevokedEntry,
  type RootCaOptions,
} from './issue.js';
export {
  writeSamplePki,
  writeGostSamplePki,
  SAMPLE_SYSTEMS,
  REVOKED_SAMPLE_SYSTEM,
  GOST_SAMPLE_SYSTEM,
  type SamplePkiOptions,
} from './sample.js';
export {
  createGostCrl,
  createGostRootCa,
  gostSelfSigned,
  issueGostCertificate,
  newGostKey,
} from './gost-issue.js';
