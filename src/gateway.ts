/**
 * The composition root: reads the configuration, opens the store, compiles the schemas, wires the pipeline and
 * serves it. `stop()` drains in-flight exchanges before closing the store.
 */
import cluster from 'node:cluster';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from './config/config.js';
import { packageFile } from './config/package-root.js';
import { Pipeline } from './exchange/pipeline.js';
import { HostedWorker } from './exchange/hosted-worker.js';
import { StoreQueue } from './queue/store-queue.js';
import { AttachmentStore } from './attachments/store.js';
import { StoreRateQuota } from './queue/rate-quota.js';
import { StoreReplayGuard } from './exchange/replay-guard.js';
import { createLogger, type Logger } from './logging/logger.js';
import { builtinMessageTypes, builtinServices } from './providers/builtin.js';
import { ProviderDelivery } from './providers/delivery.js';
import { externalServices } from './providers/external.js';
import { parseRemoteSettings, RemoteProvider } from './providers/remote/remote-provider.js';
import { RegistryDirectory } from './registry/directory.js';
import { Registry } from './registry/registry.js';
import { RegistrationMailer, registrationLinkBase } from './mail/registration-mail.js';
import { seedIfEmpty } from './registry/seed.js';
import { createAuditTrail, gatewayCheckpointSigner } from './audit/setup.js';
import { MessageLogWriter } from './messagelog/writer.js';
import { BodyPolicy } from './messagelog/body-policy.js';
import { pruneMessageLog } from './messagelog/retention.js';
import { bodySealerOf, timestamperOf, timestampCheckOf } from './messagelog/setup.js';
import { LogSpace } from './messagelog/space.js';
import { createApp } from './server/app.js';
import { createGatewayServer } from './server/http-server.js';
import { GatewayMetrics } from './server/metrics.js';
import { Contract } from './soap/contract.js';
import { openStore, type Store } from './store/store.js';
import { SchemaSet } from './xml/schemas.js';
import { EXCHANGE_1_1, VersionCache } from './soap/namespaces.js';
import type { SignatureVerifier } from './core/ports.js';
import { CrlRefresher } from './signature/pki/crl-refresh.js';
import {
  loadCheckpointSigners,
  loadGatewayPki,
  readingEachOnce,
  type GatewayPki,
  type ReadPkiFile,
} from './signature/setup.js';
import { GatewaySigner } from './signature/signer.js';
import { XmlSignatureVerifier } from './signature/verifier.js';
import { DocumentsProvider } from './providers/documents/provider.js';

export interface RunningGateway {
  readonly url: string;
  /** The assembled pipeline: runs one exchange in-process, as the SOAP endpoint does for each request. */
  readonly pipeline: Pipeline;
  readonly store: Store;
  readonly registry: Registry;
  readonly log: Logger;
  /** Sign (and time-stamp) checkpoints of the message log and the audit trail now, as the timers do. */
  checkpoint(): Promise<void>;
  /** Apply retention now, as the sweep does: records past the period that a verified archive holds go. */
  prune(now?: Date): Promise<Array<{ instance: string; removedThrough: number; removed: number }>>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Quiet logs (tests). */
  readonly silent?: boolean;
  /** PostgreSQL schema to use (tests use a fresh one). */
  readonly schema?: string;
  /** Replace the signature verifier (tests of the steps around it). */
  readonly verifier?: SignatureVerifier;
  /**
   * The hosted services' business clock (what "today" is for a certificate's term or a daily registry). Tests of
   * seeded sample data fix it to a moment of that data; transport checks (certificates, MessageID window) keep
   * the real clock.
   */
  readonly serviceClock?: () => Date;
  /** How the key, certificate and trust files are read (tests count the reads: each once per start). */
  readonly readPkiFile?: ReadPkiFile;
}

/**
 * Migrate the store, register the sample participants and make the message log's body key on first start, once,
 * before workers start.
 */
