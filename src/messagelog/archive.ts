/**
 * Exporting the message log into one archive file and verifying it offline. The archive holds the records of a
 * time range with their bodies, every checkpoint of the instances concerned, and the trust material (CA
 * certificates and CRLs) needed to check the checkpoints and the messages' own signatures with no database.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { TrustStore } from '../signature/pki/trust-store.js';
import type { Store } from '../store/store.js';
import { messageSignatureProblems } from './message-signatures.js';
import type { MessageRecord } from './record.js';
import type { CertificateCheck } from '../signature/pki/checkpoint-signers.js';
import { verifyChains, type ChainVerdict, type Checkpoint } from './verify.js';

export const ARCHIVE_FORMAT = 'smev-gateway-message-log-archive';

export interface Archive {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly version: 1;
  readonly exportedAt: string;
  readonly range: { readonly from: string; readonly to: string };
  readonly records: MessageRecord[];
  readonly checkpoints: Checkpoint[];
  readonly trust: { readonly certificates: string[]; readonly crls: string[] };
}

export async function exportArchive(
  store: Store,
  range: { from: Date; to: Date },
  trust: { certificates: string[]; crls: string[] },
  file: string,
): Promise<{ records: number; checkpoints: number; sha256: string }> {
  const records = await store.db
    .selectFrom('message_log')
    .selectAll()
    .where('received_at', '>=', range.from.getTime())
    .where('received_at', '<=', range.to.getTime())
    .orderBy('instance_id')
    .orderBy('seq')
    .execute();
  // The checkpoints that anchor the exported records: those signed at a record inside the range (a later one
  // covers records the archive does not hold), and the retention cut the range may start from.
  const spans = new Map<string, { first: number; last: number }>();
  for (const r of records) {
    const span = spans.get(r.instance_id) ?? { first: Number(r.seq), last: Number(r.seq) };
    spans.set(r.instance_id, {
      first: Math.min(span.first, Number(r.seq)),
      last: Math.max(span.last, Number(r.seq)),
    });
  }
  const instances = [...spans.keys()];
  const checkpoints = (
    instances.length
      ? await store.db
          .selectFrom('message_log_checkpoints')
          .selectAll()
          .where('instance_id', 'in', instances)
          .orderBy('seq')
          .execute()
      : []
  ).filter((c) => {
    const span = spans.get(c.instance_id);
    const seq = Number(c.seq);
    return (
      span !== undefined &&
      (c.kind === 'cut' ? seq === span.first - 1 : seq >= span.first && seq <= span.last)
    );
  });
  const archive: Archive = {
    format: ARCHIVE_FORMAT,
    version: 1,
    exportedAt: new Date().toISOString(),
    range: { from: range.from.toISOString(), to: range.to.toISOString() },
    records: records.map(numeric),
    checkpoints: checkpoints.map((c) => ({ ...c, seq: Number(c.seq), at: Number(c.at) })),
    trust,
  };
  const text = JSON.stringify(archive);
  writeFileSync(file, text);
  return {
    records: records.length,
    checkpoints: checkpoints.length,
    sha256: createHash('sha256').update(text).digest('hex'),
  };
}

/** Verify an archive file with no database and no network. */
export function verifyArchiveFile(file: string, checkpointSigners?: CertificateCheck): ChainVerdict {
  return verifyArchive(JSON.parse(readFileSync(file, 'utf8')) as unknown, checkpointSigners);
}

/**
 * Verify an archive. The messages' signatures are checked against the CA certificates the archive carries; the
 * checkpoints, which anchor everything else, against `checkpointSigners` (the gateway's own certificates, from
 * outside the archive) when given, else against the carried CAs only, which a forger could have replaced too.
 */
export function verifyArchive(value: unknown, checkpointSigners?: CertificateCheck): ChainVerdict {
  const archive = value as Partial<Archive>;
  if (
    archive?.format !== ARCHIVE_FORMAT ||
    archive.version !== 1 ||
    !Array.isArray(archive.records) ||
    !Array.isArray(archive.checkpoints)
  ) {
    throw new Error('not a smev-gateway message-log archive (version 1)');
  }
  const trust = TrustStore.fromPem(archive.trust?.certificates ?? [], archive.trust?.crls ?? []);
  return verifyChains({
    records: archive.records,
    checkpoints: archive.checkpoints,
    checkpointSigners: checkpointSigners ?? trust,
    // An archive starts mid-chain: its first record's link is taken as given, and checkpoints anchor the rest.
    startOf: (_instance, first) => ({ seq: Number(first.seq) - 1, hash: first.prev_hash }),
    checkRecord: (record) => messageSignatureProblems(record, trust),
  });
}

function numeric(record: MessageRecord): MessageRecord {
  return {
    ...record,
    seq: Number(record.seq),
    received_at: Number(record.received_at),
    answered_at: Number(record.answered_at),
    duration_us: Number(record.duration_us),
    http_status: Number(record.http_status),
  };
}
