/**
 * Request limits per client address (express-rate-limit), counted before a request is read: one for the SOAP
 * endpoint `/ws`, one for the JSON interfaces (admin API, attachment store, registry entries, the console, and
 * `/health` when it is given a token). A SOAP client over its limit gets a `TooManyRequests` fault in its own SOAP
 * version, an admin client a JSON error; both with HTTP 429 and Retry-After. On `/ws` a POST answered with 200 is
 * taken off the count once answered: the limit is there for what the gateway refuses (unsigned, malformed or
 * replayed messages, whose digests still fill the message log), while a system's signed traffic has its own quota
 * (`queue.ratePerSecond`), so a busy client is never refused for being busy. The client address is the TCP peer
 * unless `http.trustProxy` names the proxies allowed to state it in X-Forwarded-For. Counts live in this process's
 * memory: with `workers` above one, each worker counts the connections it serves.
 */
import express, { type Request, type Response, type Router } from 'express';
import { rateLimit, type Options } from 'express-rate-limit';
import type { HttpSettings } from '../config/http.js';
import type { Logger } from '../logging/logger.js';
import { faultHttpStatus, writeFault } from '../soap/fault-writer.js';
import { GatewayFault } from '../core/faults.js';
import { CONTRACT_VERSIONS, EXCHANGE_1_1 } from '../soap/namespaces.js';
import { SOAP11, versionNamedBy } from '../soap/version.js';

type Refuse = (req: Request, res: Response, message: string) => void;

export function sourceRateLimits(settings: HttpSettings, log: Logger): Router {
  const router = express.Router();
  const { windowSeconds, soap, soapRefusedBytes, admin } = settings.rateLimit;
  if (soap > 0) router.use('/ws', limiter('soap', soap, windowSeconds, refuseSoap, log, answeredPost));
  if (soapRefusedBytes > 0) router.use('/ws', refusedBytes(soapRefusedBytes, windowSeconds, log));
  // Every other HTTP interface takes a token or a credential: the admin API, the attachment store (whose download
  // credentials must not be guessable by volume), the public registry entries and the console (its sign-in and its
  // document check) share one count per address.
  if (admin > 0) {
    const adminLimit = limiter('admin', admin, windowSeconds, refuseJson, log);
    router.use(['/api/v1', '/attachments', '/registry', '/console'], adminLimit);
    // /health looks a presented token up in the store (an operator's gets the details), so it counts with them;
    // a probe without one stays uncounted, as load balancers and container health checks send it.
    router.get('/health', (req, res, next) =>
      req.headers.authorization === undefined ? next() : adminLimit(req, res, next),
    );
  }
  return router;
}

/** A SOAP exchange the gateway answered (a WSDL or schema fetch still counts). */
const answeredPost = (req: Request, res: Response) => req.method === 'POST' && res.statusCode < 400;

function limiter(
  name: string,
  limit: number,
  windowSeconds: number,
  refuse: Refuse,
  log: Logger,
  uncounted?: (req: Request, res: Response) => boolean,
) {
  const options: Partial<Options> = {
    windowMs: windowSeconds * 1000,
    limit,
    ...(uncounted ? { skipSuccessfulRequests: true, requestWasSuccessful: uncounted } : {}),
    // RateLimit and RateLimit-Policy on every answer, and Retry-After on a refusal.
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req, res) => {
      const retryAfter = res.getHeader('Retry-After');
      const message = `more than ${limit} requests in ${windowSeconds} s from this address; retry after ${String(retryAfter)} s`;
      // Once per address and window, so that a flood does not become a flood of log lines.
      const info = (req as Request & { rateLimit?: { used: number } }).rateLimit;
      if (info?.used === limit + 1)
        log.warn('rate limit reached', { limit: name, client: req.ip, limitPerWindow: limit });
      refuse(req, res, message);
    },
    // X-Forwarded-For from an untrusted peer is ignored on purpose (see http.trustProxy), not a misconfiguration.
    validate: { xForwardedForHeader: false },
    logger: {
      error: (error, message) => log.error(message ?? 'rate limiter failed', { error: String(error) }),
      warn: (error, message) => log.warn(message ?? 'rate limiter warning', { error: String(error) }),
    },
  };
  return rateLimit(options);
}

/**
 * Bytes of refused messages per address and window on `/ws` (fixed windows, as the counts): parsing, validating and
 * checking a message before its signature is found wanting costs about a microsecond a byte, so a refusal of a
 * large message weighs as much as thousands of small ones. The SOAP endpoint notes the size of the text it read
 * in `res.locals.bodyBytes`; an answer of 400 or more spends it.
 */
function refusedBytes(budget: number, windowSeconds: number, log: Logger) {
  const spent = new Map<string, number>();
  let windowEnds = 0;
  return (req: Request, res: Response, next: () => void) => {
    const now = Date.now();
    if (now >= windowEnds) {
      spent.clear();
      windowEnds = now + windowSeconds * 1000;
    }
    const address = req.ip ?? '';
    if ((spent.get(address) ?? 0) >= budget) {
      const retryAfter = Math.ceil((windowEnds - now) / 1000);
      res.setHeader('Retry-After', String(retryAfter));
      return refuseSoap(
        req,
        res,
        `more than ${budget} bytes of refused messages in ${windowSeconds} s from this address; retry after ${retryAfter} s`,
      );
    }
    if (req.method === 'POST') {
      res.on('finish', () => {
        const bytes: unknown = res.locals.bodyBytes;
        if (res.statusCode < 400 || typeof bytes !== 'number') return;
        const total = (spent.get(address) ?? 0) + bytes;
        spent.set(address, total);
        // Once per address and window, so that a flood does not become a flood of log lines.
        if (total >= budget && total - bytes < budget)
          log.warn('rate limit reached', {
            limit: 'soapRefusedBytes',
            client: address,
            limitPerWindow: budget,
          });
      });
    }
    next();
  };
}

/** A SOAP fault of the request's version (SOAP 1.1 when its Content-Type names neither); plain text for GET. */
const refuseSoap: Refuse = (req, res, message) => {
  if (req.method !== 'POST') return void res.status(429).type('text/plain').send(`${message}\n`);
  const version = versionNamedBy(req.headers['content-type']) ?? SOAP11;
  const fault = new GatewayFault('TooManyRequests', message);
  // The fault detail in the faults namespace of the path's contract version, the path matched as the endpoint
  // matches it (`/ws/1.2`, `/WS/1.2/`).
  const path = (req.originalUrl.split('?', 1)[0] ?? '').toLowerCase();
  const matches = (contractPath: string) => path === contractPath || path === `${contractPath}/`;
  const contract = CONTRACT_VERSIONS.find((v) => matches(v.path.toLowerCase())) ?? EXCHANGE_1_1;
  res
    .status(faultHttpStatus(fault, version))
    .type(`${version.mediaType}; charset=utf-8`)
    .send(writeFault(fault, version, { contract }));
};

const refuseJson: Refuse = (_req, res, message) => void res.status(429).json({ error: message });
