/**
 * `GET /health`: up or down for anyone (load balancers, container health checks); what is down or degraded and
 * why, the store and the message log's size, free space and time-stamping, only for an operator's token, since an
 * error message can name hosts and files. A request that presents a token counts against the admin API's limit
 * per address (rate-limits.ts), so tokens cannot be guessed here faster than there.
 */
import type { Request, Response } from 'express';
import type { ChainIntegrity } from '../audit/anchor.js';
import type { Registry } from '../registry/registry.js';
import type { Store } from '../store/store.js';

export interface HealthParts {
  readonly store: Store;
  readonly registry: Registry;
  /** The message log's size, the free disk space and whether checkpoints are time-stamped. */
  readonly logHealth?: () => Promise<object>;
  /** Whether the audit trail still extends the last checkpoint the gateway signed. */
  readonly trail?: { integrity(): ChainIntegrity };
}

interface LogHealth {
  readonly low?: boolean;
  readonly timestamping?: { readonly overdue?: boolean };
  readonly chain?: ChainIntegrity;
}

export function healthHandler(parts: HealthParts) {
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
    const messageLog =
      problem === undefined ? ((await parts.logHealth?.()) as LogHealth | undefined) : undefined;
    const audit = parts.trail?.integrity();
    // Degraded: exchanges are refused (no time-stamp past the grace), bodies are not kept (disk floor), or a chain
    // was edited in the store and is no longer signed (message log or audit trail: see the problem named).
    const degraded =
      messageLog?.low === true ||
      messageLog?.timestamping?.overdue === true ||
      messageLog?.chain?.intact === false ||
      audit?.intact === false;
    res.json({
      status: degraded ? 'degraded' : status,
      store: parts.store.dialect,
      ...(problem ? { error: problem } : {}),
      ...(messageLog ? { messageLog } : {}),
      ...(audit ? { audit } : {}),
    });
  };
}

async function isOperator(req: Request, registry: Registry): Promise<boolean> {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!token) return false;
  // With the store down no token can be checked: the caller gets the public answer.
  const actor = await registry.authenticate(token).catch(() => undefined);
  return actor?.role === 'operator';
}
