/**
 * `GET /health`: up or down for anyone (load balancers, container health checks); what is down and why only for
 * an operator's token, since an error message can name hosts and files.
 */
import type { Request, Response } from 'express';
import type { Registry } from '../registry/registry.js';
import type { Store } from '../store/store.js';

export function healthHandler(parts: { readonly store: Store; readonly registry: Registry }) {
  return async (req: Request, res: Response) => {
    let problem: string | undefined;
    try {
      await parts.store.ping();
    } catch (error) {
      problem = (error as Error).message;
    }
    const status = problem === undefined ? 'up' : 'down';
    res.status(problem === undefined ? 200 : 503);
    if (!(await isOperator(req, parts.registry))) return void res.json({ status });
    res.json({ status, store: parts.store.dialect, ...(problem ? { error: problem } : {}) });
  };
}

async function isOperator(req: Request, registry: Registry): Promise<boolean> {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!token) return false;
  // With the store down no token can be checked: the caller gets the public answer.
  const actor = await registry.authenticate(token).catch(() => undefined);
  return actor?.role === 'operator';
}
