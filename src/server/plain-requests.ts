/**
 * Control characters in a request's path or query (core/control-characters.ts) are refused before any router
 * reads them: a NUL there is text PostgreSQL cannot keep, and the others would reach a page, a log line or an
 * answer (`?xsd=NAME` echoes the name) as they came. The routers then take every parameter as plain text.
 *
 * SOAP messages are left alone: the endpoint ignores the query of a POST, and answers whatever comes with a fault.
 * So is the attachment store (`/attachments`): its clients read a `code` in every refusal (a file name with a
 * control character is `InvalidFileName`), and it checks each input it takes itself (a file's UUID by its form,
 * the system against the token's own).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { CONTROL_CHARACTER } from '../core/control-characters.js';
import { CONTRACT_VERSIONS } from '../soap/namespaces.js';

export function plainRequests(): Router {
  const router = express.Router();
  // Matched as the SOAP endpoint matches them (a trailing slash, any case): out of this router, on to the endpoint.
  router.post(
    CONTRACT_VERSIONS.map((version) => version.path),
    (_req, _res, next) => next('router'),
  );
  router.use('/attachments', (_req, _res, next) => next('router'));
  router.use((req: Request, res: Response, next: NextFunction) => {
    const where = controlCharacterIn(req);
    if (!where) return next();
    res.status(400).json({ error: `the request's ${where} must not contain control characters` });
  });
  return router;
}

/** Where the request carries a control character, decoded as the routers decode it: `path` or `query`. */
function controlCharacterIn(req: Request): 'path' | 'query' | undefined {
  for (const segment of req.path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      // Left to the router: express refuses a parameter that does not decode with its own 400.
      continue;
    }
    if (CONTROL_CHARACTER.test(decoded)) return 'path';
  }
  return hasControlCharacter(req.query) ? 'query' : undefined;
}

/** Whether a parsed query (names and values, arrays of values) holds a control character anywhere. */
function hasControlCharacter(value: unknown): boolean {
  if (typeof value === 'string') return CONTROL_CHARACTER.test(value);
  if (Array.isArray(value)) return value.some(hasControlCharacter);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(
      ([name, inner]) => CONTROL_CHARACTER.test(name) || hasControlCharacter(inner),
    );
  }
  return false;
}
