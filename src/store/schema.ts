/** Table shapes as kysely sees them. One definition serves SQLite and PostgreSQL. */
import type { RegionalTables } from './schema-regional.js';

export interface SeenMessageIdTable {
  message_id: string;
  sender: string;
  /** Epoch milliseconds of the UUID's own time, so old entries can be pruned past the replay window. */
  message_time: number;
  seen_at: number;
}

export type ParticipantStatus =
  'submitted' | 'checked' | 'declined' | 'registered' | 'active' | 'suspended' | 'blocked' | 'withdrawn';

export type ParticipantKind = 'state-body' | 'local-government' | 'organisation';

export interface ParticipantTable {
  id: string;
  registry_code: string | null;
  full_name: string;
  short_name: string;
  legal_form: string;
  ogrn: string;
  inn: string;
  kpp: string | null;
  address: string;
  head_name: string;
  contact_name: string;
  contact_position: string;
  contact_phone: string;
  contact_email: string;
  /** state-body and local-government need an interaction agreement before they become active. */
  kind: ParticipantKind;
  /** Code in the `spheres` reference book; decides which coordinators check the application. */
  sphere: string;
  status: ParticipantStatus;
  submitted_at: number;
  coordinator_due: number;
  operator_due: number | null;
  updated_at: number;
  version: number;
}

export interface ParticipantTransitionTable {
  id: string;
  participant_id: string;
  from_status: ParticipantStatus | null;
  to_status: ParticipantStatus;
  actor: string;
  role: string;
  reason: string | null;
  at: number;
}

export type SystemStatus = 'active' | 'suspended' | 'blocked';

export interface InformationSystemTable {
  id: string;
  mnemonic: string;
  name: string;
  participant_id: string;
  status: SystemStatus;
  updated_at: number;
  version: number;
}

export interface SystemCertificateTable {
  thumbprint: string;
  system_id: string;
  subject: string;
  serial: string;
  not_before: number;
  not_after: number;
  pem: string;
  status: 'active' | 'withdrawn';
  added_at: number;
}

export interface RouteTable {
  id: string;
  consumer_system_id: string;
  message_namespace: string;
  message_local_name: string;
  recipient_system_id: string;
  provider: string;
  status: 'active' | 'withdrawn';
  added_at: number;
}

/**
 * `participant`: a participant's own token, bound to it (api_tokens.participant_id). `authority`: the authorised
 * body that approves or declines the operator's requests to block a participant, and lifts blocks.
 */
export type Role = 'operator' | 'coordinator' | 'auditor' | 'participant' | 'authority';

export interface ApiTokenTable {
  id: string;
  name: string;
  role: Role;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
  participant_id: string | null;
  /** A coordinator's spheres as a JSON array; NULL for every sphere. */
  spheres: string | null;
}

export interface RegistryRevisionTable {
  id: number;
  revision: number;
}

export interface AuditEntryTable {
  seq: number;
  at: number;
  actor: string;
  role: string;
  action: string;
  subject_type: string;
  subject_id: string;
  before_json: string | null;
  after_json: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface AuditCheckpointTable {
  seq: number;
  at: number;
  head_hash: string;
  algorithm: string;
  signature: string;
  certificate: string;
}

export interface MessageLogTable {
  instance_id: string;
  seq: number;
  request_id: string;
  operation: string;
  message_id: string | null;
  answer_message_id: string | null;
  reference_message_id: string | null;
  sender: string | null;
  recipient: string | null;
  message_type: string | null;
  received_at: number;
  answered_at: number;
  duration_us: number;
  http_status: number;
  fault_code: string | null;
  certificate: string | null;
  verification: string;
  request_digest: string;
  answer_digest: string;
  /** The request's size in bytes (in the hash when present); older records have none. */
  request_bytes: number | null;
  /** Plain text, or sealed (see messagelog/sealing.ts) when the store seals bodies at rest. */
  request_xml: string | null;
  answer_xml: string | null;
  prev_hash: string;
  hash: string;
}

export interface MessageLogCheckpointTable {
  instance_id: string;
  seq: number;
  at: number;
  head_hash: string;
  kind: 'head' | 'cut';
  algorithm: string;
  signature: string;
  certificate: string;
  /** RFC 3161 time-stamp token (base64 DER) over the checkpoint's signed bytes, when a TSA is configured. */
  timestamp_token: string | null;
}

export interface MessageLogArchiveTable {
  instance_id: string;
  from_seq: number;
  to_seq: number;
  sha256: string;
  file: string;
  verified_at: number;
}

/** A web console session (migration 0029): the id itself is never stored, only its SHA-256. */
export interface ConsoleSessionTable {
  id_hash: string;
  token_id: string;
  created_at: number;
  last_seen: number;
}

export interface Database extends RegionalTables {
  console_sessions: ConsoleSessionTable;
  message_log: MessageLogTable;
  message_log_checkpoints: MessageLogCheckpointTable;
  message_log_archives: MessageLogArchiveTable;
  seen_message_ids: SeenMessageIdTable;
  participants: ParticipantTable;
  participant_transitions: ParticipantTransitionTable;
  information_systems: InformationSystemTable;
  system_certificates: SystemCertificateTable;
  routes: RouteTable;
  api_tokens: ApiTokenTable;
  registry_revision: RegistryRevisionTable;
  audit_entries: AuditEntryTable;
  audit_head: AuditHeadTable;
  audit_checkpoints: AuditCheckpointTable;
}
