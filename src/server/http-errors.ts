import type { NextFunction, Request, Response } from 'express';
import { clientErrorOf } from '../store/errors.js';
import { logFailure, type Logger } from '../logging/logger.js';

/**
 * The application's last error handler, for routes that hand errors on: a JSON error the client can read, never
 * express's default page (which shows the stack trace, with the server's file paths, outside production).
 */
export function finalErrorHandler(log: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const client = clientErrorOf(error);
    if (!client) logFailure(log, req, error);
    if (res.headersSent) return void res.destroy();
    const { status, message } = client ?? { status: 500, message: 'internal error' };
    res.status(status).json({ error: message });
  };
}
