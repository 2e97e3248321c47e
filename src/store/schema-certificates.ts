/**
 * Tables of the certificates service (electronic certificates for social support), as kysely sees them.
 * Money is integer kopecks in bigint columns; business dates are `YYYY-MM-DD` strings in Moscow time.
 */

/** The stored state of a certificate. EXPIRED and EXHAUSTED are derived from the dates and the balance. */
export type SocialCertificateStoredStatus = 'ACTIVE' | 'BLOCKED';

export interface SocialCertificateTable {
  /** 12 digits, the last one a Luhn check digit. */
  number: string;
  holder_surname: string;
  holder_name: string;
  holder_patronymic: string | null;
  /** 11 digits, no separators. Never leaves the gateway unmasked. */
  holder_snils: string;
  measure_code: string;
  measure_name: string;
  /** Kopecks. */
  nominal: number;
  /** Kopecks; a check constraint keeps it between 0 and the nominal value. */
  balance: number;
  /** First and last day of validity, inclusive, `YYYY-MM-DD`. */
  valid_from: string;
  valid_to: string;
  status: SocialCertificateStoredStatus;
  issued_at: number;
  updated_at: number;
}

/** One accepted posting of works against a certificate. Unique by (organisation, transaction_id). */
export interface SocialCertificatePostingTable {
  id: string;
  /** The verified sender's mnemonic. */
  organisation: string;
  transaction_id: string;
  certificate_number: string;
  works_name: string;
  classifier_code: string;
  quantity: number;
  /** Kopecks. */
  cost: number;
  /** Kopecks left on the certificate right after this posting. */
  balance_after: number;
  /** Epoch milliseconds. */
  posted_at: number;
  /** Moscow date of `posted_at`, the day its daily registry covers. */
  posted_day: string;
  message_id: string;
}

export type SocialCertificateRegistryResult = 'MATCHED' | 'MISMATCHED';

/** The latest daily registry of one organisation for one day; a later one replaces it. */
export interface SocialCertificateRegistryTable {
  /** Stable for the (organisation, day) pair; the lines hang on it. */
  id: string;
  /** The latest registry's own id (the answer's RegistryId); changes with each replacement. */
  submission_id: string;
  organisation: string;
  registry_day: string;
  message_id: string;
  received_at: number;
  result: SocialCertificateRegistryResult;
  line_count: number;
  /** Kopecks. */
  total_cost: number;
  /** How many earlier registries for this day it replaced (0 for the first). */
  replacements: number;
}

export interface SocialCertificateRegistryLineTable {
  registry_id: string;
  transaction_id: string;
  certificate_number: string;
  /** Kopecks. */
  cost: number;
}

export interface CertificatesTables {
  social_certificates: SocialCertificateTable;
  social_certificate_postings: SocialCertificatePostingTable;
  social_certificate_registries: SocialCertificateRegistryTable;
  social_certificate_registry_lines: SocialCertificateRegistryLineTable;
}
