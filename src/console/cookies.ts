/** Reading cookies: express reads none by itself, and the console needs two or three. */
import type { Request } from 'express';

/** One cookie's value from the Cookie header; undefined when absent or malformed. */
export function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(part.slice(at + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
