/**
 * One zod schema for every setting. Sources, later ones winning: defaults, a JSON config file
 * (`--config FILE` or `SMEV_GATEWAY_CONFIG`), then environment variables. The defaults run out of the box.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { HttpSettingsSchema } from './http.js';
import { packageFile } from './package-root.js';
import { DEFAULT_XML_LIMITS } from '../xml/guard.js';

export const ConfigSchema = z
  .object({
    host: z.string().default('127.0.0.1').describe('Address to listen on.'),
    port: z.coerce.number().int().min(0).max(65535).default(8080).describe('Port to listen on.'),
    publicUrl: z
      .string()
      .url()
      .optional()
      .describe("Public base URL written into the WSDL's addresses; by default the one the client used."),
    workers: z.coerce
      .number()
      .int()
      .min(0)
      .max(64)
      .default(0)
      .describe(
        'Gateway processes sharing the port (node cluster); each is a full gateway on the same store. 0: one per core. Forked workers get 64 MB young-generation semi-spaces unless NODE_OPTIONS or the node command line names a size.',
      )
      .transform((n) => n || availableParallelism()),
    logLevel: z.enum(['error', 'warn', 'info', 'debug']).default('info').describe('Least level logged.'),
    http: HttpSettingsSchema.prefault({}).describe(
      'TLS, mutual TLS, trusted proxy, slow-client deadlines and request limits per client address.',
    ),
    store: z
      .object({
        databaseUrl: z
          .string()
          .optional()
          .describe('`postgres://…` selects PostgreSQL; otherwise the SQLite file below.'),
        sqliteFile: z
          .string()
          .default('data/gateway.db')
          .describe('The SQLite file (WAL mode), created and migrated on first start.'),
        schema: z
          .string()
          .regex(/^[a-z_][a-z0-9_]{0,62}$/)
          .optional()
          .describe(
            'PostgreSQL schema to work in (created if missing); instances sharing queues name the same one.',
          ),
      })
      .strict()
      .prefault({})
      .describe('Where the gateway keeps its state: SQLite by default, PostgreSQL when a URL is given.'),
    limits: z
      .object({
        maxBodyBytes: z.coerce
          .number()
          .int()
          .positive()
          .default(5 * 1024 * 1024)
          .describe('Largest accepted request body (after gzip or deflate is inflated).'),
        maxDepth: z.coerce
          .number()
          .int()
          .positive()
          .default(DEFAULT_XML_LIMITS.maxDepth)
          .describe('Deepest element nesting.'),
        maxAttributes: z.coerce
          .number()
          .int()
          .positive()
          .default(DEFAULT_XML_LIMITS.maxAttributes)
          .describe('Most attributes on one element.'),
        maxNodes: z.coerce
          .number()
          .int()
          .positive()
          .default(DEFAULT_XML_LIMITS.maxNodes)
          .describe(
            'Most elements, comments and CDATA sections in one message: bounds the time a body can cost before its signature ' +
              'is checked (about 10 µs a node to build the tree).',
          ),
        discardBodyBytes: z.coerce
          .number()
          .int()
          .nonnegative()
          .default(64 * 1024 * 1024)
          .describe(
            'Bytes of an oversize body read and discarded before its 413 fault is sent, so clients that write ' +
              'the whole body before reading see the fault; past this the connection is closed unread.',
          ),
        maxAttachmentBytes: z.coerce
          .number()
          .int()
          .positive()
          .default(4 * 1024 * 1024)
          .describe("Total decoded size of one message's attachments (AttachmentSizeLimitExceeded past it)."),
        shutdownGraceSeconds: z.coerce
          .number()
          .positive()
          .default(10)
          .describe('How long SIGTERM lets in-flight exchanges finish.'),
        providerTimeoutMs: z.coerce
          .number()
          .int()
          .positive()
          .default(10_000)
          .describe("Deadline for a provider's answer."),
      })
      .strict()
      .prefault({})
      .describe('Limits on what one request may cost.'),
    samples: z
      .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
      .optional()
      .describe(
        'The sample PKI and sample participants, for trying the gateway. On unless `pki.trustedCaFiles` is ' +
          "set; off, nothing sample is seeded or trusted and `pki` must name the gateway's own files " +
          '(docs/command-line.md).',
      ),
    pki: z
      .object({
        trustedCaFiles: z
          .array(z.string())
          .optional()
          .describe(
            'Trusted CA certificates (PEM). With samples on, the sample RSA and GOST CAs shipped with the ' +
              'package are trusted beside these.',
          ),
        crlFiles: z
          .array(z.string())
          .optional()
          .describe(
            'CRLs of those CAs. With samples on and none named: the sample CRLs; named ones replace them.',
          ),
        gatewayCertificate: z
          .string()
          .optional()
          .describe(
            "The gateway's signing certificate (RSA or GOST); with samples on, the package's " +
              '`certs-sample/gateway.crt.pem`; required with samples off.',
          ),
        gatewayKey: z
          .string()
          .optional()
          .describe(
            "The gateway's signing key (PKCS#8 PEM); with samples on, the package's " +
              '`certs-sample/gateway.key.pem`; required with samples off.',
          ),
        formerGatewayCertificates: z
          .array(z.string())
          .default([])
          .describe(
            'Certificates the gateway signed with before a key change: checkpoints they signed still count.',
          ),
        requireCrl: z
          .boolean()
          .default(false)
          .describe('Refuse a certificate whose issuing CA has no CRL in the trust store (`CrlIsNotFound`).'),
        crlRefreshSeconds: z.coerce
          .number()
          .min(0)
          .default(60)
          .describe(
            'How often the CRL files are looked at; changed files are read again with no restart. 0: never.',
          ),
      })
      .strict()
      .prefault({})
      .describe("The trust store and the gateway's own key."),
    messageLog: z
      .object({
        enabled: z.boolean().default(true).describe('Record every exchange.'),
        failClosed: z
          .boolean()
          .default(true)
          .describe(
            'An exchange that cannot be recorded is refused (SMEVFailure) rather than answered unlogged.',
          ),
        instanceId: z
          .string()
          .min(1)
          .max(100)
          .optional()
          .describe(
            "This gateway's chain; by default host name and port. Two running gateways must never share one.",
          ),
        checkpointEvery: z.coerce
          .number()
          .int()
          .positive()
          .default(1000)
          .describe('A signed checkpoint over the chain head after this many records.'),
        checkpointSeconds: z.coerce
          .number()
          .positive()
          .default(10)
          .describe(
            'Every record is covered by a signed checkpoint within this many seconds of being written.',
          ),
        keepBodiesFor: z
          .array(z.string())
          .default(['urn://smev-gateway/services/ping/1.0'])
          .describe(
            'Payload namespaces whose bodies are kept, for exchanges whose sender was verified; every other body ' +
              '(personal data, unknown payloads, unauthenticated traffic) is left out and only its digest is kept.',
          ),
        sealing: z
          .object({
            enabled: z.boolean().default(true).describe('Seal bodies at rest with AES-256-GCM.'),
            keyFile: z
              .string()
              .min(1)
              .optional()
              .describe(
                'The key that seals new bodies; by default `message-log.key` beside the SQLite file (made on first start).',
              ),
            formerKeyFiles: z
              .array(z.string().min(1))
              .default([])
              .describe('Keys of earlier rotations, kept to open older bodies.'),
          })
          .strict()
          .prefault({})
          .describe('Bodies sealed at rest (docs/message-log.md).'),
        timestamping: z
          .object({
            url: z
              .string()
              .url()
              .optional()
              .describe('The TSA to ask; absent, checkpoints carry no time-stamp.'),
            tsaCertificate: z
              .string()
              .min(1)
              .optional()
              .describe("The TSA's certificate (PEM), to check its tokens; required with `url`."),
            graceSeconds: z.coerce
              .number()
              .positive()
              .default(4 * 3600)
              .describe('How long exchanges go on while the TSA cannot be reached; then they are refused.'),
            timeoutMs: z.coerce
              .number()
              .int()
              .positive()
              .default(5000)
              .describe("Deadline for the TSA's answer."),
          })
          .strict()
          .refine((t) => t.url === undefined || t.tsaCertificate !== undefined, {
            message: 'a TSA url needs tsaCertificate: the certificate its tokens are checked with',
            path: ['tsaCertificate'],
          })
          .prefault({})
          .describe('RFC 3161 time-stamps on checkpoints from a TSA (docs/message-log.md).'),
        retentionDays: z.coerce
          .number()
          .int()
          .positive()
          .default(5 * 365 + 1)
          .describe('How long records stay in the store (removed only once a verified archive holds them).'),
        retentionSweepMinutes: z.coerce
          .number()
          .positive()
          .default(60)
          .describe('How often the gateway removes records past retention that a verified archive holds.'),
        minFreeBytes: z.coerce
          .number()
          .int()
          .min(0)
          .default(1024 * 1024 * 1024)
          .describe(
            'Below this much free disk space the log keeps digests only (no bodies), and /health says so.',
          ),
      })
      .strict()
      .prefault({})
      .describe('The signed message log (docs/message-log.md).'),
    registration: z
      .object({
        qrLinkBase: z
          .string()
          .url()
          .optional()
          .describe(
            'Base of the link the QR code opens (the registry code is appended); by default `<publicUrl>/registry/`.',
          ),
        mail: z
          .object({
            host: z.string().min(1).describe('The SMTP server.'),
            port: z.coerce.number().int().min(1).max(65535).default(25).describe('Its port.'),
            secure: z
              .boolean()
              .default(false)
              .describe('TLS from the start (port 465); otherwise STARTTLS when the server offers it.'),
            requireTls: z
              .boolean()
              .default(false)
              .describe('Refuse to send unless the server upgrades to TLS with STARTTLS.'),
            user: z.string().optional().describe('SMTP user name.'),
            password: z.string().optional().describe('SMTP password.'),
            from: z.string().email().describe('Sender address of the letter.'),
            timeoutMs: z.coerce
              .number()
              .int()
              .positive()
              .default(10_000)
              .describe('Deadline for the SMTP exchange.'),
          })
          .strict()
          .optional()
          .describe('The SMTP server the registration letter goes through; no letter is sent without it.'),
      })
      .strict()
      .prefault({})
      .describe('What a participant receives on registration: its QR code (a link) by e-mail over SMTP.'),
    console: z
      .object({
        enabled: z.boolean().default(true).describe('Serve the web console at `/console`.'),
        sessionIdleMinutes: z.coerce
          .number()
          .positive()
          .max(24 * 60)
          .default(15)
          .describe('A console session unused this long ends; the next page asks to sign in again.'),
        sessionMaxHours: z.coerce
          .number()
          .positive()
          .max(7 * 24)
          .default(12)
          .describe('A console session ends this long after sign-in, however busy.'),
      })
      .strict()
      .prefault({})
      .describe(
        'The web console for operators, coordinators and auditors (signed in with their API tokens), ' +
          "and the public page that checks a document's authenticity.",
      ),
    services: z
      .record(z.string(), z.unknown())
      .default({})
      .describe(
        'Settings of the services behind the gateway, one section each (`cards`, `lab-results`, `remote`, or a ' +
          "provider module's own), each checked by the service that reads it.",
      ),
    replay: z
      .object({
        windowSeconds: z.coerce
          .number()
          .int()
          .positive()
          .default(300)
          .describe("Accepted distance between a MessageID's UUID time and the gateway clock."),
      })
      .strict()
      .prefault({})
      .describe('Replay protection.'),
    attachments: z
      .object({
        dir: z
          .string()
          .min(1)
          .optional()
          .describe('The folder; created on start. Default: `attachments` beside the SQLite file.'),
        maxFileBytes: z.coerce
          .number()
          .int()
          .positive()
          .default(512 * 1024 * 1024)
          .describe('Largest file one upload may hold (AttachmentSizeLimitExceeded past it).'),
        maxMessageBytes: z.coerce
          .number()
          .int()
          .positive()
          .default(1024 * 1024 * 1024)
          .describe('Total size of the stored files one message may name.'),
        unusedTtlSeconds: z.coerce
          .number()
          .positive()
          .default(24 * 3600)
          .describe('An upload no queued message names is removed this long after it was made.'),
        downloadTtlSeconds: z.coerce
          .number()
          .positive()
          .default(24 * 3600)
          .describe(
            'How long the download credential handed out with a message (FSAttachment/Password) stays good.',
          ),
        sweepSeconds: z.coerce
          .number()
          .positive()
          .default(300)
          .describe('Seconds between sweeps that remove unneeded files and expired credentials.'),
      })
      .strict()
      .prefault({})
      .describe(
        'The attachment store of file-storage attachments (FSAttachmentsList), docs/attachments.md: one file per ' +
          'upload in a folder that several instances must share.',
      ),
    queue: z
      .object({
        visibilityTimeoutSeconds: z.coerce
          .number()
          .positive()
          .default(60)
          .describe('A handed-out message not acknowledged within this time is handed out again.'),
        lifetimeSeconds: z.coerce
          .number()
          .positive()
          .default(24 * 3600)
          .describe(
            'A queued message leaves the queue (expired) after this time, or at its own EOL when earlier.',
          ),
        maxDepth: z.coerce
          .number()
          .int()
          .min(0)
          .default(10_000)
          .describe(
            'Open requests one recipient system may hold (DestinationOverflow beyond it); 0: no limit.',
          ),
        ratePerSecond: z.coerce
          .number()
          .min(0)
          .default(0)
          .describe(
            'Requests per second per sending system over every operation, Call included, shared by every ' +
              'instance on the store (one store write per request while on); 0: no limit.',
          ),
        rateBurst: z.coerce
          .number()
          .int()
          .positive()
          .default(100)
          .describe('Bucket size of the rate quota: how many requests may come at once.'),
        statusNotices: z.boolean().default(true).describe('Status notices for GetStatus.'),
        expirySweepSeconds: z.coerce
          .number()
          .positive()
          .default(5)
          .describe('Seconds between expiry sweeps.'),
        retainSeconds: z.coerce
          .number()
          .positive()
          .default(24 * 3600)
          .describe('Final messages are kept this long (Ack retries, TargetMessageIsNotFound answers).'),
        workerConcurrency: z.coerce
          .number()
          .int()
          .min(0)
          .default(4)
          .describe("Concurrent hosted-provider calls of this instance's worker; 0 turns the worker off."),
        workerPollMs: z.coerce
          .number()
          .int()
          .positive()
          .default(50)
          .describe(
            'How soon an idle worker looks again for hosted requests. Each look that finds none doubles the wait, ' +
              'up to `workerIdleMs`; a request queued through this instance wakes the worker at once.',
          ),
        workerIdleMs: z.coerce
          .number()
          .int()
          .positive()
          .default(1000)
          .describe('The longest wait between two looks of an idle worker.'),
      })
      .strict()
      .prefault({})
      .describe('The queued operations (SendRequest … GetStatus): timeouts, lifetimes and quotas.'),
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
export const ENVIRONMENT: Readonly<Record<string, string>> = {
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
  RATE_LIMIT_SOAP_REFUSED_BYTES: 'http.rateLimit.soapRefusedBytes',
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
