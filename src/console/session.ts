/**
 * Console sessions, kept in the store so every worker process sees the same ones. The browser holds a random
 * 256-bit id in an HttpOnly, SameSite=Strict cookie (Secure, and `__Host-` named, over TLS); the store keeps only
 * its SHA-256, the token it was opened with, and when it was made and last used. Each request re-reads the
 * token's actor, so revoking the token ends its sessions; a session unused for the idle time, or older than its
 * lifetime, is deleted on sight.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Actor, Registry } from '../registry/registry.js';
import type { Store } from '../store/store.js';
import { cookieOf } from './cookies.js';

export interface SessionSettings {
  readonly idleMs: number;
  readonly maxMs: number;
  /** Served over TLS: the cookie is Secure and `__Host-` prefixed. */
  readonly secure: boolean;
}

export interface Session {
  /** The id as the browser holds it (the CSRF token is derived from it). */
  readonly id: string;
  readonly actor: Actor;
}

export type SessionLookup = { kind: 'none' } | { kind: 'expired' } | ({ kind: 'active' } & Session);

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export class Sessions {
  readonly cookieName: string;

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
    private readonly settings: SessionSettings,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.cookieName = settings.secure ? '__Host-console_session' : 'console_session';
  }

  /** A new session for the token's id; the old ones past their time leave the store on the way. */
  async open(res: Response, tokenId: string): Promise<string> {
    const now = this.clock().getTime();
    await this.store.db
      .deleteFrom('console_sessions')
      .where((eb) =>
        eb.or([
          eb('last_seen', '<', now - this.settings.idleMs),
          eb('created_at', '<', now - this.settings.maxMs),
        ]),
      )
      .execute();
    const id = randomBytes(32).toString('base64url');
    await this.store.db
      .insertInto('console_sessions')
      .values({ id_hash: sha256(id), token_id: tokenId, created_at: now, last_seen: now })
      .execute();
    res.cookie(this.cookieName, id, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.settings.secure,
      path: '/',
    });
    return id;
  }

  /** The request's session, touched; `expired` when it had one that timed out (then it is gone). */
  async lookup(req: Request): Promise<SessionLookup> {
    const id = cookieOf(req, this.cookieName);
    if (!id) return { kind: 'none' };
    const idHash = sha256(id);
    const row = await this.store.db
      .selectFrom('console_sessions')
      .selectAll()
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    if (!row) return { kind: 'none' };
    const now = this.clock().getTime();
    if (
      now - Number(row.last_seen) > this.settings.idleMs ||
      now - Number(row.created_at) > this.settings.maxMs
    ) {
      await this.store.db.deleteFrom('console_sessions').where('id_hash', '=', idHash).execute();
      return { kind: 'expired' };
    }
    const actor = await this.registry.actorOfToken(row.token_id);
    if (!actor) {
      await this.store.db.deleteFrom('console_sessions').where('id_hash', '=', idHash).execute();
      return { kind: 'none' };
    }
    await this.store.db
      .updateTable('console_sessions')
      .set({ last_seen: now })
      .where('id_hash', '=', idHash)
      .execute();
    return { kind: 'active', id, actor };
  }

  async close(req: Request, res: Response): Promise<void> {
    const id = cookieOf(req, this.cookieName);
    if (id) await this.store.db.deleteFrom('console_sessions').where('id_hash', '=', sha256(id)).execute();
    res.clearCookie(this.cookieName, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: this.settings.secure,
    });
  }
}
