import { expect } from 'chai';
import {
  codeMatches,
  groupContacts,
  hashCode,
  newOneTimeCode,
  newSalt,
  personKey,
  type VisitRow,
} from '../../../src/providers/lab-results/rules.js';

describe('lab-results service rules', () => {
  it('makes 6-digit codes over the whole range, leading zeros included', () => {
    const codes = Array.from({ length: 20_000 }, () => newOneTimeCode());
    for (const code of codes) expect(code).to.match(/^[0-9]{6}$/);
    expect(codes.some((c) => c.startsWith('0'))).to.equal(true);
    expect(codes.some((c) => c.startsWith('9'))).to.equal(true);
    // 20 000 draws from a million: a weak generator or a fixed code would repeat far more.
    expect(new Set(codes).size).to.be.greaterThan(19_000);
  });

  it('matches a code against its salted hash only, in constant time', () => {
    const salt = newSalt();
    const stored = hashCode(salt, '012345');
    expect(codeMatches(salt, stored, '012345')).to.equal(true);
    expect(codeMatches(salt, stored, '012346')).to.equal(false);
    expect(codeMatches(newSalt(), stored, '012345')).to.equal(false);
    expect(codeMatches(salt, 'abcd', '012345')).to.equal(false);
    expect(hashCode(newSalt(), '012345')).not.to.equal(stored);
  });

  it('keys phones and tokens apart and by the secret', () => {
    const key = 'aa'.repeat(32);
    expect(personKey(key, 'phone', '+79001234567')).to.match(/^[0-9a-f]{64}$/);
    expect(personKey(key, 'phone', 'x')).not.to.equal(personKey(key, 'token', 'x'));
    expect(personKey('bb'.repeat(32), 'phone', '+79001234567')).not.to.equal(
      personKey(key, 'phone', '+79001234567'),
    );
  });

  it('groups contacts: same venue, within the window either side, without the person, visits once each', () => {
    const H = 3_600_000;
    const row = (
      id: string,
      venueCode: string,
      checkedAt: number,
      personKey: string,
      contact: string,
      contactKind: 'phone' | 'token' = 'phone',
    ): VisitRow => ({
      id,
      venueCode,
      checkedAt,
      personKey,
      contactKind,
      contact,
    });
    const person = [
      { venueCode: 'V1', checkedAt: 10 * H },
      { venueCode: 'V2', checkedAt: 20 * H },
    ];
    const candidates = [
      row('1', 'V1', 8 * H, 'a', '+79000000001'), // exactly 2 h before: in
      row('2', 'V1', 12 * H + 1, 'b', '+79000000002'), // just over 2 h after: out
      row('3', 'V2', 10 * H, 'c', '+79000000003'), // other venue at the first visit's time: out
      row('4', 'V2', 21 * H, 'a', '+79000000001'), // the same contact again at V2: in, grouped
      row('4', 'V2', 21 * H, 'a', '+79000000001'), // the same row twice: once
      row('5', 'V1', 10 * H, 'me', '+79009999999'), // the person: out
      row('6', 'V2', 19 * H, 't', 'token-of-someone-0001', 'token'),
    ];
    const contacts = groupContacts(person, candidates, new Set(['me']), 2 * H);
    expect(contacts).to.deep.equal([
      {
        contact: { kind: 'phone', value: '+79000000001' },
        visits: [
          { venueCode: 'V1', visitedAt: new Date(8 * H) },
          { venueCode: 'V2', visitedAt: new Date(21 * H) },
        ],
      },
      {
        contact: { kind: 'token', value: 'token-of-someone-0001' },
        visits: [{ venueCode: 'V2', visitedAt: new Date(19 * H) }],
      },
    ]);
  });
});
