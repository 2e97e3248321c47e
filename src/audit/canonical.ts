/**
 * The audit trail's canonical forms. Offline verifiers reimplement exactly these three functions, so they are
 * specified here in full and kept free of any dependency on the database.
 *
 * 1. canonicalJson(value) — how `before` / `after` are stored (columns `before_json` / `after_json`):
 *    JSON.stringify semantics (toJSON is honoured, so a Date becomes its ISO string; non-finite numbers become
 *    null; undefined, functions and symbols are dropped from objects and become null in arrays) with two rules
 *    added: object keys are sorted by UTF-16 code units (JavaScript's default sort), and there is no whitespace.
 *    A top-level undefined is stored as SQL NULL. BigInt is refused.
 *
 * 2. entryHash(row) — lowercase hex SHA-256 of the UTF-8 bytes of
 *      JSON.stringify(["smev-gateway-audit-entry/1", seq, at, actor, role, action, subject_type, subject_id,
 *                      before_json, after_json, prev_hash])
 *    where seq and at (epoch milliseconds) are JSON integers, before_json / after_json are the stored strings
 *    (or null), and every other field is the stored string. The stored text of before/after is hashed as is, so
 *    a verifier never needs to re-canonicalise. The first entry (seq 1) has prev_hash = 64 zeros.
 *
 * 3. checkpointData(seq, headHash, at) — the bytes a checkpoint signs: the UTF-8 string
 *      "smev-gateway-audit-checkpoint\n" + seq + "\n" + headHash + "\n" + at
 *    with seq and at (epoch milliseconds) in decimal, headHash lowercase hex, no trailing newline.
 */
import type { AuditCheckpointTable, AuditEntryTable } from '../store/schema.js';
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);
export const ENTRY_HASH_TAG = 'smev-gateway-audit-entry/1';
export const CHECKPOINT_TAG = 'smev-gateway-audit-checkpoint';

/** An audit entry as stored (table `audit_entries`) and exported. */
export type AuditEntryRow = AuditEntryTable;

/** A signed checkpoint as stored (table `audit_checkpoints`) and exported. */
export type AuditCheckpointRow = AuditCheckpointTable;

export function canonicalJson(value: unknown): string | undefined {
  const v = toJsonValue(value);
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    case 'string':
      return JSON.stringify(v);
    case 'bigint':
      throw new TypeError('audit values may not hold BigInt; convert it to a string');
    default:
      break;
  }
  if (Array.isArray(v)) return `[${v.map((item) => canonicalJson(item) ?? 'null').join(',')}]`;
  const object = v as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(object).sort()) {
    const text = canonicalJson(object[key]);
    if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${members.join(',')}}`;
}

function toJsonValue(value: unknown): unknown {
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    return (value as { toJSON: () => unknown }).toJSON();
  }
  // Boxed primitives serialise as their primitive, as JSON.stringify does.
  if (value instanceof Number || value instanceof String || value instanceof Boolean) return value.valueOf();
  return value;
}

export function entryHash(row: Omit<AuditEntryRow, 'hash'>): string {
  const fields = [
    ENTRY_HASH_TAG,
    row.seq,
    row.at,
    row.actor,
    row.role,
    row.action,
    row.subject_type,
    row.subject_id,
    row.before_json,
    row.after_json,
    row.prev_hash,
  ];
  return createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex');
}

export function checkpointData(seq: number, headHash: string, at: number): Buffer {
  return Buffer.from(`${CHECKPOINT_TAG}\n${seq}\n${headHash}\n${at}`, 'utf8');
}
