/** What the administrative CLI commands work on: the configured store, trust store, audit trail and registry. */
import { userInfo } from 'node:os';
import { createUnsignedAuditTrail } from '../audit/setup.js';
import type { AuditTrail } from '../audit/trail.js';
import { SAMPLE_PKI, loadConfig, type GatewayConfig } from '../config/config.js';
import { Registry } from '../registry/registry.js';
import { RegistrationMailer, registrationLinkBase } from '../mail/registration-mail.js';
import { builtinMessageTypes } from '../providers/builtin.js';
import { seedIfEmpty } from '../registry/seed.js';
import type { TrustStore } from '../signature/pki/trust-store.js';
import type { CertificateCheck } from '../signature/pki/checkpoint-signers.js';
import { loadCheckpointSigners, loadTrustStore } from '../signature/setup.js';
import { describeStore, openStore, type Store } from '../store/store.js';
import { printNote } from './output.js';

export interface CliContext {
  readonly config: GatewayConfig;
  readonly store: Store;
  readonly trust: TrustStore;
  /** Who may sign log and audit checkpoints: the gateway's own certificates, trusted at the time. */
  readonly checkpointSigners: CertificateCheck;
  readonly trail: AuditTrail;
  readonly registry: Registry;
  close(): Promise<void>;
}

export async function openCliContext(configFile?: string): Promise<CliContext> {
  const config = loadConfig({ file: configFile });
  const where = {
    databaseUrl: config.store.databaseUrl,
    sqliteFile: config.store.sqliteFile,
    ...(config.store.schema ? { schema: config.store.schema } : {}),
  };
  // Only the gateway makes a store; a command on a store that is not there would work on an empty copy.
  const store = await openStore({ ...where, create: false });
  printNote(`store: ${describeStore(where)}`);
  const trust = loadTrustStore(config);
  const trail = createUnsignedAuditTrail(store);
  const linkBase = registrationLinkBase(config, () => `http://${config.host}:${config.port}`);
  const mailer = config.registration.mail
    ? new RegistrationMailer(config.registration.mail, linkBase)
    : undefined;
  const registry = new Registry(store, trail, trust, undefined, { notices: mailer, linkBase });
  // A store the gateway made while its first start was cut short is seeded as the gateway would.
  if (config.samples) await seedIfEmpty(store, registry, builtinMessageTypes());
  return {
    config,
    store,
    trust,
    checkpointSigners: loadCheckpointSigners(config, trust),
    trail,
    registry,
    // No checkpoint on the way out: only the gateway process signs.
    close: async () => {
      mailer?.close();
      await store.close();
    },
  };
}

export function cliActorName(given?: string): string {
  return given ?? `cli:${userInfo().username}`;
}

/**
 * Said on stderr when an offline verifier checks checkpoints against the sample gateway certificate (no
 * configuration, or the sample one): its key is published, so anyone can sign a trail that verifies with it.
 */
export function noteSampleGatewayCertificate(config: GatewayConfig): void {
  const { gatewayCertificate, formerGatewayCertificates } = config.pki;
  if ([gatewayCertificate, ...formerGatewayCertificates].includes(SAMPLE_PKI.gatewayCertificate))
    printNote(
      "checkpoints are checked against the sample gateway certificate, whose key is published: name the gateway's configuration (-c) or its certificate (--gateway-cert)",
    );
}
