/**
 * Tables of the documents service (digital documents shown by QR code or short code with the subject's
 * consent). The subject's national identifier (IIN) is never stored: only its keyed hash (HMAC-SHA-256 under the
 * service's secret). QR tokens and short codes are stored only as keyed hashes too.
 */

/** The service's named secrets: the IIN key when none is configured, and a check value of the key in use. */
export interface DocumentsKeyTable {
  name: string;
  value: string;
  created_at: number;
}

export type DocumentStatus = 'VALID' | 'REPLACED' | 'REVOKED';

/** A published document: the issuer's signed XML kept byte for byte as received. */
export interface DocumentTable {
  id: string;
  /** Mnemonic of the issuing system. */
  issuer: string;
  /** The issuer's own number; (issuer, number) is unique. */
  number: string;
  /** HMAC-SHA-256 of the subject's IIN, hex. */
  subject_key: string;
  doc_type: string;
  /** The d:SignedDocument as the issuer sent it (UTF-8 text of the base64 content). */
  signed_xml: string;
  /** SHA-256 thumbprint of the issuer's signing certificate. */
  signer_thumbprint: string;
  status: DocumentStatus;
  issued_at: number;
  status_at: number;
  status_reason: string | null;
  /** The document that replaced this one. */
  replaced_by: string | null;
}

/** Temporary access to one document, opened by the subject. */
export interface DocumentAccessTable {
  id: string;
  document_id: string;
  subject_key: string;
  /** HMAC of the QR token, hex; unique. */
  token_key: string;
  /** HMAC of the short code, hex; unique among accesses kept. */
  code_key: string;
  /** The one system that may see the document; null: any authorised one. */
  viewer: string | null;
  opened_by: string;
  opened_at: number;
  expires_at: number;
  closed_at: number | null;
  /** Presentations with this access that were refused (another viewer); past the limit the access is locked. */
  failures: number;
  /** Consent by SMS (migration 0026): the one-time code's salt and HMAC while the subject has not confirmed. */
  consent_salt: string | null;
  consent_hash: string | null;
  consent_expires_at: number | null;
  /** Wrong consent codes; null when no consent by SMS was asked. */
  consent_failures: number | null;
  /** When the subject confirmed; null while waiting (such an access shows nothing). */
  confirmed_at: number | null;
  /** 1 for a desk access (opened while the person is present at the viewer's desk; migration 0027). */
  desk: number | null;
}

/** Every attempt to see or check a document by code, shown or refused. */
export interface DocumentViewTable {
  id: string;
  access_id: string | null;
  document_id: string | null;
  viewer: string;
  at: number;
  /** 'qr' or 'code'. */
  method: string;
  /** 'present' or 'check'. */
  purpose: string;
  /** SHOWN, CHECKED, or the refusal code; PENDING while the code is looked up (it counts as a wrong code). */
  result: string;
}

/** A child's legal representative as a state body's system recorded it (migration 0028); IINs as keyed hashes. */
export interface DocumentRepresentativeTable {
  child_key: string;
  representative_key: string;
  recorded_by: string;
  /** The end of the day the representation ends (the child comes of age), epoch ms. */
  until: number;
  recorded_at: number;
  ended_at: number | null;
}

export interface DocumentsTables {
  document_representatives: DocumentRepresentativeTable;
  documents_keys: DocumentsKeyTable;
  documents: DocumentTable;
  document_accesses: DocumentAccessTable;
  document_views: DocumentViewTable;
}
