/** `log verify`: every chain in the store, from genesis or from the last retention cut, and its checkpoints. */
import type { CertificateCheck } from '../signature/pki/checkpoint-signers.js';
import type { Store } from '../store/store.js';
import { verifyChains, type ChainVerdict } from './verify.js';

export async function verifyStoredLog(
  store: Store,
  checkpointSigners?: CertificateCheck,
): Promise<ChainVerdict> {
  const [records, checkpoints] = await Promise.all([
    store.db.selectFrom('message_log').selectAll().orderBy('instance_id').orderBy('seq').execute(),
    store.db.selectFrom('message_log_checkpoints').selectAll().orderBy('seq').execute(),
  ]);
  return verifyChains({
    records,
    checkpoints,
    ...(checkpointSigners ? { checkpointSigners } : {}),
    startOf: (instance) => {
      const cut = checkpoints.filter((c) => c.instance_id === instance && c.kind === 'cut').at(-1);
      return cut ? { seq: Number(cut.seq), hash: cut.head_hash } : undefined;
    },
  });
}
