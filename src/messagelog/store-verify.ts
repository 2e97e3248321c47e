/** `log verify`: every chain in the store, from genesis or from the last retention cut, and its checkpoints. */
import type { CertificateCheck } from '../signature/pki/checkpoint-signers.js';
import type { Store } from '../store/store.js';
import type { BodySealer } from './sealing.js';
import { retentionStarts, verifyChains, type ChainVerdict, type TimestampCheck } from './verify.js';

export interface StoredLogChecks {
  /** Who may sign checkpoints; absent: signatures only. */
  readonly checkpointSigners?: CertificateCheck | undefined;
  /** Opens sealed bodies to check them against their digests; absent: sealed bodies are not opened. */
  readonly sealer?: BodySealer | undefined;
  /** How the checkpoints' time-stamp tokens are checked; absent: they are not. */
  readonly timestamps?: TimestampCheck | undefined;
  /** Told after each record checked: how many of how many. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

export async function verifyStoredLog(store: Store, checks: StoredLogChecks = {}): Promise<ChainVerdict> {
  const [records, checkpoints] = await Promise.all([
    store.db.selectFrom('message_log').selectAll().orderBy('instance_id').orderBy('seq').execute(),
    store.db.selectFrom('message_log_checkpoints').selectAll().orderBy('seq').execute(),
  ]);
  return verifyChains({
    records,
    checkpoints,
    ...(checks.checkpointSigners ? { checkpointSigners: checks.checkpointSigners } : {}),
    ...(checks.sealer ? { sealer: checks.sealer } : {}),
    ...(checks.timestamps ? { timestamps: checks.timestamps } : {}),
    ...(checks.onProgress ? { onProgress: checks.onProgress } : {}),
    startOf: retentionStarts(checkpoints),
  });
}
