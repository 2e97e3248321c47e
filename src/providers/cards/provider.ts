/**
 * The store-backed provider of the cards service: the register of Mir cards that have the social card status.
 *
 * - Registration: the card number must be a Mir card (Luhn, 2200-2204), the SNILS must carry its control
 *   number and the connection point must be an active entry of the connection-points reference book. The register keeps the keyed hash of the card number and its last four digits, the keyed hash of the
 *   SNILS and "Surname I. P."; never a card number or a SNILS in clear. The same card for the same holder answers
 *   the same id (the unique `pan_hash` settles concurrent registrations); for another holder it is refused.
 * - Status, block, unblock, deregistration: by social card id or by card number (hashed lookup). Each change is
 *   one conditional UPDATE from the state it was read in, with its event, in one transaction; asking for the
 *   state a card is already in answers that state again. Deregistration erases the card number's hash.
 * - `TestMessage`: every check runs, nothing is written.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Logger } from '../../logging/logger.js';
import type { SocialCardAction, SocialCardStatus, SocialCardTable } from '../../store/schema-cards.js';
import type { Provider, ProviderOutcome, ProviderRequest } from '../contract.js';
import type {
  CardChange,
  CardReference,
  CardState,
  CardsAnswer,
  CardsRequest,
  ChangeRequest,
  RegistrationRequest,
} from './codec.js';
import type { CardsDb } from './db.js';
import { CardHasher, KeyMismatchError, putIfAbsent, resolveKey } from './keys.js';
import {
  CONNECTION_POINTS_BOOK,
  cardRejection,
  connectionPointCode,
  holderDisplay,
  mirCardDigits,
  snilsDigits,
} from './rules.js';
import type { CardsSettings } from './settings.js';

type Db = CardsDb;
type CardRow = Selectable<SocialCardTable>;
type Outcome = ProviderOutcome<CardsAnswer>;

/** What each change moves a card to, and the event it leaves. */
const CHANGES: Record<CardChange, { readonly to: SocialCardStatus; readonly action: SocialCardAction }> = {
  block: { to: 'BLOCKED', action: 'BLOCKED' },
  unblock: { to: 'ACTIVE', action: 'UNBLOCKED' },
  deregister: { to: 'DEREGISTERED', action: 'DEREGISTERED' },
};

/** The sample cards a quick-start install answers for (examples/cards/). */
export const SAMPLE_CARDS = [
  {
    id: 'c0a7d5e2-5b1a-4c6f-8f3e-000000000001',
    pan: '2200700000000017',
    snils: '11223344595',
    holder: 'Иванов И. П.',
    connectionPoint: 'portal',
    status: 'ACTIVE',
    reason: null,
  },
  {
    id: 'c0a7d5e2-5b1a-4c6f-8f3e-000000000002',
    pan: '2200700000000025',
    snils: '12345678964',
    holder: 'Петрова М. С.',
    connectionPoint: 'app',
    status: 'BLOCKED',
    reason: 'Заявление держателя об утрате карты',
  },
] as const;

export const SAMPLES_MARK = 'samples_seeded';
/** The sample system the sample cards are registered by, so the examples can block and unblock them. */
export const SAMPLE_CARDS_SYSTEM = 'SOCCARD_28';

export function cardState(row: CardRow): CardState {
  return {
    socialCardId: row.id,
    status: row.status,
    panLast4: row.pan_last4,
    connectionPoint: row.connection_point,
    registeredAt: new Date(Number(row.registered_at)),
    statusChangedAt: new Date(Number(row.status_changed_at)),
    statusReason: row.status_reason ?? undefined,
  };
}

export class CardsProvider implements Provider<CardsRequest, CardsAnswer> {
  private ready: Promise<CardHasher> | undefined;

  constructor(
    private readonly db: Db,
    private readonly settings: CardsSettings,
    private readonly clock: () => Date,
    private readonly log: Logger,
  ) {}

  /** Settles the key (and seeds the samples) now rather than on the first request. */
  start(): void {
    this.hasher().catch(() => undefined);
  }

  /** The key, settled once; a failure other than a key mismatch is tried again on the next request. */
  private hasher(): Promise<CardHasher> {
    if (!this.ready) {
      const attempt = this.prepare();
      this.ready = attempt;
      attempt.catch((error: unknown) => {
        if (error instanceof KeyMismatchError) {
          this.log.error(`cards service: ${error.message}`);
        } else if (this.ready === attempt) {
          this.ready = undefined;
          this.log.warn(
            `cards service: could not prepare the card register key: ${(error as Error).message}`,
          );
        }
      });
    }
    return this.ready;
  }