export async function prepareStore(
  config: GatewayConfig,
  log: Logger,
  pki: GatewayPki = loadGatewayPki(config),
): Promise<void> {
  const store = await openStore({
    databaseUrl: config.store.databaseUrl,
    sqliteFile: config.store.sqliteFile,
    ...(config.store.schema ? { schema: config.store.schema } : {}),
  });
  try {
    const trail = createAuditTrail(store, config, pki.key, { onCheckpointError: auditError(log) });
    if (
      config.samples &&
      (await seedIfEmpty(store, new Registry(store, trail, pki.trust), builtinMessageTypes()))
    ) {
      log.info('first start: sample participants registered');
    }
    await trail.checkpoint();
  } finally {
    await store.close();
  }
  // The key that seals message-log bodies, made here once rather than by every worker at its start.
  if (config.messageLog.enabled) bodySealerOf(config, true);
}

/** Where the audit trail's failed checkpoints go, a chain that no longer extends the signed one among them. */
const auditError = (log: Logger) => (error: Error) =>
  log.error('audit checkpoint failed', { error: error.message });

/** This gateway's message-log chain: configured, or host and port (and cluster worker). */
function instanceIdOf(config: GatewayConfig): string {
  const worker = cluster.isWorker && cluster.worker ? `/w${cluster.worker.id}` : '';
  return `${config.messageLog.instanceId ?? `${hostname()}:${config.port}`}${worker}`;
}

