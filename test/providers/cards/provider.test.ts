import { expect } from 'chai';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { CardsAnswer, CardsRequest } from '../../../src/providers/cards/codec.js';
import { cardsDb } from '../../../src/providers/cards/db.js';
import { cardsService, listCards } from '../../../src/providers/cards/index.js';
import { cardsApi } from '../../../src/server/cards-api.js';
import { SAMPLE_CARDS } from '../../../src/providers/cards/provider.js';
import { outcomeOf, type Provider, type ProviderOutcome } from '../../../src/providers/contract.js';
import { useStore } from '../../support/store.js';
import { PAN, SNILS, OTHER_SNILS, captureLog } from './support.js';

const SECRET = 'test-secret-for-the-card-register-0123456789';

/** A Luhn-valid Mir card number (2202…) made from a serial number. */
export function mirCard(serial: number): string {
  const body = `2202${String(serial).padStart(11, '0')}`;
  for (let check = 0; check < 10; check++) {
    const digits = body + check;
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 === 0) return digits;
  }
  throw new Error('unreachable');
}

function register(pan: string, snils = SNILS): CardsRequest {
  return {
    kind: 'register',
    pan,
    holder: { snils, surname: 'Смирнов', firstName: 'Всеволод', patronymic: undefined },
    connectionPoint: 'PORTAL',
  };
}

let messageCounter = 0;
async function send(
  provider: Provider,
  body: CardsRequest,
  testMessage = false,
  sender = 'SOCCARD_28',
): Promise<ProviderOutcome<CardsAnswer>> {
  // A refusal is thrown (ProviderRejection); the outcome is what delivery makes of it.
  return outcomeOf(
    (provider as Provider<CardsRequest, CardsAnswer>).handle({
      messageId: `m-${++messageCounter}`,
      referenceMessageId: `m-${messageCounter}`,
      transactionCode: undefined,
      testMessage,
      sender: { mnemonic: sender },
      messageType: { namespace: 'urn://smev-gateway/services/cards/1.0', localName: 'X' },
      body,
      signal: new AbortController().signal,
    }),
  );
}

function answer(outcome: ProviderOutcome<CardsAnswer>): CardsAnswer {
  if (outcome.kind !== 'answer')
    throw new Error(`expected an answer, got ${outcome.code} ${outcome.description}`);
  return outcome.body;
}

