import { expect } from 'chai';
import fc from 'fast-check';
import { isBase64 } from '../../src/core/base64.js';

describe('base64 as every reader takes it (isBase64)', () => {
  it('takes whole groups of four, with one or two `=` only at the end', () => {
    for (const text of ['', 'QUJD', 'QUI=', 'QQ==', 'QUJDRA==', 'a+/9'])
      expect(isBase64(text), text).to.equal(true);
  });

  it('refuses stray characters, whitespace, misplaced or surplus padding and partial groups', () => {
    for (const text of [
      'QUJ',
      'QUJDR',
      'Q===',
      '====',
      'QU=D',
      '=QUJ',
      'QUJD\n',
      'QU JD',
      'QUJ-',
      'QUJ_',
      'QUJD=',
      'QUJDRA=A',
    ])
      expect(isBase64(text), JSON.stringify(text)).to.equal(false);
  });

  it('agrees with the xs:base64Binary grammar (groups of four, then `xx==` or `xxx=`) on any text of its characters', () => {
    const grammar = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
    const character = fc.constantFrom(...'AZaz09+/=- \n'.split(''));
    fc.assert(
      fc.property(fc.array(character, { maxLength: 24 }), (characters) => {
        const text = characters.join('');
        expect(isBase64(text)).to.equal(grammar.test(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('decodes to the bytes it was made from, for every length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64');
        expect(isBase64(text)).to.equal(true);
        expect(Buffer.from(text, 'base64').equals(Buffer.from(bytes))).to.equal(true);
      }),
    );
  });
});
