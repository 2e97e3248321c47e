/** The audit trail as the gateway and the CLI open it: checkpoints signed with the gateway's key. */
import type { GatewayConfig } from '../config/config.js';
import { loadGatewayKey } from '../signature/setup.js';
import type { Store } from '../store/store.js';
import { KeyCheckpointSigner } from './checkpoint-signer.js';
import { AuditTrail } from './trail.js';

/** The gateway key as a checkpoint signer, for the audit trail and the message log. */
export function gatewayCheckpointSigner(config: GatewayConfig): KeyCheckpointSigner {
  const key = loadGatewayKey(config);
  return new KeyCheckpointSigner(key.privateKey, key.certificatePem);
}

export function createAuditTrail(store: Store, config: GatewayConfig): AuditTrail {
  return new AuditTrail(store.db, gatewayCheckpointSigner(config));
}
