/** The audit trail as the gateway and the CLI open it: checkpoints signed with the gateway's key. */
import type { GatewayConfig } from '../config/config.js';
import { loadGatewayKey } from '../signature/setup.js';
import type { SigningKey } from '../signature/signing-key.js';
import type { Store } from '../store/store.js';
import { KeyCheckpointSigner } from './checkpoint-signer.js';
import { AuditTrail, type AuditTrailOptions } from './trail.js';

/**
 * The gateway key as a checkpoint signer, for the audit trail and the message log. The gateway passes the key it
 * loaded at start; without one (tools, tests) it is read from the configured files.
 */
export function gatewayCheckpointSigner(
  config: GatewayConfig,
  key: SigningKey = loadGatewayKey(config),
): KeyCheckpointSigner {
  return new KeyCheckpointSigner(key.privateKey, key.certificatePem);
}

/** The gateway's trail, which signs checkpoints (with `key`, or the configured key read now). */
export function createAuditTrail(
  store: Store,
  config: GatewayConfig,
  key?: SigningKey,
  options: AuditTrailOptions = {},
): AuditTrail {
  return new AuditTrail(store.db, gatewayCheckpointSigner(config, key), options);
}

/**
 * A CLI command's trail: it appends entries but signs nothing. The running gateway (or the next start) signs
 * over them, so editing the store and then running a command cannot earn the edit a signature.
 */
export function createUnsignedAuditTrail(store: Store): AuditTrail {
  return new AuditTrail(store.db, undefined);
}
