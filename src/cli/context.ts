/** What the administrative CLI commands work on: the configured store, trust store, audit trail and registry. */
import { userInfo } from 'node:os';
import { createAuditTrail } from '../audit/setup.js';
import type { AuditTrail } from '../audit/trail.js';
import { loadConfig, type GatewayConfig } from '../config/config.js';
import { Registry } from '../registry/registry.js';
import { RegistrationMailer, registrationLinkBase } from '../mail/registration-mail.js';
import { seedIfEmpty } from '../registry/seed.js';
import type { TrustStore } from '../signature/pki/trust-store.js';
import type { CertificateCheck } from '../signature/pki/checkpoint-signers.js';
import { loadCheckpointSigners, loadTrustStore } from '../signature/setup.js';
import { openStore, type Store } from '../store/store.js';

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
  const store = await openStore({
    databaseUrl: config.store.databaseUrl,
    sqliteFile: config.store.sqliteFile,
    // The configured PostgreSQL schema, as the gateway itself uses it.
    ...(config.store.schema ? { schema: config.store.schema } : {}),
  });
  const trust = loadTrustStore(config);
  const trail = createAuditTrail(store, config);
  const linkBase = registrationLinkBase(config, () => `http://${config.host}:${config.port}`);
  const mailer = config.registration.mail
    ? new RegistrationMailer(config.registration.mail, linkBase)
    : undefined;
  const registry = new Registry(store, trail, trust, undefined, { notices: mailer, linkBase });
  // A registry command before the gateway's first start sees the same sample participants it would.
  await seedIfEmpty(store, registry);
  return {
    config,
    store,
    trust,
    checkpointSigners: loadCheckpointSigners(config, trust),
    trail,
    registry,
    close: async () => {
      mailer?.close();
      await trail.checkpoint();
      await store.close();
    },
  };
}

export function cliActorName(given?: string): string {
  return given ?? `cli:${userInfo().username}`;
}
