/**
 * The card register as the operator reads it: a paged listing (newest registrations first) and one card with
 * its history. Holders appear as "Surname I. P." and cards by their last four digits: the register holds
 * nothing more.
 */
import { z } from 'zod';
import { cardsDb } from './db.js';
import type { Store } from '../../store/store.js';
import type { SocialCardAction, SocialCardStatus } from '../../store/schema-cards.js';

export const CARD_STATUSES = [
  'ACTIVE',
  'BLOCKED',
  'DEREGISTERED',
] as const satisfies readonly SocialCardStatus[];
export const MAX_PAGE_SIZE = 200;

export const ListCardsQuery = z
  .object({
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
    status: z.enum(CARD_STATUSES).optional(),
  })
  .strict();

export interface ListCardsOptions {
  readonly page: number;
  readonly pageSize: number;
  readonly status?: SocialCardStatus | undefined;
}

export interface RegisterCard {
  readonly socialCardId: string;
  readonly status: SocialCardStatus;
  readonly panLast4: string;
  readonly holder: string;
  readonly connectionPoint: string;
  readonly registeredBy: string;
  readonly registeredAt: string;
  readonly statusChangedAt: string;
  readonly statusReason: string | null;
}

export interface CardsPage {
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
  readonly items: RegisterCard[];
}

export interface CardEvent {
  readonly action: SocialCardAction;
  readonly system: string;
  readonly reason: string | null;
  readonly at: string;
}

const COLUMNS = [
  'id',
  'status',
  'pan_last4',
  'holder_display',
  'connection_point',
  'registered_by',
  'registered_at',
  'status_changed_at',
  'status_reason',
] as const;

interface CardColumns {
  id: string;
  status: SocialCardStatus;
  pan_last4: string;
  holder_display: string;
  connection_point: string;
  registered_by: string;
  registered_at: number;
  status_changed_at: number;
  status_reason: string | null;
}

function toCard(row: CardColumns): RegisterCard {
  return {
    socialCardId: row.id,
    status: row.status,
    panLast4: row.pan_last4,
    holder: row.holder_display,
    connectionPoint: row.connection_point,
    registeredBy: row.registered_by,
    registeredAt: new Date(Number(row.registered_at)).toISOString(),
    statusChangedAt: new Date(Number(row.status_changed_at)).toISOString(),
    statusReason: row.status_reason,
  };
}

/** One page of the register. Throws on a page or page size out of range (the router checks them first). */
export async function listCards(store: Store, options: ListCardsOptions): Promise<CardsPage> {
  const { page, pageSize, status } = ListCardsQuery.parse(options);
  const db = cardsDb(store);
  let base = db.selectFrom('social_cards');
  if (status) base = base.where('status', '=', status);
  const counted = await base.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow();
  const rows = await base
    .select(COLUMNS)
    .orderBy('registered_at', 'desc')
    .orderBy('id', 'asc')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return { page, pageSize, total: Number(counted.total), items: rows.map(toCard) };
}

/** One card and its history, oldest event first; undefined when the register has no such card. */
export async function getCard(
  store: Store,
  socialCardId: string,
): Promise<(RegisterCard & { events: CardEvent[] }) | undefined> {
  const db = cardsDb(store);
  const row = await db
    .selectFrom('social_cards')
    .select(COLUMNS)
    .where('id', '=', socialCardId)
    .executeTakeFirst();
  if (!row) return undefined;
  const events = await db
    .selectFrom('social_card_events')
    .select(['action', 'system', 'reason', 'at'])
    .where('card_id', '=', socialCardId)
    .orderBy('at', 'asc')
    .orderBy('id', 'asc')
    .execute();
  return {
    ...toCard(row),
    events: events.map((e) => ({
      action: e.action,
      system: e.system,
      reason: e.reason,
      at: new Date(Number(e.at)).toISOString(),
    })),
  };
}
