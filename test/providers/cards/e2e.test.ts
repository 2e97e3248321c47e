import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SAMPLE_CARDS } from '../../../src/providers/cards/provider.js';
import { type TestGateway, useGateway } from '../../support/gateway.js';
import { STORES } from '../../support/store.js';
import {
  BANK_POINT,
  OTHER_SNILS,
  PAN,
  PAN2,
  SNILS,
  SNILS_FORMATTED,
  answered,
  authoriseBankPoint,
  call,
  changeRequest,
  field,
  registration,
  schemaProblems,
  statusRequest,
} from './support.js';

const SECRET = 'e2e-secret-for-the-social-card-register-42';

for (const storeKind of STORES) {
  describe(`cards service end to end (${storeKind})`, () => {
    const gateway = useGateway({
      store: storeKind,
      overrides: { 'services.cards': { panHmacSecret: SECRET } },
    });
    before(async () => {
      await authoriseBankPoint(gateway);
    });

    it('registers a Mir card, answers its social card id, and the answer fits the schema', async () => {
      const answer = answered(await call(gateway, registration(PAN)));
      expect(answer.id).to.match(/^[0-9a-f-]{36}$/);
      expect(answer.status).to.equal('ACTIVE');
      expect(field(answer.payload, 'PanLast4')).to.equal('1234');
      expect(field(answer.payload, 'ConnectionPoint')).to.equal(BANK_POINT);
      expect(field(answer.payload, 'AlreadyRegistered')).to.equal('false');
      expect(answer.payload).to.contain('CardRegistrationResponse');
      expect(answer.payload).not.to.contain(PAN);
      expect(schemaProblems(answer.payload)).to.equal('');
    });

    it('answers the same id when the same card is registered again for the same holder, SNILS written either way', async () => {
      const first = answered(await call(gateway, registration(PAN2)));
      const again = answered(
        await call(gateway, registration(PAN2, { snils: SNILS_FORMATTED, firstName: 'Сева' }, 'PORTAL')),
      );
      expect(again.id).to.equal(first.id);
      expect(field(again.payload, 'AlreadyRegistered')).to.equal('true');
      expect(field(again.payload, 'ConnectionPoint')).to.equal(BANK_POINT);
    });

    it('refuses a card registered to another holder as ACCESS_DENIED / CARD_OF_ANOTHER_HOLDER', async () => {
      answered(await call(gateway, registration(PAN)));
      const answer = await call(gateway, registration(PAN, { snils: OTHER_SNILS, surname: 'Другой' }));
      expect(answer.kind).to.equal('rejected');
      if (answer.kind !== 'rejected') return;
      expect(answer.rejection?.code).to.equal('ACCESS_DENIED');
      expect(answer.rejection?.description).to.match(/^CARD_OF_ANOTHER_HOLDER: /);
      expect(answer.rejection?.description).not.to.contain(PAN);
    });

    const badRegistrations: Array<[string, string, string, string]> = [
      ['a Luhn failure', registration('2204300000001235'), 'UNKNOWN_REQUEST_DESCRIPTION', 'INVALID_PAN'],
      ['a Visa card', registration('4111111111111111'), 'UNKNOWN_REQUEST_DESCRIPTION', 'NOT_MIR_CARD'],
      ['a Mastercard', registration('5555555555554444'), 'UNKNOWN_REQUEST_DESCRIPTION', 'NOT_MIR_CARD'],
      ['a 12-digit number', registration('220000000004'), 'UNKNOWN_REQUEST_DESCRIPTION', 'NOT_MIR_CARD'],
      [
        'a wrong SNILS control number',
        registration('2200700000000033', { snils: '11122233373' }),
        'UNKNOWN_REQUEST_DESCRIPTION',
        'INVALID_SNILS',
      ],
      [
        'a wrong formatted SNILS',
        registration('2200700000000033', { snils: '111-222-333 00' }),
        'UNKNOWN_REQUEST_DESCRIPTION',
        'INVALID_SNILS',
      ],
    ];
    it('connects a card only at a connection point of the reference book, and not at a withdrawn one', async () => {
      const unknown = await call(gateway, registration('2202800000000120', {}, 'SHOP_ON_THE_CORNER'));
      expect(unknown.kind, JSON.stringify(unknown)).to.equal('rejected');
      if (unknown.kind !== 'rejected') return;
      expect(unknown.rejection?.code).to.equal('UNKNOWN_REQUEST_DESCRIPTION');
      expect(unknown.rejection?.description).to.match(
        /^CONNECTION_POINT_UNKNOWN: пункт подключения не значится в справочнике/,
      );
      // The same check holds for a test message.
      const test = await call(gateway, registration('2202800000000120', {}, 'shop-on-the-corner'), {
        testMessage: true,
      });
      expect(test.kind === 'rejected' && test.rejection?.description).to.match(/^CONNECTION_POINT_UNKNOWN: /);

      const operator = { name: 'test', role: 'operator' as const };
      await gateway.registry.books.setEntry(operator, 'connection-points', 'closed-branch', {
        title: 'Закрытое отделение',
        active: false,
      });
      const withdrawn = await call(gateway, registration('2202800000000120', {}, 'CLOSED_BRANCH'));
      expect(withdrawn.kind === 'rejected' && withdrawn.rejection?.description).to.match(
        /^CONNECTION_POINT_WITHDRAWN: пункт подключения исключён/,
      );
      // The portal, written as the cards schema lets a client write it, is the book's `portal`.
      const portal = answered(await call(gateway, registration('2202800000000120', {}, 'PORTAL')));
      expect(field(portal.payload, 'ConnectionPoint')).to.equal('portal');
    });

    for (const [what, payload, code, machine] of badRegistrations) {
      it(`rejects ${what} as ${code} / ${machine}`, async () => {
        const answer = await call(gateway, payload);
        expect(answer.kind, JSON.stringify(answer)).to.equal('rejected');
        if (answer.kind !== 'rejected') return;
        expect(answer.rejection?.code).to.equal(code);
        expect(answer.rejection?.description).to.match(new RegExp(`^${machine}: `));
      });
    }

    for (const [what, payload] of [
      ['letters in the card number', registration('22007000000000AB')],
      ['a card number of 20 digits', registration('22007000000000000170')],
      ['a SNILS with letters', registration(PAN, { snils: '1112223337X' })],
      ['a request naming no card', `<c:CardStatusRequest xmlns:c="urn://smev-gateway/services/cards/1.0"/>`],
      ['a social card id in upper case', statusRequest({ id: 'C0A7D5E2-5B1A-4C6F-8F3E-000000000001' })],
      ['a block without a reason', changeRequest('Block', { pan: PAN })],
    ] as const) {
      it(`refuses ${what} at the schema step with InvalidContent`, async () => {
        const answer = await call(gateway, payload);
        expect(answer.kind).to.equal('fault');
        if (answer.kind !== 'fault') return;
        expect(answer.element).to.equal('InvalidContent');
      });
    }

    it('answers the status by id and by card number; unknown cards are NO_DATA / CARD_NOT_FOUND', async () => {
      const { id } = answered(await call(gateway, registration(PAN)));
      for (const ref of [{ id }, { pan: PAN }]) {
        const status = answered(await call(gateway, statusRequest(ref)));
        expect(status.payload).to.contain('CardStatusResponse');
        expect(status.id).to.equal(id);
        expect(status.status).to.equal('ACTIVE');
        expect(schemaProblems(status.payload)).to.equal('');
      }
      for (const ref of [{ id: '00000000-0000-4000-8000-000000000000' }, { pan: '2200700000000041' }]) {
        const answer = await call(gateway, statusRequest(ref));
        expect(answer.kind).to.equal('rejected');
        if (answer.kind !== 'rejected') continue;
        expect(answer.rejection?.code).to.equal('NO_DATA');
        expect(answer.rejection?.description).to.match(/^CARD_NOT_FOUND: /);
      }
      const badPan = await call(gateway, statusRequest({ pan: '2200700000000042' }));
      expect(badPan.kind === 'rejected' && badPan.rejection?.description).to.match(/^INVALID_PAN: /);
    });

    it('blocks, unblocks and takes a card off the register; a card taken off can be registered again with a new id', async () => {
      const pan = '2203123456789016';
      const { id } = answered(await call(gateway, registration(pan)));

      const blocked = answered(await call(gateway, changeRequest('Block', { pan }, 'Заявление держателя')));
      expect(blocked.payload).to.contain('CardBlockResponse');
      expect(blocked.status).to.equal('BLOCKED');
      expect(field(blocked.payload, 'StatusReason')).to.equal('Заявление держателя');
      expect(schemaProblems(blocked.payload)).to.equal('');
      expect(answered(await call(gateway, statusRequest({ id }))).status).to.equal('BLOCKED');
      // Blocking again answers the same state; the reason and time stay the first block's.
      const twice = answered(await call(gateway, changeRequest('Block', { id }, 'Повторно')));
      expect(twice.status).to.equal('BLOCKED');
      expect(field(twice.payload, 'StatusReason')).to.equal('Заявление держателя');
      // Registering a blocked card again for its holder answers its id and does not unblock it.
      const reRegistered = answered(await call(gateway, registration(pan)));
      expect([reRegistered.id, reRegistered.status]).to.deep.equal([id, 'BLOCKED']);

      const unblocked = answered(await call(gateway, changeRequest('Unblock', { id })));
      expect(unblocked.payload).to.contain('CardUnblockResponse');
      expect(unblocked.status).to.equal('ACTIVE');
      expect(field(unblocked.payload, 'StatusReason')).to.equal(undefined);
      expect(schemaProblems(unblocked.payload)).to.equal('');

      const gone = answered(await call(gateway, changeRequest('Deregister', { pan }, 'Отказ держателя')));
      expect(gone.payload).to.contain('CardDeregisterResponse');
      expect(gone.status).to.equal('DEREGISTERED');
      expect(schemaProblems(gone.payload)).to.equal('');
      expect(answered(await call(gateway, statusRequest({ id }))).status).to.equal('DEREGISTERED');
      const byPan = await call(gateway, statusRequest({ pan }));
      expect(byPan.kind === 'rejected' && byPan.rejection?.description).to.match(/^CARD_NOT_FOUND: /);
      expect(answered(await call(gateway, changeRequest('Deregister', { id }))).status).to.equal(
        'DEREGISTERED',
      );
      for (const kind of ['Block', 'Unblock'] as const) {
        const refused = await call(gateway, changeRequest(kind, { id }, 'Попытка'));
        expect(refused.kind).to.equal('rejected');
        if (refused.kind !== 'rejected') continue;
        expect(refused.rejection?.code).to.equal('FAILURE');
        expect(refused.rejection?.description).to.match(/^CARD_DEREGISTERED: /);
      }

      // Off the register, the card may become a social card again, even of another holder: a new id.
      const again = answered(
        await call(gateway, registration(pan, { snils: OTHER_SNILS, surname: 'Новый' })),
      );
      expect(again.id).not.to.equal(id);
      expect(field(again.payload, 'AlreadyRegistered')).to.equal('false');
    });

    it('with TestMessage answers as it would but changes nothing', async () => {
      const pan = '2201000011112227';
      const test = answered(await call(gateway, registration(pan), { testMessage: true }));
      expect(test.status).to.equal('ACTIVE');
      const notThere = await call(gateway, statusRequest({ pan }));
      expect(notThere.kind === 'rejected' && notThere.rejection?.code).to.equal('NO_DATA');

      const { id } = answered(await call(gateway, registration(pan)));
      expect(id).not.to.equal(test.id);
      expect(
        answered(await call(gateway, changeRequest('Block', { id }, 'Проверка'), { testMessage: true }))
          .status,
      ).to.equal('BLOCKED');
      expect(
        answered(await call(gateway, changeRequest('Deregister', { pan }), { testMessage: true })).status,
      ).to.equal('DEREGISTERED');
      expect(answered(await call(gateway, statusRequest({ pan }))).status).to.equal('ACTIVE');
      const refused = await call(gateway, registration(pan, { snils: OTHER_SNILS }), { testMessage: true });
      expect(refused.kind === 'rejected' && refused.rejection?.description).to.match(
        /^CARD_OF_ANOTHER_HOLDER: /,
      );
    });

    it('routes every cards request for each sample consumer', async () => {
      for (const system of ['SOCPROTECT_47', 'SOCCARD_28', 'PORTAL_26']) {
        const answer = await call(gateway, statusRequest({ pan: PAN }), { system });
        expect(answer.kind, system).to.equal('answer');
      }
    });
  });
}

