/** Calendar dates: real days only, 29 February in leap years only, and every year as written. */
import { expect } from 'chai';
import { isCalendarDate } from '../../src/identifiers/calendar-date.js';

describe('calendar dates', () => {
  it('knows 29 February in leap years only (every 4th year, not centuries, but every 400th)', () => {
    expect(isCalendarDate('2024-02-29')).to.equal(true);
    expect(isCalendarDate('2000-02-29')).to.equal(true);
    expect(isCalendarDate('2025-02-29')).to.equal(false);
    expect(isCalendarDate('1900-02-29')).to.equal(false);
    expect(isCalendarDate('2100-02-29')).to.equal(false);
  });

  it('refuses days past the end of their month and months past 12', () => {
    for (const day of ['2025-04-31', '2025-06-31', '2025-02-30', '2025-01-32', '2025-13-01', '2025-00-10'])
      expect(isCalendarDate(day), day).to.equal(false);
    for (const day of ['2025-01-31', '2025-04-30', '2025-12-31', '2025-01-01'])
      expect(isCalendarDate(day), day).to.equal(true);
  });

  it('reads a year below 100 as written, not as 19xx', () => {
    // Date.UTC reads years 0 to 99 as 1900 to 1999, so a check built on it refuses these real days.
    expect(isCalendarDate('0024-02-29')).to.equal(true);
    expect(isCalendarDate('0001-01-01')).to.equal(true);
    expect(isCalendarDate('0000-02-29')).to.equal(true);
    expect(isCalendarDate('9999-12-31')).to.equal(true);
  });

  it('refuses any other shape', () => {
    for (const text of [
      '2025-1-01',
      '25-01-01',
      '2025-01-01T00:00:00Z',
      ' 2025-01-01',
      '2025/01/01',
      '',
      '２０２５-01-01',
    ])
      expect(isCalendarDate(text), text).to.equal(false);
  });
});
