/** Tables of the attachment store (migrations 0013_attachment_store, 0014_queue_message_files). */

/** One file a system placed in the attachment store; its bytes lie in the store's folder under `uuid`. */
export interface AttachmentTable {
  /** The gateway's name for the file (a random UUID), the `uuid` of RefAttachmentHeader and FSAttachment. */
  uuid: string;
  /** The mnemonic of the information system that uploaded it: only it may name the file in a message. */
  owner: string;
  /** The name the uploader gave, checked (no path, no control characters); never used on disk. */
  file_name: string;
  mime_type: string;
  size: number;
  /** GOST R 34.11-2012 (256-bit) digest of the bytes, base64, as RefAttachmentHeader/Hash carries it. */
  hash: string;
  created_at: number;
}

/** A download credential handed to a recipient in FSAttachment/Password, stored only as its SHA-256. */
export interface AttachmentGrantTable {
  password_hash: string;
  uuid: string;
  /** The recipient system (FSAttachment/UserName). */
  system: string;
  message_id: string;
  expires_at: number;
}

/** The stored files a queued message names, in the order of its RefAttachmentHeaderList. */
export interface QueueMessageFileTable {
  sender: string;
  message_id: string;
  position: number;
  uuid: string;
  created_at: number;
}

export interface AttachmentTables {
  attachments: AttachmentTable;
  attachment_grants: AttachmentGrantTable;
  queue_message_files: QueueMessageFileTable;
}
