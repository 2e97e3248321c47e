/** The audit trail as the gateway and the CLI open it: checkpoints signed with the gateway's key. */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { GatewayConfig } from '../config/config.js';
import type { Store } from '../store/store.js';
import { KeyCheckpointSigner } from './checkpoint-signer.js';
import { AuditTrail } from './trail.js';

/** The gateway key as a checkpoint signer, for the audit trail and the message log. */
export function gatewayCheckpointSigner(config: GatewayConfig): KeyCheckpointSigner {
  return new KeyCheckpointSigner(
    createPrivateKey(readFileSync(config.pki.gatewayKey, 'utf8')),
    readFileSync(config.pki.gatewayCertificate, 'utf8'),
  );
}

export function createAuditTrail(store: Store, config: GatewayConfig): AuditTrail {
  return new AuditTrail(store.db, gatewayCheckpointSigner(config));
}
