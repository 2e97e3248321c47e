/**
 * The gateway's CSV writer: RFC 4180 quoting, text a spreadsheet would run as a formula neutralised however it
 * starts, and numbers the report computed (negative ones too) left as numbers.
 */
import { expect } from 'chai';
import { csvField, csvTable } from '../../src/reports/csv.js';

describe('CSV writer', () => {
  it('quotes every text, doubling its quotes, so no separator or line break in it starts a cell', () => {
    expect(csvField('portal')).to.equal('"portal"');
    expect(csvField('a,b')).to.equal('"a,b"');
    expect(csvField('a;b')).to.equal('"a;b"');
    expect(csvField('say "hi"\r\nbye')).to.equal('"say ""hi""\r\nbye"');
  });

  for (const [name, text] of [
    ['=', '=HYPERLINK("http://x")'],
    ['+', '+1+cmd|" /c calc"!A0'],
    ['-', '-2+3'],
    ['@', '@SUM(A1:A9)'],
    ['a tab', '\t=1+1'],
    ['a carriage return', '\r=1+1'],
    ['a bare tab', '\tplain'],
    ['NUL', '\0x'],
    ['spaces before =', '  =1+1'],
    ['a no-break space before =', '\u00a0=1+1'],
    ['a line break before =', '\n=1+1'],
    ['a bidi override before =', '\u202e=1+1'],
    ['a zero-width space before @', '\u200b@SUM(A1)'],
    ['a full-width =', '\uff1d1+1'],
    ['a negative amount given as text', '-12.50'],
  ] as const) {
    it(`prefixes text starting with ${name} with an apostrophe`, () => {
      expect(csvField(text)).to.equal(`"'${text.replace(/"/g, '""')}"`);
    });
  }

  it('leaves text that merely holds such characters later as it is', () => {
    expect(csvField('a=b')).to.equal('"a=b"');
    expect(csvField('user@example.org')).to.equal('"user@example.org"');
    expect(csvField("'quoted")).to.equal('"\'quoted"');
  });

  it('writes numbers the report computed bare, negative ones readable as numbers', () => {
    expect(csvField(-12.5)).to.equal('-12.5');
    expect(csvField(0)).to.equal('0');
    expect(csvField(42)).to.equal('42');
  });

  it('refuses a number that is no number a spreadsheet reads', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
      expect(() => csvField(value)).to.throw(/finite/);
  });

  it('writes a header and rows, each line ended by CR LF', () => {
    expect(
      csvTable(
        ['name', 'amount'],
        [
          ['=x', -1],
          ['b', 2],
        ],
      ),
    ).to.equal('"name","amount"\r\n"\'=x",-1\r\n"b",2\r\n');
    expect(csvTable(['name'], [])).to.equal('"name"\r\n');
  });
});