describe('cards provider on a store', () => {
  const store = useStore('sqlite', { prefix: 'cards-provider', each: true });
  let now: number;
  const clock = () => new Date(now);

  beforeEach(() => {
    now = Date.parse('2026-03-01T09:00:00Z');
  });

  const provider = (settings: unknown = { panHmacSecret: SECRET }, log = captureLog()) =>
    cardsService.createProvider({ store, log: log.logger, settings, clock });

  describe('the key', () => {
    it('generates a secret on the first start without one, keeps it, warns, and seeds the sample cards once', async () => {
      const log = captureLog();
      const first = provider({}, log);
      const id = (answer(await send(first, register(PAN))) as { card: { socialCardId: string } }).card
        .socialCardId;
      const keys = await cardsDb(store).selectFrom('social_card_keys').selectAll().execute();
      const secret = keys.find((k) => k.name === 'pan_hmac_secret');
      expect(secret?.value).to.have.length.of.at.least(32);
      expect(
        log.lines.some(
          (l) =>
            l.level === 'warn' &&
            /no services\.cards\.panHmacSecret is configured; generated one/.test(l.message),
        ),
      ).to.equal(true);
      expect((await listCards(store, { page: 1, pageSize: 50 })).total).to.equal(SAMPLE_CARDS.length + 1);

      // A restart uses the stored secret: the same card is found again, and the samples are not seeded twice.
      const log2 = captureLog();
      const second = provider({}, log2);
      const again = answer(await send(second, register(PAN)));
      expect(again).to.deep.include({ kind: 'register', alreadyRegistered: true });
      expect((again as { card: { socialCardId: string } }).card.socialCardId).to.equal(id);
      expect(
        log2.lines.some((l) => l.level === 'warn' && /using the generated one/.test(l.message)),
      ).to.equal(true);
      expect((await listCards(store, { page: 1, pageSize: 50 })).total).to.equal(SAMPLE_CARDS.length + 1);
    });

    it('does not bring back a sample card taken off the register', async () => {
      const first = provider({});
      answer(
        await send(first, {
          kind: 'deregister',
          card: { by: 'id', socialCardId: SAMPLE_CARDS[0].id },
          reason: undefined,
        }),
      );
      const second = provider({});
      const status = answer(
        await send(second, { kind: 'status', card: { by: 'id', socialCardId: SAMPLE_CARDS[0].id } }),
      );
      expect(status.card.status).to.equal('DEREGISTERED');
      const byPan = await send(second, { kind: 'status', card: { by: 'pan', pan: SAMPLE_CARDS[0].pan } });
      expect(byPan).to.deep.include({ kind: 'rejected', code: 'NO_DATA' });
    });

    it('with a configured secret stores no key, does not warn and starts with an empty register', async () => {
      const log = captureLog();
      const p = provider({ panHmacSecret: SECRET }, log);
      answer(await send(p, register(PAN)));
      const keys = await cardsDb(store).selectFrom('social_card_keys').select('name').execute();
      expect(keys.map((k) => k.name)).to.deep.equal(['key_check']);
      expect(log.lines.filter((l) => l.level === 'warn')).to.deep.equal([]);
      expect((await listCards(store, { page: 1, pageSize: 50 })).total).to.equal(1);
    });

    it('refuses to work with a key other than the one the register was built with, and says why', async () => {
      answer(await send(provider({ panHmacSecret: SECRET }), register(PAN)));
      const log = captureLog();
      const other = provider({ panHmacSecret: 'another-secret-entirely-0123456789abcdef' }, log);
      let failure: unknown;
      try {
        await send(other, register(PAN, OTHER_SNILS));
      } catch (error) {
        failure = error;
      }
      expect(String(failure)).to.match(/not the key the card register was built with/);
      expect(log.lines.some((l) => l.level === 'error' && /not the key/.test(l.message))).to.equal(true);
      // Nothing was registered under the wrong key.
      expect((await listCards(store, { page: 1, pageSize: 50 })).total).to.equal(1);
    });

    it('refuses a bad settings section when the service is made', () => {
      expect(() => provider({ panHmacSecret: 'too short' })).to.throw(/panHmacSecret/);
    });
  });

  it('stores only hashes and the last four digits, and the holder as surname and initials', async () => {
    answer(await send(provider(), register(PAN)));
    const [row] = await cardsDb(store).selectFrom('social_cards').selectAll().execute();
    expect(row?.pan_last4).to.equal(PAN.slice(-4));
    expect(row?.pan_hash).to.match(/^[0-9a-f]{64}$/);
    expect(row?.holder_hash).to.match(/^[0-9a-f]{64}$/);
    expect(row?.holder_display).to.equal('Смирнов В.');
    expect(JSON.stringify(row)).not.to.contain(PAN).and.not.to.contain(SNILS);
  });

  it('settles concurrent registrations of one card on one id, one row and one event', async () => {
    const p = provider();
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => send(p, register(PAN))));
    const ids = new Set(outcomes.map((o) => answer(o).card.socialCardId));
    expect(ids.size).to.equal(1);
    expect(
      outcomes.filter((o) => !(answer(o) as { alreadyRegistered: boolean }).alreadyRegistered),
    ).to.have.length(1);
    const db = cardsDb(store);
    expect(await db.selectFrom('social_cards').select('id').execute()).to.have.length(1);
    expect(await db.selectFrom('social_card_events').select('id').execute()).to.have.length(1);
  });

  it('with TestMessage checks and answers but writes nothing', async () => {
    const p = provider();
    const test = answer(await send(p, register(PAN), true));
    expect(test).to.deep.include({ kind: 'register', alreadyRegistered: false });
    expect((await listCards(store, { page: 1, pageSize: 10 })).total).to.equal(0);
    expect(await send(p, register('2204300000001235'), true)).to.deep.include({
      kind: 'rejected',
      code: 'UNKNOWN_REQUEST_DESCRIPTION',
    });

    const id = answer(await send(p, register(PAN))).card.socialCardId;
    const blocked = answer(
      await send(p, { kind: 'block', card: { by: 'id', socialCardId: id }, reason: 'проверка' }, true),
    );
    expect(blocked.card).to.deep.include({ status: 'BLOCKED', statusReason: 'проверка' });
    expect(answer(await send(p, { kind: 'status', card: { by: 'pan', pan: PAN } })).card.status).to.equal(
      'ACTIVE',
    );
    const gone = answer(
      await send(p, { kind: 'deregister', card: { by: 'pan', pan: PAN }, reason: undefined }, true),
    );
    expect(gone.card.status).to.equal('DEREGISTERED');
    expect(answer(await send(p, { kind: 'status', card: { by: 'pan', pan: PAN } })).card.status).to.equal(
      'ACTIVE',
    );
    expect(await cardsDb(store).selectFrom('social_card_events').select('action').execute()).to.deep.equal([
      { action: 'REGISTERED' },
    ]);
  });

  it('lets only the system that registered a card block, unblock or deregister it; anyone routed reads it', async () => {
    const p = provider();
    const id = answer(await send(p, register(PAN))).card.socialCardId;
    const changes: CardsRequest[] = [
      { kind: 'block', card: { by: 'pan', pan: PAN }, reason: 'чужая система' },
      { kind: 'deregister', card: { by: 'id', socialCardId: id }, reason: undefined },
    ];
    for (const change of changes) {
      const refused = await send(p, change, false, 'PORTAL_26');
      expect(refused.kind === 'rejected' && refused.description, change.kind).to.match(
        /^CARD_OF_ANOTHER_SYSTEM: /,
      );
      expect(refused.kind === 'rejected' && refused.code).to.equal('ACCESS_DENIED');
    }
    const status = answer(
      await send(p, { kind: 'status', card: { by: 'id', socialCardId: id } }, false, 'PORTAL_26'),
    );
    expect(status.card.status).to.equal('ACTIVE');
    const events = await cardsDb(store)
      .selectFrom('social_card_events')
      .select(['action', 'system'])
      .execute();
    expect(events.filter((e) => e.system !== 'SOCCARD_28')).to.deep.equal([]);
  });

  it('keeps the sample card blocked on its holder’s report blocked for others; its sample system may lift it', async () => {
    const p = provider({});
    const sample = {
      kind: 'unblock',
      card: { by: 'id', socialCardId: SAMPLE_CARDS[1].id },
      reason: undefined,
    } as const;
    expect((await send(p, sample, false, 'DEMO_CONSUMER')).kind).to.equal('rejected');
    expect(answer(await send(p, sample)).card.status).to.equal('ACTIVE');
  });

  it('records who changed a card and why, in order', async () => {
    const p = provider();
    const id = answer(await send(p, register(PAN))).card.socialCardId;
    now += 1000;
    answer(await send(p, { kind: 'block', card: { by: 'pan', pan: PAN }, reason: 'утрата' }));
    now += 1000;
    answer(await send(p, { kind: 'unblock', card: { by: 'id', socialCardId: id }, reason: undefined }));
    now += 1000;
    answer(await send(p, { kind: 'deregister', card: { by: 'id', socialCardId: id }, reason: 'отказ' }));
    const events = await cardsDb(store)
      .selectFrom('social_card_events')
      .select(['action', 'system', 'reason', 'at'])
      .orderBy('at')
      .execute();
    expect(events.map((e) => [e.action, e.system, e.reason])).to.deep.equal([
      ['REGISTERED', 'SOCCARD_28', null],
      ['BLOCKED', 'SOCCARD_28', 'утрата'],
      ['UNBLOCKED', 'SOCCARD_28', null],
      ['DEREGISTERED', 'SOCCARD_28', 'отказ'],
    ]);
    const [row] = await cardsDb(store).selectFrom('social_cards').select(['pan_hash', 'status']).execute();
    expect(row).to.deep.equal({ pan_hash: null, status: 'DEREGISTERED' });
  });

  describe('the operator listing', () => {
    async function registerMany(count: number): Promise<string[]> {
      const p = provider();
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        now += 60_000;
        ids.push(answer(await send(p, register(mirCard(i + 1)))).card.socialCardId);
      }
      // Block every third card so the status filter has something to filter.
      for (let i = 0; i < count; i += 3) {
        answer(
          await send(p, {
            kind: 'block',
            card: { by: 'id', socialCardId: ids[i] as string },
            reason: 'проверка',
          }),
        );
      }
      return ids;
    }

    it('pages the register newest first, with the total, and no card on two pages', async () => {
      const ids = await registerMany(7);
      const pages = await Promise.all([1, 2, 3, 4].map((page) => listCards(store, { page, pageSize: 3 })));
      expect(pages.map((p) => p.items.length)).to.deep.equal([3, 3, 1, 0]);
      expect(pages.every((p) => p.total === 7 && p.pageSize === 3)).to.equal(true);
      const listed = pages.flatMap((p) => p.items.map((c) => c.socialCardId));
      expect(listed).to.deep.equal([...ids].reverse());
      const first = pages[0]?.items[0];
      expect(first).to.deep.include({
        status: 'BLOCKED',
        statusReason: 'проверка',
        panLast4: mirCard(7).slice(-4),
        holder: 'Смирнов В.',
        connectionPoint: 'portal',
        registeredBy: 'SOCCARD_28',
      });
      expect(first?.registeredAt).to.equal(new Date(Date.parse('2026-03-01T09:07:00Z')).toISOString());
    });

    it('filters by status', async () => {
      await registerMany(7);
      const blocked = await listCards(store, { page: 1, pageSize: 10, status: 'BLOCKED' });
      expect(blocked.total).to.equal(3);
      expect(blocked.items.map((c) => c.status)).to.deep.equal(['BLOCKED', 'BLOCKED', 'BLOCKED']);
      expect(blocked.items.every((c) => c.statusReason === 'проверка')).to.equal(true);
      expect((await listCards(store, { page: 1, pageSize: 10, status: 'ACTIVE' })).total).to.equal(4);
      expect((await listCards(store, { page: 1, pageSize: 10, status: 'DEREGISTERED' })).items).to.deep.equal(
        [],
      );
    });

    it('refuses a page or page size out of range', async () => {
      for (const bad of [
        { page: 0, pageSize: 10 },
        { page: 1, pageSize: 0 },
        { page: 1, pageSize: 201 },
        { page: 1.5, pageSize: 10 },
      ]) {
        let refused = false;
        try {
          await listCards(store, bad);
        } catch {
          refused = true;
        }
        expect(refused, JSON.stringify(bad)).to.equal(true);
      }
    });

    it('serves the listing and one card with its history over HTTP, and refuses bad queries', async () => {
      const ids = await registerMany(5);
      const app = express();
      app.set('query parser', 'simple');
      app.use('/api/v1/cards', cardsApi(store));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/cards`;
      try {
        const page2 = await fetch(`${base}?page=2&pageSize=2`);
        expect(page2.status).to.equal(200);
        const body = (await page2.json()) as {
          total: number;
          page: number;
          items: Array<{ socialCardId: string }>;
        };
        expect(body.total).to.equal(5);
        expect(body.page).to.equal(2);
        expect(body.items.map((c) => c.socialCardId)).to.deep.equal([ids[2], ids[1]]);

        const blocked = (await (await fetch(`${base}?status=BLOCKED`)).json()) as { total: number };
        expect(blocked.total).to.equal(2);

        const one = await fetch(`${base}/${ids[0]}`);
        expect(one.status).to.equal(200);
        const card = (await one.json()) as { status: string; events: Array<{ action: string }> };
        expect(card.status).to.equal('BLOCKED');
        expect(card.events.map((e) => e.action)).to.deep.equal(['REGISTERED', 'BLOCKED']);

        for (const query of ['?pageSize=1000', '?page=0', '?status=LOST', '?page=abc', '?colour=red']) {
          const bad = await fetch(base + query);
          expect(bad.status, query).to.equal(400);
          expect(((await bad.json()) as { error: string }).error, query).to.be.a('string');
        }
        expect((await fetch(`${base}/00000000-0000-4000-8000-000000000000`)).status).to.equal(404);
        expect((await fetch(`${base}/not-an-id`)).status).to.equal(400);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
});
