/**
 * CSRF protection for every form that changes something: the form carries a token derived from a secret the
 * browser keeps in an HttpOnly cookie (the session id; before sign-in, a pre-session cookie of its own), and the
 * server recomputes it. Another site can neither read the cookie nor the page, so it cannot forge the field;
 * SameSite=Strict cookies are a second line.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { cookieOf } from './cookies.js';

export const CSRF_FIELD = '_csrf';
const PRE_SESSION = 'console_presession';

export function csrfToken(secret: string): string {
  return createHmac('sha256', secret).update('console-csrf').digest('base64url');
}

/** Whether the posted form names the token of `secret`. */
export function csrfValid(req: Request, secret: string | undefined): boolean {
  const sent = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  if (!secret || typeof sent !== 'string') return false;
  const expected = Buffer.from(csrfToken(secret));
  const given = Buffer.from(sent);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The sign-in form's secret: the pre-session cookie, made when absent. */
export function preSession(req: Request, res: Response, secure: boolean): string {
  const kept = cookieOf(req, PRE_SESSION);
  if (kept && /^[A-Za-z0-9_-]{43}$/.test(kept)) return kept;
  const made = randomBytes(32).toString('base64url');
  res.cookie(PRE_SESSION, made, { httpOnly: true, sameSite: 'strict', secure, path: '/console' });
  return made;
}

export const preSessionOf = (req: Request) => cookieOf(req, PRE_SESSION);
