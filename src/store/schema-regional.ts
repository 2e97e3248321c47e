/** Tables of the regional registry duties, as kysely sees them. Created by migrations 0016, 0017, 0020 and 0021. */

export interface ParticipantAgreementTable {
  participant_id: string;
  number: string;
  /** YYYY-MM-DD, the date the agreement was signed. */
  signed_on: string;
  file_name: string;
  media_type: string;
  file_sha256: string;
  file_base64: string;
  recorded_by: string;
  recorded_at: number;
}

export interface ParticipantChangeTable {
  id: string;
  participant_id: string;
  /** YYYY-MM-DD, the day the change took effect. */
  changed_on: string;
  reported_at: number;
  /** The end of the third day after `changed_on`; a report after it is late. */
  due_at: number;
  late: number;
  actor: string;
}

export type RouteApplicationStatus = 'applied' | 'approved' | 'declined';

export interface RouteApplicationTable {
  id: string;
  participant_id: string;
  consumer: string;
  namespace: string;
  local_name: string;
  recipient: string;
  provider: string;
  status: RouteApplicationStatus;
  applied_by: string;
  applied_at: number;
  decided_by: string | null;
  decided_at: number | null;
  reason: string | null;
  route_id: string | null;
}

export interface ReferenceBookTable {
  book: string;
  version: number;
  changed_at: number;
}

export interface ReferenceEntryTable {
  book: string;
  code: string;
  title: string;
  active: number;
  /** The book version in which this entry last changed. */
  version: number;
}

/** An entry's state as of a book version (migration 0016). */
export interface ReferenceEntryHistoryTable {
  book: string;
  code: string;
  version: number;
  title: string;
  active: number;
}

export type BlockRequestStatus = 'requested' | 'approved' | 'declined' | 'lifted';

/** An operator's request that a participant be blocked, and the authorised body's decision (migration 0017). */
export interface BlockRequestTable {
  id: string;
  participant_id: string;
  status: BlockRequestStatus;
  reason: string;
  requested_by: string;
  requested_at: number;
  decided_by: string | null;
  decided_at: number | null;
  decision_reason: string | null;
  lifted_by: string | null;
  lifted_at: number | null;
  lift_reason: string | null;
  /** The participant's and its systems' states before the block, as JSON; set on approval. */
  previous_json: string | null;
}

export interface RegionalTables {
  participant_agreements: ParticipantAgreementTable;
  participant_changes: ParticipantChangeTable;
  route_applications: RouteApplicationTable;
  reference_books: ReferenceBookTable;
  reference_entries: ReferenceEntryTable;
  reference_entry_history: ReferenceEntryHistoryTable;
  block_requests: BlockRequestTable;
}
