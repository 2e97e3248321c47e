/** The message log's parts as the configuration names them: the body key(s) and the TSA. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GatewayConfig } from '../config/config.js';
import { TsaClient } from '../timestamp/tsa-client.js';
import { BodySealer, loadBodyKey } from './sealing.js';
import type { TimestampCheck } from './verify.js';

/** The key file that seals new bodies: configured, or `message-log.key` beside the SQLite file. */
export function bodyKeyFile(config: GatewayConfig): string {
  return config.messageLog.sealing.keyFile ?? join(dirname(config.store.sqliteFile), 'message-log.key');
}

/**
 * The sealer, or undefined when sealing is off. The gateway creates a missing key file (`create`); a CLI
 * command only reads one, and without it works on the bodies as stored.
 */
export function bodySealerOf(config: GatewayConfig, create: boolean): BodySealer | undefined {
  const { sealing } = config.messageLog;
  if (!sealing.enabled && sealing.formerKeyFiles.length === 0) return undefined;
  const file = bodyKeyFile(config);
  let current;
  try {
    current = loadBodyKey(file, create && sealing.enabled);
  } catch (error) {
    if (create || !/does not exist/.test((error as Error).message)) throw error;
    return undefined;
  }
  return new BodySealer(
    current,
    sealing.formerKeyFiles.map((f) => loadBodyKey(f)),
  );
}

export function timestamperOf(config: GatewayConfig): TsaClient | undefined {
  const { url, tsaCertificate, timeoutMs } = config.messageLog.timestamping;
  return url && tsaCertificate ? new TsaClient(url, tsaCertificate, timeoutMs) : undefined;
}

/**
 * How the checkpoints' time-stamps are checked: with the configured TSA certificate and grace period, or those
 * given (an auditor checking another gateway's archive); undefined when there is no certificate.
 */
export function timestampCheckOf(
  config: GatewayConfig,
  given: { readonly tsaCertificate?: string; readonly graceSeconds?: number } = {},
): TimestampCheck | undefined {
  const { tsaCertificate: file, graceSeconds } = config.messageLog.timestamping;
  const pem = given.tsaCertificate ?? (file ? readFileSync(file, 'utf8') : undefined);
  const seconds = given.graceSeconds ?? graceSeconds;
  return pem === undefined ? undefined : { tsaCertificate: pem, graceMs: seconds * 1000 };
}