  private async prepare(): Promise<CardHasher> {
    const now = this.clock().getTime();
    const key = await resolveKey(this.db, this.settings.panHmacSecret, now);
    if (key.generated) {
      this.log.warn(
        key.createdNow
          ? 'cards service: no services.cards.panHmacSecret is configured; generated one and stored it in the database (table social_card_keys). Configure a secret of your own outside the database for production: with the key beside the hashes, a stolen database gives the card numbers back'
          : 'cards service: no services.cards.panHmacSecret is configured; using the generated one stored in the database (table social_card_keys). Configure a secret outside the database for production',
      );
    }
    if (this.settings.seedSamples ?? key.generated) await this.seedSamples(key.hasher, now);
    return key.hasher;
  }

  /** Once per register (a mark row), so samples taken off the register stay off. */
  private async seedSamples(hasher: CardHasher, now: number): Promise<void> {
    const seeded = await this.db
      .selectFrom('social_card_keys')
      .select('name')
      .where('name', '=', SAMPLES_MARK)
      .executeTakeFirst();
    if (seeded) return;
    await this.db.transaction().execute(async (trx) => {
      for (const sample of SAMPLE_CARDS) {
        const inserted = await trx
          .insertInto('social_cards')
          .values({
            id: sample.id,
            pan_hash: hasher.pan(sample.pan),
            pan_last4: sample.pan.slice(-4),
            holder_hash: hasher.snils(sample.snils),
            holder_display: sample.holder,
            connection_point: sample.connectionPoint,
            registered_by: SAMPLE_CARDS_SYSTEM,
            status: sample.status,
            status_reason: sample.reason,
            registered_at: now,
            status_changed_at: now,
          })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) continue;
        await trx
          .insertInto('social_card_events')
          .values({
            id: randomUUID(),
            card_id: sample.id,
            action: 'REGISTERED',
            system: SAMPLE_CARDS_SYSTEM,
            reason: null,
            at: now,
          })
          .execute();
        if (sample.status === 'BLOCKED') {
          await trx
            .insertInto('social_card_events')
            .values({
              id: randomUUID(),
              card_id: sample.id,
              action: 'BLOCKED',
              system: SAMPLE_CARDS_SYSTEM,
              reason: sample.reason,
              at: now,
            })
            .execute();
        }
      }
      await putIfAbsent(trx, SAMPLES_MARK, String(SAMPLE_CARDS.length), now);
    });
    this.log.info(`cards service: seeded ${SAMPLE_CARDS.length} sample cards (examples/cards/)`);
  }

  async handle(request: ProviderRequest<CardsRequest>): Promise<Outcome> {
    const hasher = await this.hasher();
    const { body } = request;
    switch (body.kind) {
      case 'register':
        return await this.register(hasher, body, request.sender.mnemonic, request.testMessage);
      case 'status':
        return {
          kind: 'answer',
          body: { kind: 'status', card: cardState(await this.find(hasher, body.card)) },
        };
      default:
        return await this.change(hasher, body, request.sender.mnemonic, request.testMessage);
    }
  }

  private async register(
    hasher: CardHasher,
    body: RegistrationRequest,
    system: string,
    test: boolean,
  ): Promise<Outcome> {
    const digits = mirCardDigits(body.pan);
    const holderHash = hasher.snils(snilsDigits(body.holder.snils));
    const connectionPoint = await this.connectionPoint(body.connectionPoint);
    const panHash = hasher.pan(digits);
    const existing = await this.byPanHash(panHash);
    if (existing) return this.registeredAlready(existing, holderHash);

    const now = this.clock().getTime();
    const row: CardRow = {
      id: randomUUID(),
      pan_hash: panHash,
      pan_last4: digits.slice(-4),
      holder_hash: holderHash,
      holder_display: holderDisplay(body.holder.surname, body.holder.firstName, body.holder.patronymic),
      connection_point: connectionPoint,
      registered_by: system,
      status: 'ACTIVE',
      status_reason: null,
      registered_at: now,
      status_changed_at: now,
    };
    // A test registration answers what a real one would, with an id that is not kept.
    if (test)
      return { kind: 'answer', body: { kind: 'register', card: cardState(row), alreadyRegistered: false } };

    const inserted = await this.db.transaction().execute(async (trx) => {
      const result = await trx
        .insertInto('social_cards')
        .values(row)
        .onConflict((oc) => oc.column('pan_hash').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await trx
        .insertInto('social_card_events')
        .values({ id: randomUUID(), card_id: row.id, action: 'REGISTERED', system, reason: null, at: now })
        .execute();
      return true;
    });
    if (inserted) {
      this.log.info('cards service: card registered', {
        socialCardId: row.id,
        system,
        connectionPoint: row.connection_point,
      });
      return { kind: 'answer', body: { kind: 'register', card: cardState(row), alreadyRegistered: false } };
    }
    // A concurrent registration of the same card won the unique key: answer as if we had come second.
    const winner = await this.byPanHash(panHash);
    if (!winner) throw new Error('a concurrent registration of the card was taken off the register at once');
    return this.registeredAlready(winner, holderHash);
  }

  /**
   * The connection point must be an active entry of the connection-points reference book; the register keeps the
   * book's code, so every card connected at one point is counted under one code.
   */
  private async connectionPoint(sent: string): Promise<string> {
    const code = connectionPointCode(sent);
    const entry = await this.db
      .selectFrom('reference_entries')
      .select(['code', 'active'])
      .where('book', '=', CONNECTION_POINTS_BOOK)
      .where('code', '=', code)
      .executeTakeFirst();
    if (!entry)
      throw cardRejection(
        'CONNECTION_POINT_UNKNOWN',
        `${sent} is not an authorised connection point (reference book ${CONNECTION_POINTS_BOOK})`,
      );
    if (Number(entry.active) !== 1)
      throw cardRejection(
        'CONNECTION_POINT_WITHDRAWN',
        `${sent} was withdrawn from the reference book ${CONNECTION_POINTS_BOOK}`,
      );
    return entry.code;
  }

  private registeredAlready(row: CardRow, holderHash: string): Outcome {
    if (row.holder_hash !== holderHash) {
      throw cardRejection(
        'CARD_OF_ANOTHER_HOLDER',
        'the card is registered as a social card of another holder; it must be taken off the register before it can be registered again',
      );
    }
    return { kind: 'answer', body: { kind: 'register', card: cardState(row), alreadyRegistered: true } };
  }

  private byPanHash(panHash: string): Promise<CardRow | undefined> {
    return this.db.selectFrom('social_cards').selectAll().where('pan_hash', '=', panHash).executeTakeFirst();
  }

  private async find(hasher: CardHasher, card: CardReference): Promise<CardRow> {
    const row =
      card.by === 'id'
        ? await this.db
            .selectFrom('social_cards')
            .selectAll()
            .where('id', '=', card.socialCardId)
            .executeTakeFirst()
        : await this.byPanHash(hasher.pan(mirCardDigits(card.pan)));
    if (!row) {
      throw cardRejection(
        'CARD_NOT_FOUND',
        card.by === 'id'
          ? `there is no social card ${card.socialCardId} in the register`
          : 'no social card in the register has this card number',
      );
    }
    return row;
  }

  private async change(
    hasher: CardHasher,
    body: ChangeRequest,
    system: string,
    test: boolean,
  ): Promise<Outcome> {
    const { to, action } = CHANGES[body.kind];
    // A concurrent change between the read and the conditional update sends us round again with the new state.
    for (let attempt = 0; attempt < 5; attempt++) {
      const row = await this.find(hasher, body.card);
      // Blocking, unblocking and taking a card off the register belong to the system that connected it: a route
      // to these requests is not a licence over every card in the register.
      if (row.registered_by !== system) {
        throw cardRejection(
          'CARD_OF_ANOTHER_SYSTEM',
          `the social card ${row.id} was registered by another information system`,
        );
      }
      if (row.status === to) return { kind: 'answer', body: { kind: body.kind, card: cardState(row) } };
      if (row.status === 'DEREGISTERED') {
        throw cardRejection(
          'CARD_DEREGISTERED',
          `the social card ${row.id} was taken off the register; it cannot be ${body.kind}ed`,
        );
      }
      const now = this.clock().getTime();
      const changed: CardRow = {
        ...row,
        status: to,
        status_reason: body.reason ?? null,
        status_changed_at: now,
        ...(to === 'DEREGISTERED' ? { pan_hash: null } : {}),
      };
      if (test) return { kind: 'answer', body: { kind: body.kind, card: cardState(changed) } };
      const done = await this.db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('social_cards')
          .set({
            status: changed.status,
            status_reason: changed.status_reason,
            status_changed_at: now,
            pan_hash: changed.pan_hash,
          })
          .where('id', '=', row.id)
          .where('status', '=', row.status)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        await trx
          .insertInto('social_card_events')
          .values({ id: randomUUID(), card_id: row.id, action, system, reason: body.reason ?? null, at: now })
          .execute();
        return true;
      });
      if (done) {
        this.log.info(`cards service: card ${action.toLowerCase()}`, { socialCardId: row.id, system });
        return { kind: 'answer', body: { kind: body.kind, card: cardState(changed) } };
      }
    }
    throw new Error('the card kept changing under concurrent requests; try again');
  }
}
