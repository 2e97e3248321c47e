/**
 * A message-log record and its place in the chain. The hash covers every field but the bodies themselves —
 * their SHA-256 digests stand in for them — so a record whose bodies are not kept still verifies, and a kept
 * body is checked against its digest.
 *
 * hash = SHA-256 hex of the UTF-8 JSON array
 *   ["smev-gateway-message-log/1", instance, seq, prev_hash, request_id, operation, message_id,
 *    answer_message_id, reference_message_id, sender, recipient, message_type, received_at, answered_at,
 *    duration_us, http_status, fault_code, certificate, verification, request_digest, answer_digest]
 * with absent values as null and numbers as JSON numbers. Records that know the request's size in bytes
 * (`request_bytes`) use "smev-gateway-message-log/2" and append it, so the size of a body that was not kept is
 * covered too. Offline verifiers reimplement exactly this.
 */
import { createHash } from 'node:crypto';
import type { MessageLogTable } from '../store/schema.js';

export const GENESIS_HASH = '0'.repeat(64);

export type MessageRecord = MessageLogTable;

export type RecordFields = Omit<MessageRecord, 'instance_id' | 'seq' | 'prev_hash' | 'hash'>;

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Whether a body (absent counts as matching: nothing is shown of it) is the one whose digest the record holds. */
export function bodyMatchesDigest(body: string | null, digest: string): boolean {
  return body === null || sha256Hex(Buffer.from(body, 'utf8')) === digest;
}

export function recordHash(record: Omit<MessageRecord, 'hash' | 'request_xml' | 'answer_xml'>): string {
  const size = record.request_bytes ?? null;
  return sha256Hex(
    JSON.stringify([
      size === null ? 'smev-gateway-message-log/1' : 'smev-gateway-message-log/2',
      record.instance_id,
      Number(record.seq),
      record.prev_hash,
      record.request_id,
      record.operation,
      record.message_id,
      record.answer_message_id,
      record.reference_message_id,
      record.sender,
      record.recipient,
      record.message_type,
      Number(record.received_at),
      Number(record.answered_at),
      Number(record.duration_us),
      Number(record.http_status),
      record.fault_code,
      record.certificate,
      record.verification,
      record.request_digest,
      record.answer_digest,
      ...(size === null ? [] : [Number(size)]),
    ]),
  );
}

/** The bytes a checkpoint signature covers. */
export function checkpointData(
  instance: string,
  seq: number,
  headHash: string,
  at: number,
  kind: 'head' | 'cut',
): Buffer {
  return Buffer.from(
    `smev-gateway-message-log-checkpoint\n${kind}\n${instance}\n${seq}\n${headHash}\n${at}`,
    'utf8',
  );
}

/**
 * The bytes a checkpoint's RFC 3161 token is over: the signed bytes and the signature itself, so the token
 * proves that this signature existed at the TSA's time.
 */
export function timestampedData(signedBytes: Buffer, signatureBase64: string): Buffer {
  return Buffer.concat([signedBytes, Buffer.from(`\n${signatureBase64}`, 'utf8')]);
}