/** Every byte of the SQLite database: the main file, its -wal and -shm. */
function databaseBytes(gateway: TestGateway): Buffer {
  const file = gateway.config.store.sqliteFile;
  const files = readdirSync(dirname(file))
    .filter((name) => name.startsWith('gateway.db'))
    .map((name) => join(dirname(file), name));
  expect(files).to.include(file).and.to.include(`${file}-wal`);
  return Buffer.concat(files.map((f) => readFileSync(f)));
}

describe('cards service: no card number at rest (SQLite file bytes)', () => {
  const gateway = useGateway({ overrides: { 'services.cards': { panHmacSecret: SECRET } } });
  before(async () => {
    await authoriseBankPoint(gateway);
  });

  it('keeps no card number, SNILS or first name anywhere in the database files after every kind of exchange', async () => {
    const pan = '2202555566667775';
    const holder = { firstName: 'Вениамин', patronymic: 'Аркадьевич' };
    const { id } = answered(await call(gateway, registration(pan, holder)));
    expect(
      answered(await call(gateway, registration(pan, { ...holder, snils: SNILS_FORMATTED }))).id,
    ).to.equal(id);
    expect((await call(gateway, registration(pan, { snils: OTHER_SNILS }))).kind).to.equal('rejected');
    expect((await call(gateway, registration(PAN, { snils: '11122233373' }))).kind).to.equal('rejected');
    expect((await call(gateway, registration('2204300000001235'))).kind).to.equal('rejected');
    answered(await call(gateway, registration(PAN2, holder), { testMessage: true }));
    answered(await call(gateway, changeRequest('Block', { pan }, 'Проверка хранения')));
    answered(await call(gateway, statusRequest({ pan })));
    answered(await call(gateway, changeRequest('Unblock', { pan })));
    const second = answered(await call(gateway, registration(PAN, holder)));
    answered(await call(gateway, changeRequest('Deregister', { pan: PAN })));
    expect(second.id).not.to.equal(id);

    const bytes = databaseBytes(gateway);
    // The database did record the exchanges (the block reason, the last four digits, the holder's initials)...
    expect(bytes.includes(Buffer.from('Проверка хранения'))).to.equal(true);
    expect(bytes.includes(Buffer.from('Смирнов В. А.'))).to.equal(true);
    // ...but nowhere a card number, in any form it travelled, nor a SNILS, the first name or the secret.
    for (const secret of [
      pan,
      '2202 5555 6666 7775',
      PAN,
      '2204300000001235',
      PAN2,
      SNILS,
      SNILS_FORMATTED,
      OTHER_SNILS,
      '11122233373',
      'Вениамин',
      'Аркадьевич',
      SECRET,
    ]) {
      expect(bytes.includes(Buffer.from(secret, 'utf8')), secret).to.equal(false);
      expect(bytes.includes(Buffer.from(secret, 'utf16le')), `${secret} (UTF-16)`).to.equal(false);
    }
  });

  // A request refused before its message type is read is judged by its text for the message log.
  it('keeps no card number of a schema-invalid registration (message log keeps bodies of untyped requests)', async () => {
    const pan = '2204300000009997';
    const answer = await call(gateway, registration(pan, { snils: '1112223337X' }));
    expect(answer.kind === 'fault' && answer.element).to.equal('InvalidContent');
    expect(databaseBytes(gateway).includes(Buffer.from(pan))).to.equal(false);
  });
});

describe('cards service on a fresh install (no secret configured)', () => {
  const gateway = useGateway();

  it('answers the examples in order, each acting on the one card the first registers', async () => {
    const example = (name: string) => readFileSync(`examples/cards/${name}.xml`, 'utf8');
    const registered = answered(await call(gateway, example('CardRegistrationRequest')));
    expect(registered.status).to.equal('ACTIVE');
    const steps = [
      ['CardStatusRequest', 'ACTIVE'],
      ['CardBlockRequest', 'BLOCKED'],
      ['CardUnblockRequest', 'ACTIVE'],
      ['CardDeregisterRequest', 'DEREGISTERED'],
    ] as const;
    for (const [name, status] of steps) {
      const answer = answered(await call(gateway, example(name)));
      expect([answer.id, answer.status], name).to.deep.equal([registered.id, status]);
    }
  });

  it('keeps no sample card number in the database either', async () => {
    const bytes = databaseBytes(gateway);
    for (const sample of SAMPLE_CARDS)
      expect(bytes.includes(Buffer.from(sample.pan)), sample.pan).to.equal(false);
    expect(bytes.includes(Buffer.from('2200700000000033')), 'the registered example card').to.equal(false);
  });
});
