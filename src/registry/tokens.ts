/**
 * API tokens: one per caller of the admin API, for one role; the token itself is shown once and stored only as
 * its SHA-256, which is what `authenticate` looks up.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Role } from '../store/schema.js';
import { conflict, invalid, notFound } from './errors.js';
import { TokenInput, parseInput } from './inputs.js';
import type { ReferenceBooks } from './reference-books.js';
import { participantRow } from './rows.js';
import { runChange } from './transaction.js';
import type { Actor, RegistryContext } from './types.js';

export class Tokens {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly books: ReferenceBooks,
  ) {}

  /**
   * A new token for a role. A coordinator's token may be scoped to spheres; a participant's token is bound to its
   * participant.
   */
  async create(
    actor: Actor,
    name: string,
    role: Role,
    scope: { spheres?: readonly string[]; participantId?: string } = {},
  ) {
    const input = parseInput(TokenInput, { name, role, ...scope });
    if (input.spheres && role !== 'coordinator') throw invalid('spheres', 'only coordinators have spheres');
    if ((role === 'participant') !== (input.participantId !== undefined))
      throw invalid('participantId', 'a participant token, and only it, names its participant');
    const token = `sgw_${randomBytes(32).toString('base64url')}`;
    const row = {
      id: randomUUID(),
      name: input.name,
      role,
      token_hash: hashToken(token),
      created_at: this.ctx.clock().getTime(),
      revoked_at: null,
      participant_id: input.participantId ?? null,
      spheres: input.spheres ? JSON.stringify([...new Set(input.spheres)]) : null,
    };
    const shown = {
      id: row.id,
      name: row.name,
      role,
      ...(input.spheres ? { spheres: [...new Set(input.spheres)] } : {}),
      ...(input.participantId ? { participantId: input.participantId } : {}),
    };
    await runChange(this.ctx, actor, 'token.create', 'token', row.id, async (trx) => {
      for (const sphere of input.spheres ?? [])
        await this.books.requireEntry(trx, 'spheres', sphere, 'spheres');
      if (input.participantId) await participantRow(trx, input.participantId);
      await trx.insertInto('api_tokens').values(row).execute();
      return { before: undefined, after: shown, result: undefined };
    });
    return { ...shown, token };
  }

  async revoke(actor: Actor, id: string) {
    return runChange(this.ctx, actor, 'token.revoke', 'token', id, async (trx) => {
      const before = await trx
        .selectFrom('api_tokens')
        .select(['id', 'name', 'role', 'revoked_at'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!before) throw notFound(`token ${id}`);
      if (before.revoked_at !== null) throw conflict('the token is already revoked');
      await trx
        .updateTable('api_tokens')
        .set({ revoked_at: this.ctx.clock().getTime() })
        .where('id', '=', id)
        .execute();
      return { before, after: { ...before, revoked: true }, result: { id, revoked: true } };
    });
  }

  async list() {
    const rows = await this.ctx.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'role', 'created_at', 'revoked_at', 'spheres', 'participant_id'])
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role,
      ...(r.spheres ? { spheres: JSON.parse(r.spheres) as string[] } : {}),
      ...(r.participant_id ? { participantId: r.participant_id } : {}),
      created: new Date(r.created_at).toISOString(),
      revoked: r.revoked_at !== null,
    }));
  }

  /** Who a bearer token acts as: undefined for an unknown or revoked token. */
  async authenticate(token: string): Promise<(Actor & { tokenId: string }) | undefined> {
    return this.actorOf('token_hash', hashToken(token));
  }

  /** The actor of a token known by its id (a console session keeps the id); undefined once revoked. */
  async actorOfToken(tokenId: string): Promise<(Actor & { tokenId: string }) | undefined> {
    return this.actorOf('id', tokenId);
  }

  private async actorOf(column: 'id' | 'token_hash', value: string) {
    const row = await this.ctx.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'role', 'spheres', 'participant_id'])
      .where(column, '=', value)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return (
      row && {
        tokenId: row.id,
        name: row.name,
        role: row.role,
        ...(row.spheres ? { spheres: JSON.parse(row.spheres) as string[] } : {}),
        ...(row.participant_id ? { participantId: row.participant_id } : {}),
      }
    );
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
