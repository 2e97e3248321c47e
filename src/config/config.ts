/**
 * One zod schema for every setting. Sources, later ones winning: defaults, a JSON config file
 * (`--config FILE` or `SMEV_GATEWAY_CONFIG`), then environment variables. The defaults run out of the box.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { HttpSettingsSchema } from './http.js';
import { packageFile } from './package-root.js';

export const ConfigSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    /** Public base URL used in WSDL locations when set; otherwise built from the request's Host. */
    publicUrl: z.string().url().optional(),
    /** Gateway processes sharing the port (node cluster); each is a full gateway on the same store. */
    workers: z.coerce.number().int().min(1).max(64).default(1),
    logLevel: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
    /** TLS, mutual TLS, trusted proxy, slow-client deadlines and rate limits: `config/http.ts`. */
    http: HttpSettingsSchema.prefault({}),
    store: z
      .object({
        /** `postgres://…` selects PostgreSQL; otherwise the SQLite file below. */
        databaseUrl: z.string().optional(),
        sqliteFile: z.string().default('data/gateway.db'),
        /** PostgreSQL schema to work in (created if missing); several instances share one by naming it. */
        schema: z
          .string()
          .regex(/^[a-z_][a-z0-9_]{0,62}$/)
          .optional(),
      })
      .strict()
      .default({ sqliteFile: 'data/gateway.db' }),
    limits: z
      .object({
        maxBodyBytes: z.coerce
          .number()
          .int()
          .positive()
          .default(5 * 1024 * 1024),
        maxDepth: z.coerce.number().int().positive().default(64),
        maxAttributes: z.coerce.number().int().positive().default(256),
        /** Elements and comments per message: bounds the time a body can cost before its signature is checked. */
        maxNodes: z.coerce.number().int().positive().default(100_000),
        /**
         * Bytes of an oversize body read and discarded before its fault is sent, so clients that write the whole
         * body before reading see the fault; past this the connection is closed unread.
         */
        discardBodyBytes: z.coerce
          .number()
          .int()
          .nonnegative()
          .default(64 * 1024 * 1024),
        /** Total size of one message's attachments, decoded (AttachmentSizeLimitExceeded past it). */
        maxAttachmentBytes: z.coerce
          .number()
          .int()
          .positive()
          .default(4 * 1024 * 1024),
        /** Seconds to let in-flight exchanges finish after SIGTERM. */
        shutdownGraceSeconds: z.coerce.number().positive().default(10),
        providerTimeoutMs: z.coerce.number().int().positive().default(10_000),
      })
      .strict()
      .default({
        maxBodyBytes: 5 * 1024 * 1024,
        discardBodyBytes: 64 * 1024 * 1024,
        maxAttachmentBytes: 4 * 1024 * 1024,
        maxDepth: 64,
        maxAttributes: 256,
        maxNodes: 100_000,
        shutdownGraceSeconds: 10,
        providerTimeoutMs: 10_000,
      }),
    /**
     * The sample PKI and sample participants, for trying the gateway. On unless the configuration names its own
     * trusted CAs; off, nothing sample is seeded or trusted and `pki` must name the gateway's own files.
     */
    samples: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
    pki: z
      .object({
        /** Default with samples on: the sample RSA and GOST CAs shipped with the package. */
        trustedCaFiles: z.array(z.string()).optional(),
        crlFiles: z.array(z.string()).optional(),
        gatewayCertificate: z.string().optional(),
        gatewayKey: z.string().optional(),
        /** Certificates the gateway signed with before a key change: checkpoints they signed still count. */
        formerGatewayCertificates: z.array(z.string()).default([]),
        /** Refuse a certificate whose issuing CA has no CRL in the trust store (`CrlIsNotFound`). */
        requireCrl: z.boolean().default(false),
        /** How often the CRL files are looked at; changed files are read again with no restart. 0: never. */
        crlRefreshSeconds: z.coerce.number().min(0).default(60),
      })
      .strict()
      .prefault({}),
    messageLog: z
      .object({
        enabled: z.boolean().default(true),
        /** An exchange that cannot be recorded is refused (SMEVFailure) rather than answered unlogged. */
        failClosed: z.boolean().default(true),
        /** This gateway's chain; defaults to host name and port. Two running gateways must never share one. */
        instanceId: z.string().min(1).max(100).optional(),
        checkpointEvery: z.coerce.number().int().positive().default(1000),
        /** Every record is covered by a signed checkpoint within this many seconds of being written. */
        checkpointSeconds: z.coerce.number().positive().default(10),
        /**
         * Payload namespaces whose bodies are kept, for exchanges whose sender was verified; every other body
         * (personal data, unknown payloads, unauthenticated traffic) is left out and only its digest is kept.
         */
        keepBodiesFor: z.array(z.string()).default(['urn://smev-gateway/services/ping/1.0']),
        /** Bodies sealed at rest with AES-256-GCM: docs/message-log.md. */
        sealing: z
          .object({
            enabled: z.boolean().default(true),
            /** The key that seals new bodies; default `message-log.key` beside the SQLite file (made on first start). */
            keyFile: z.string().min(1).optional(),
            /** Keys of earlier rotations, kept to open older bodies. */
            formerKeyFiles: z.array(z.string().min(1)).default([]),
          })
          .strict()
          .prefault({}),
        /** RFC 3161 time-stamps on checkpoints from a TSA: docs/message-log.md. Absent `url`: none. */
        timestamping: z
          .object({
            url: z.string().url().optional(),
            /** The TSA's certificate (PEM), to check its tokens; required with `url`. */
            tsaCertificate: z.string().min(1).optional(),
            /** How long exchanges go on while the TSA cannot be reached; then they are refused. */
            graceSeconds: z.coerce
              .number()
              .positive()
              .default(4 * 3600),
            timeoutMs: z.coerce.number().int().positive().default(5000),
          })
          .strict()
          .refine((t) => t.url === undefined || t.tsaCertificate !== undefined, {
            message: 'a TSA url needs tsaCertificate: the certificate its tokens are checked with',
            path: ['tsaCertificate'],
          })
          .prefault({}),
        retentionDays: z.coerce
          .number()
          .int()
          .positive()
          .default(5 * 365 + 1),
        /** How often the gateway removes records past retention that a verified archive holds. */
        retentionSweepMinutes: z.coerce.number().positive().default(60),
        /** Below this much free disk space the log keeps digests only (no bodies), and /health says so. */
        minFreeBytes: z.coerce
          .number()
          .int()
          .min(0)
          .default(1024 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    /** What a participant receives on registration: its QR code (a link) by e-mail over SMTP. */
    registration: z
      .object({
        /** Base of the link the QR code opens (the registry code is appended); default `<publicUrl>/registry/`. */
        qrLinkBase: z.string().url().optional(),
        /** The SMTP server the registration letter goes through; no letter is sent without it. */
        mail: z
          .object({
            host: z.string().min(1),
            port: z.coerce.number().int().min(1).max(65535).default(25),
            /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
            secure: z.boolean().default(false),
            /** Refuse to send unless the server upgrades to TLS with STARTTLS. */
            requireTls: z.boolean().default(false),
            user: z.string().optional(),
            password: z.string().optional(),
            from: z.string().email(),
            timeoutMs: z.coerce.number().int().positive().default(10_000),
          })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
    /** Settings of the built-in services, one section each (`certificates`, `cards`, `tests`), checked by the service. */
    services: z.record(z.string(), z.unknown()).default({}),
    replay: z
      .object({
        /** Accepted distance between a MessageID's UUID time and the gateway clock. */
        windowSeconds: z.coerce.number().int().positive().default(300),
      })
      .strict()
      .default({ windowSeconds: 300 }),
    /**
     * The attachment store of file-storage attachments (FSAttachmentsList): docs/attachments.md. Files lie in a
     * folder (default `attachments` beside the SQLite file; several instances must share it), one file per upload.
     */
    attachments: z
      .object({
        /** The folder; created on start. */
        dir: z.string().min(1).optional(),
        /** Largest file one upload may hold (AttachmentSizeLimitExceeded past it). */
        maxFileBytes: z.coerce
          .number()
          .int()
          .positive()
          .default(512 * 1024 * 1024),
        /** Total size of the stored files one message may name. */
        maxMessageBytes: z.coerce
          .number()
          .int()
          .positive()
          .default(1024 * 1024 * 1024),
        /** An upload no queued message names is removed this long after it was made. */
        unusedTtlSeconds: z.coerce
          .number()
          .positive()
          .default(24 * 3600),
        /** How long the download credential handed out with a message (FSAttachment/Password) stays good. */
        downloadTtlSeconds: z.coerce
          .number()
          .positive()
          .default(24 * 3600),
        /** Seconds between sweeps that remove unneeded files and expired credentials. */
        sweepSeconds: z.coerce.number().positive().default(300),
      })
      .strict()
      .prefault({}),
    /** The queued operations (SendRequest … GetStatus): timeouts, lifetimes and quotas. */
    queue: z
      .object({
        /** A handed-out message not acknowledged within this time is handed out again. */
        visibilityTimeoutSeconds: z.coerce.number().positive().default(60),
        /** A queued message leaves the queue (expired) after this time, or at its own EOL when earlier. */
        lifetimeSeconds: z.coerce
          .number()
          .positive()
          .default(24 * 3600),
        /** Open requests one recipient system may hold (DestinationOverflow beyond it); 0: no limit. */
        maxDepth: z.coerce.number().int().min(0).default(10_000),
        /**
         * Requests per second per sending system over every operation, Call included, shared by every instance
         * on the store; 0: no limit.
         */
        ratePerSecond: z.coerce.number().min(0).default(0),
        /** Bucket size of the rate quota: how many requests may come at once. */
        rateBurst: z.coerce.number().int().positive().default(100),
        /** Status notices for GetStatus. */
        statusNotices: z.boolean().default(true),
        /** Seconds between expiry sweeps. */
        expirySweepSeconds: z.coerce.number().positive().default(5),
        /** Final messages are kept this long (Ack retries, TargetMessageIsNotFound answers). */
        retainSeconds: z.coerce
          .number()
          .positive()
          .default(24 * 3600),
        /** Concurrent hosted-provider calls of this instance's worker; 0 turns the worker off. */
        workerConcurrency: z.coerce.number().int().min(0).default(4),
        /** How often an idle worker looks for hosted requests. */
        workerPollMs: z.coerce.number().int().positive().default(50),
      })
      .strict()
      .prefault({}),
  })
  .strict();

type ParsedConfig = z.infer<typeof ConfigSchema>;

export interface PkiSettings {
  readonly trustedCaFiles: string[];
  readonly crlFiles: string[];
  readonly gatewayCertificate: string;
  readonly gatewayKey: string;
  readonly formerGatewayCertificates: string[];
  readonly requireCrl: boolean;
  readonly crlRefreshSeconds: number;
}

export type GatewayConfig = Omit<ParsedConfig, 'samples' | 'pki'> & {
  readonly samples: boolean;
  readonly pki: PkiSettings;
};

/** The sample PKI shipped with the package: RSA and GOST CAs with their CRLs, and the gateway's RSA key. */
export const SAMPLE_PKI: PkiSettings = {
  trustedCaFiles: [packageFile('certs-sample/ca.crt.pem'), packageFile('certs-sample/gost/ca.crt.pem')],
  crlFiles: [packageFile('certs-sample/ca.crl.pem'), packageFile('certs-sample/gost/ca.crl.pem')],
  gatewayCertificate: packageFile('certs-sample/gateway.crt.pem'),
  gatewayKey: packageFile('certs-sample/gateway.key.pem'),
  formerGatewayCertificates: [],
  requireCrl: false,
  crlRefreshSeconds: 60,
};

/**
 * Samples on: the sample CAs are trusted beside any named ones, and the sample files fill what is not named (CRLs
 * included). Off: all must be named.
 */
function withSamples(parsed: ParsedConfig): GatewayConfig {
  const pki = parsed.pki;
  const samples = parsed.samples ?? pki.trustedCaFiles === undefined;
  if (samples) {
    const union = (named: string[] | undefined, sample: string[]) => [
      ...new Set([...(named ?? []), ...sample]),
    ];
    return {
      ...parsed,
      samples,
      pki: {
        trustedCaFiles: union(pki.trustedCaFiles, SAMPLE_PKI.trustedCaFiles),
        // Named CRLs are the revocation lists the operator chose, a newer one of a sample CA's included.
        crlFiles: pki.crlFiles ?? SAMPLE_PKI.crlFiles,
        gatewayCertificate: pki.gatewayCertificate ?? SAMPLE_PKI.gatewayCertificate,
        gatewayKey: pki.gatewayKey ?? SAMPLE_PKI.gatewayKey,
        formerGatewayCertificates: pki.formerGatewayCertificates,
        requireCrl: pki.requireCrl,
        crlRefreshSeconds: pki.crlRefreshSeconds,
      },
    };
  }
  const missing = (['trustedCaFiles', 'gatewayCertificate', 'gatewayKey'] as const).filter(
    (name) => pki[name] === undefined || pki[name].length === 0,
  );
  if (missing.length > 0) {
    throw new ConfigError(
      `invalid configuration:\n  ${missing.map((name) => `pki.${name}: required when samples are off`).join('\n  ')}`,
    );
  }
  return {
    ...parsed,
    samples,
    pki: {
      trustedCaFiles: pki.trustedCaFiles ?? [],
      crlFiles: pki.crlFiles ?? [],
      gatewayCertificate: pki.gatewayCertificate ?? '',
      gatewayKey: pki.gatewayKey ?? '',
      formerGatewayCertificates: pki.formerGatewayCertificates,
      requireCrl: pki.requireCrl,
      crlRefreshSeconds: pki.crlRefreshSeconds,
    },
  };
}

/** Environment variables that override the file, by the dotted setting they set. */
const ENVIRONMENT: Record<string, string> = {
  HOST: 'host',
  PORT: 'port',
  PUBLIC_URL: 'publicUrl',
  LOG_LEVEL: 'logLevel',
  WORKERS: 'workers',
  DATABASE_URL: 'store.databaseUrl',
  DATABASE_SCHEMA: 'store.schema',
  SQLITE_FILE: 'store.sqliteFile',
  ATTACHMENTS_DIR: 'attachments.dir',
  MAX_BODY_BYTES: 'limits.maxBodyBytes',
  SAMPLES: 'samples',
  INSTANCE_ID: 'messageLog.instanceId',
  RATE_LIMIT_SOAP: 'http.rateLimit.soap',
};

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node[key] = typeof next === 'object' && next !== null ? next : {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadOptions {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  overrides?: Record<string, unknown>;
}

export function loadConfig(options: LoadOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.SMEV_GATEWAY_CONFIG;
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
    }
  }
  for (const [variable, path] of Object.entries(ENVIRONMENT)) {
    const value = env[variable];
    if (value !== undefined && value !== '') setPath(raw, path, value);
  }
  for (const [path, value] of Object.entries(options.overrides ?? {})) setPath(raw, path, value);
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return withSamples(parsed.data);
}
