/**
 * Tables of the tests service (entry checks against the register of positive laboratory results, Stavropol
 * order N 339-o/d of 2020-12-07). Phones and personal QR tokens are kept as keyed hashes wherever the service
 * only needs to match them; only an admitted visit keeps the visitor's contact in clear, because warning the
 * visitor's contacts is what the visit is recorded for.
 */

/** The service's secret for keyed hashes of phones and tokens; one row, made by the migration. */
export interface TestsKeyTable {
  id: number;
  /** 64 hex characters. */
  hmac_key: string;
}

/** The register of positive results. (sender, result_id) identifies a result: a laboratory system's own id. */
export interface TestsPositiveResultTable {
  sender: string;
  result_id: string;
  /** HMAC-SHA-256 of the phone in E.164, hex; null when the laboratory gave no phone. */
  phone_key: string | null;
  /** HMAC-SHA-256 of the personal QR token, hex; null when the laboratory gave no token. */
  token_key: string | null;
  /** `YYYY-MM-DD`. */
  result_date: string;
  recorded_at: number;
  withdrawn_at: number | null;
}

/** One-time codes sent by SMS: stored as HMAC-SHA-256 under a per-code salt, bound to a venue and a phone. */
export interface TestsCodeTable {
  id: string;
  venue_code: string;
  phone_key: string;
  /** 32 hex characters (16 random bytes). */
  salt: string;
  code_hash: string;
  issued_at: number;
  expires_at: number;
  used_at: number | null;
}

/** Wrong-code counting per phone: five wrong codes lock the phone's checks for 15 minutes. */
export interface TestsPhoneLockTable {
  phone_key: string;
  failures: number;
  locked_until: number | null;
  updated_at: number;
}

export type EntryCheckMethod = 'qr' | 'sms';
export type EntryCheckResult = 'ADMIT' | 'REFUSE' | 'WRONG_CODE' | 'EXPIRED_CODE' | 'LOCKED';

/**
 * Every entry check: venue, time, result. Only an ADMIT (a visit) keeps who it was: the person's key for
 * matching and the contact (phone or personal token) for warnings; refusals and code failures keep no person.
 */
export interface TestsEntryCheckTable {
  id: string;
  venue_code: string;
  checked_by: string;
  checked_at: number;
  method: EntryCheckMethod;
  result: EntryCheckResult;
  person_key: string | null;
  contact_kind: 'phone' | 'token' | null;
  contact: string | null;
}

/**
 * A visitor's consent to personal-data processing, given when registering a visit (migration 0022): the consent
 * text's version, when it was given and when recorded. The phone only as its keyed hash, like the register.
 */
export interface TestsConsentTable {
  id: string;
  venue_code: string;
  phone_key: string;
  text_version: string;
  given_at: number;
  recorded_at: number;
  /** Mnemonic of the system that registered the visit. */
  sender: string;
}

/** One warning per contact and positive result (migration 0022): the contact's phone only as its keyed hash. */
export interface TestsWarningTable {
  result_sender: string;
  result_id: string;
  contact_key: string;
  /** 'sent', 'limited' (the phone's SMS limit was reached) or 'failed' (the notifier failed). */
  outcome: string;
  at: number;
}

/** Every SMS a phone was sent (codes and warnings), for the per-phone hourly limit. */
export interface TestsSmsTable {
  id: string;
  phone_key: string;
  at: number;
}

export interface TestsTables {
  tests_consents: TestsConsentTable;
  tests_warnings: TestsWarningTable;
  tests_sms: TestsSmsTable;
  tests_keys: TestsKeyTable;
  tests_positive_results: TestsPositiveResultTable;
  tests_codes: TestsCodeTable;
  tests_phone_locks: TestsPhoneLockTable;
  tests_entry_checks: TestsEntryCheckTable;
}
