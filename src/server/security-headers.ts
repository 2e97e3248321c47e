/**
 * Security headers (helmet). SOAP answers (POST /ws) stay plain: only `X-Content-Type-Options: nosniff` (and HSTS
 * over HTTPS), since SOAP clients are no browsers and want nothing else. Everything else the gateway serves (the
 * admin API, the WSDL and schemas, health, metrics) is data, never a page: a policy that lets nothing load or frame
 * it, plus helmet's other defaults; admin API answers are also never cached. The admin API's page (`/api/docs`)
 * relaxes that policy by its own stylesheet only: no script, no inline style, nothing from elsewhere. The web
 * console (`/console`) sets its own policy, which adds posting forms to the gateway (console/router.ts).
 */
import express, { type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import { CONTRACT_VERSIONS } from '../soap/namespaces.js';

/** The policy of the gateway's one HTML page: its stylesheet from the gateway itself, nothing else. */
export const PAGE_POLICY =
  "default-src 'none';style-src 'self';base-uri 'none';form-action 'none';frame-ancestors 'none'";

export interface SecurityHeaderOptions {
  /** Reached over TLS (served by the gateway or ended at a proxy): send Strict-Transport-Security. */
  readonly https: boolean;
}

/** One year, the usual HSTS lifetime; sub-domains are the operator's business, not the gateway's. */
const HSTS = { maxAge: 31_536_000, includeSubDomains: false } as const;

export function securityHeaders(options: SecurityHeaderOptions): Router {
  const soap: RequestHandler[] = [helmet.xContentTypeOptions()];
  if (options.https) soap.push(helmet.strictTransportSecurity(HSTS));
  const documents = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: options.https ? HSTS : false,
  });

  const router = express.Router();
  // `next('router')` leaves this router: the SOAP answer gets nothing more.
  router.post(
    CONTRACT_VERSIONS.map((version) => version.path),
    ...soap,
    (_req, _res, next) => next('router'),
  );
  router.use(documents);
  router.use('/api/v1', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  return router;
}
