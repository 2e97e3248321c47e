/** The express application: the SOAP endpoint, the admin API, the console, health and metrics. */
import express, { type Express } from 'express';
import type { AuditTrail } from '../audit/trail.js';
import type { Registry } from '../registry/registry.js';
import type { Store } from '../store/store.js';
import type { HttpSettings } from '../config/http.js';
import { adminApi, type AdminApiParts } from './admin-api.js';
import { apiPage } from './api-page.js';
import { consoleRouter, type ConsoleParts } from '../console/router.js';
import { attachmentsApi } from './attachments-api.js';
import type { AttachmentStore } from '../attachments/store.js';
import { healthHandler } from './health.js';
import { finalErrorHandler } from './http-errors.js';
import { registryEntries } from './registry-entries.js';
import type { GatewayMetrics } from './metrics.js';
import { soapEndpoint, type SoapEndpointParts } from './soap-endpoint.js';
import { sourceRateLimits } from './rate-limits.js';
import { securityHeaders } from './security-headers.js';
import { plainRequests } from './plain-requests.js';

export interface AppParts extends SoapEndpointParts, Pick<AdminApiParts, 'sealer'> {
  readonly store: Store;
  readonly metrics: GatewayMetrics;
  readonly registry: Registry;
  readonly trail: AuditTrail;
  readonly http: HttpSettings;
  /** The message log's size, the free disk space and whether checkpoints are time-stamped. */
  readonly logHealth?: () => Promise<object>;
  readonly serviceClock?: () => Date;
  /** The attachment store's upload and download endpoints (`/attachments`); absent: none. */
  readonly files?: AttachmentStore;
  /** The web console at `/console` (src/console/); absent: not served. */
  readonly console?: Omit<ConsoleParts, 'store' | 'registry' | 'trail' | 'sealer' | 'https' | 'log'>;
}

/**
 * Whether browsers reach the gateway over HTTPS: it serves TLS itself, or its public address is https (TLS ends at
 * a proxy in front of it). Then the console's cookies are Secure and HSTS is sent.
 */
function reachedOverHttps(parts: AppParts): boolean {
  return (
    parts.http.tls !== undefined ||
    (parts.publicUrl !== undefined && new URL(parts.publicUrl).protocol === 'https:')
  );
}

export function createApp(parts: AppParts): Express {
  const https = reachedOverHttps(parts);
  const app = express();
  app.disable('x-powered-by');
  // No ETags: SOAP answers and admin API answers are never cached (no-store), and hashing each body costs CPU.
  app.set('etag', false);
  app.set('query parser', 'simple');
  // Security headers, then the client's address (from X-Forwarded-For only via trusted proxies) and its limits.
  app.use(securityHeaders({ https }));
  app.set('trust proxy', parts.http.trustProxy);
  app.use(sourceRateLimits(parts.http, parts.log));
  app.use(plainRequests());
  app.use(soapEndpoint(parts));
  app.use('/api/v1', adminApi(parts));
  app.use('/api/docs', apiPage());
  if (parts.console)
    app.use(
      '/console',
      consoleRouter({
        ...parts.console,
        store: parts.store,
        registry: parts.registry,
        trail: parts.trail,
        sealer: parts.sealer,
        https,
        log: parts.log,
      }),
    );
  if (parts.files) app.use(attachmentsApi({ files: parts.files, registry: parts.registry, log: parts.log }));
  app.use('/registry', registryEntries(parts.registry));

  app.get('/health', healthHandler(parts));

  app.get('/metrics', async (_req, res) => {
    res.type(parts.metrics.registry.contentType).send(await parts.metrics.registry.metrics());
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use(finalErrorHandler(parts.log));
  return app;
}