export async function startGateway(
  config: GatewayConfig,
  options: StartOptions = {},
): Promise<RunningGateway> {
  const log = createLogger(config.logLevel, { silent: options.silent ?? false });
  const store = await openStore({
    databaseUrl: config.store.databaseUrl,
    sqliteFile: config.store.sqliteFile,
    ...((options.schema ?? config.store.schema) ? { schema: options.schema ?? config.store.schema } : {}),
  });
  const schemas = SchemaSet.compile(packageFile(EXCHANGE_1_1.schemaRoot));
  // The other versions' schema sets and WSDLs are compiled on their first use: most gateways serve one version.
  const versionSchemas = new VersionCache((version) => SchemaSet.compile(packageFile(version.schemaRoot)));
  const contracts = new VersionCache((version) =>
    Contract.load(packageFile(version.wsdlFile), packageFile('xsd')),
  );
  // The gateway's key and trust store, loaded once here and handed to every part that signs or verifies; each PKI
  // file is read once, and what the console bundles into its exports is what the trust store was built from.
  const readPki = readingEachOnce(options.readPkiFile);
  const { key, trust } = loadGatewayPki(config, readPki);
  const trail = createAuditTrail(store, config, key, { onCheckpointError: auditError(log) });
  // The QR link names the address the gateway is reached at: configured, or where it listens once it does.
  let listening = `http://${config.host}:${config.port}`;
  const linkBase = registrationLinkBase(config, () => listening);
  const mailer = config.registration.mail
    ? new RegistrationMailer(config.registration.mail, linkBase)
    : undefined;
  const registry = new Registry(store, trail, trust, undefined, { notices: mailer, linkBase });
  if (config.samples && (await seedIfEmpty(store, registry, builtinMessageTypes())))
    log.info('first start: sample participants registered');
  const directory = await RegistryDirectory.open(store);
  const signer = new GatewaySigner(key);
  const crls = new CrlRefresher(trust, config.pki.crlFiles, log).start(config.pki.crlRefreshSeconds);
  const serviceClock = options.serviceClock ?? (() => new Date());
  const hosted = builtinServices(store, config, log, serviceClock, {
    trust,
    systems: directory,
    gatewayKey: key,
  });
  const modules = await externalServices(
    config.services as Record<string, unknown>,
    { store, log, clock: serviceClock },
    { hosted },
  );
  const remote = parseRemoteSettings((config.services as Record<string, unknown>).remote, {
    timeoutMs: config.limits.providerTimeoutMs,
  });
  const instanceId = instanceIdOf(config);
  const checkpointSigner = gatewayCheckpointSigner(config, key);
  const timestamper = timestamperOf(config);
  const sealer = config.messageLog.enabled ? bodySealerOf(config, true) : undefined;
  const messageLog = config.messageLog.enabled
    ? await MessageLogWriter.open(store, instanceId, checkpointSigner, {
        checkpointEvery: config.messageLog.checkpointEvery,
        checkpointSeconds: config.messageLog.checkpointSeconds,
        onError: (error) => log.error('message log checkpoint failed', { error: (error as Error).message }),
        ...(timestamper
          ? {
              timestamper,
              timestampGraceMs: config.messageLog.timestamping.graceSeconds * 1000,
              timestampTimeoutMs: config.messageLog.timestamping.timeoutMs,
            }
          : {}),
        ...(sealer ? { sealer } : {}),
        formerCertificates: config.pki.formerGatewayCertificates.map((file) => readPki(file)),
      })
    : undefined;
  if (messageLog && !timestamper)
    log.warn('message log checkpoints are not time-stamped: no TSA is configured');
  const space = new LogSpace(store, config.store.sqliteFile, config.messageLog.minFreeBytes).watch();
  // The audit trail's entries, from the admin API or from CLI commands, are signed over within the interval too.
  const auditTimer = setInterval(
    () =>
      void trail
        .checkpoint()
        .catch((error: unknown) => log.error('audit checkpoint failed', { error: (error as Error).message })),
    (config.messageLog.checkpointSeconds * 1000) / 2,
  );
  auditTimer.unref();
  const prune = (now = new Date()) =>
    pruneMessageLog(store, checkpointSigner, config.messageLog.retentionDays, now, instanceId);
  const retentionTimer = setInterval(
    () =>
      void prune().catch((error: unknown) =>
        log.error('message log retention failed', { error: (error as Error).message }),
      ),
    config.messageLog.retentionSweepMinutes * 60_000,
  );
  retentionTimer.unref();
  const queueSettings = config.queue;
  const queue = new StoreQueue(store, {
    visibilityTimeoutMs: queueSettings.visibilityTimeoutSeconds * 1000,
    lifetimeMs: queueSettings.lifetimeSeconds * 1000,
    maxDepth: queueSettings.maxDepth,
    statusNotices: queueSettings.statusNotices,
    retainMs: queueSettings.retainSeconds * 1000,
  });
  const attachmentSettings = config.attachments;
  const files = await AttachmentStore.open(store, {
    dir: attachmentSettings.dir ?? join(dirname(config.store.sqliteFile), 'attachments'),
    maxFileBytes: attachmentSettings.maxFileBytes,
    maxMessageBytes: attachmentSettings.maxMessageBytes,
    unusedTtlMs: attachmentSettings.unusedTtlSeconds * 1000,
    downloadTtlMs: attachmentSettings.downloadTtlSeconds * 1000,
  });
  // Files no queued message names any more (the queue's retention removes its messages) leave the store.
  const fileSweep = setInterval(
    () =>
      void files
        .sweep(new Date())
        .catch((error: unknown) => log.error('attachment sweep failed', { error: (error as Error).message })),
    attachmentSettings.sweepSeconds * 1000,
  );
  fileSweep.unref();
  const delivery = new ProviderDelivery([...hosted, ...modules], {
    provider: new RemoteProvider(remote.options),
    messageTypes: remote.messageTypes,
  });
  const pipeline = new Pipeline({
    declaresFault: (version, operation, element) => contracts.get(version).declaresFault(operation, element),
    limits: config.limits,
    schemas,
    schemasOf: (version) => versionSchemas.get(version),
    verifier: options.verifier ?? new XmlSignatureVerifier(trust, directory),
    replay: new StoreReplayGuard(store, config.replay.windowSeconds * 1000),
    router: directory,
    delivery,
    signer,
    queue,
    files,
    quota:
      queueSettings.ratePerSecond > 0
        ? new StoreRateQuota(store, queueSettings.ratePerSecond, queueSettings.rateBurst)
        : undefined,
    messageLog: messageLog && {
      record: (fields) => messageLog.record(fields),
      failClosed: config.messageLog.failClosed,
      bodies: new BodyPolicy(config.messageLog.keepBodiesFor, () => space.low()),
    },
  });
  const worker = new HostedWorker(queue, delivery, directory, signer, log, {
    concurrency: queueSettings.workerConcurrency,
    pollMs: queueSettings.workerPollMs,
    idleMs: queueSettings.workerIdleMs,
    providerTimeoutMs: config.limits.providerTimeoutMs,
    maxAttempts: 5,
  });
  queue.onHostedRequest = () => worker.wake();
  worker.start();
  const expiry = setInterval(
    () =>
      void queue
        .expire(new Date())
        .catch((error: unknown) => log.error('queue expiry failed', { error: (error as Error).message })),
    queueSettings.expirySweepSeconds * 1000,
  );
  expiry.unref();
  const metrics = new GatewayMetrics();
  const app = createApp({
    pipeline,
    contracts: (version) => contracts.get(version),
    metrics,
    log,
    store,
    maxBodyBytes: config.limits.maxBodyBytes,
    discardBodyBytes: config.limits.discardBodyBytes,
    publicUrl: config.publicUrl,
    registry,
    trail,
    sealer,
    http: config.http,
    logHealth: async () => ({
      ...(await space.report()),
      sealed: messageLog !== undefined && config.messageLog.sealing.enabled,
      timestamping: messageLog?.timestampState() ?? { configured: false, overdue: false },
      chain: messageLog?.integrity() ?? { intact: true },
    }),
    serviceClock,
    files,
    ...(config.console.enabled
      ? {
          console: {
            trust,
            checkpointSigners: loadCheckpointSigners(config, trust, readPki),
            timestamps: timestampCheckOf(config),
            xmlLimits: config.limits,
            trustPems: {
              certificates: config.pki.trustedCaFiles.map(readPki),
              crls: config.pki.crlFiles.map(readPki),
            },
            documents: hosted.map((h) => h.provider).find((p) => p instanceof DocumentsProvider),
            sessionIdleMinutes: config.console.sessionIdleMinutes,
            sessionMaxHours: config.console.sessionMaxHours,
          },
        }
      : {}),
  });

  // HTTP or HTTPS (mutual TLS when configured), with deadlines for slow clients: `server/http-server.ts`.
  const { server, scheme } = createGatewayServer(app, config.http, (reason, remoteAddress, message) => {
    metrics.tlsRefused(reason);
    log.warn('TLS connection refused', { reason, remoteAddress, message });
  });
  server.listen(config.port, config.host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${scheme}://${host}:${address.port}`;
  listening = url;
  log.info('gateway listening', { url, store: store.dialect });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('gateway stopping: draining in-flight exchanges');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets become idle as their last exchange is answered: close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      const grace = new Promise<void>((resolve) =>
        setTimeout(resolve, config.limits.shutdownGraceSeconds * 1000).unref(),
      );
      await Promise.race([closed, grace]);
      clearInterval(sweep);
      server.closeAllConnections();
      directory.close();
      crls.stop();
      clearInterval(expiry);
      clearInterval(fileSweep);
      clearInterval(auditTimer);
      clearInterval(retentionTimer);
      space.close();
      await worker.stop();
      await messageLog
        ?.close()
        .catch((error: unknown) =>
          log.error('message log close failed', { error: (error as Error).message }),
        );
      await trail
        .checkpoint()
        .catch((error: unknown) =>
          log.error('audit checkpoint at shutdown failed', { error: (error as Error).message }),
        );
      mailer?.close();
      await store.close();
      schemas.dispose();
      versionSchemas.forEach((set) => set.dispose());
      log.info('gateway stopped');
    })());
  const checkpoint = async () => {
    await messageLog?.checkpoint();
    await trail.checkpoint();
  };
  return { url, pipeline, store, registry, log, checkpoint, prune, stop };
}
