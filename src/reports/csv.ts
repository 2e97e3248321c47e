/**
 * The gateway's one CSV writer, for every CSV it hands out (the admin API, the command line): RFC 4180 text that a
 * spreadsheet opens as data, never as formulas (OWASP "CSV Injection").
 */

/** A cell: text (from the store, from a participant) or a number the report computed. */
export type CsvValue = string | number;

/**
 * Text a spreadsheet would run as a formula: one starting with = + - @ (or their full-width forms, which some
 * spreadsheets read as the same), also after leading spaces or invisible characters a spreadsheet may trim, and
 * any text starting with a tab, a carriage return or NUL (OWASP, ASVS 1.2.10).
 */
const FORMULA_START = /^(?:[\t\r\0]|[\p{White_Space}\p{Cc}\p{Cf}]*[=+\-@\uff1d\uff0b\uff0d\uff20])/u;

/**
 * One field. Text is always quoted, its quotes doubled, so no separator in it (a `,`, or the `;` that spreadsheets
 * in a Russian locale split on) starts a cell of its own; and text that would run as a formula gets an apostrophe
 * first, which spreadsheets read as "this is text". A number is written bare: the type, not the look, decides, so
 * a negative amount the report computed (-12.5) stays a number a spreadsheet can sum, while the same characters
 * given as text by a participant are neutralised. A finite number's digits hold no function or reference, so even
 * a spreadsheet that evaluates `-12.5` gets only that number back.
 */
export function csvField(value: CsvValue): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`a CSV number must be finite, not ${value}`);
    return String(value);
  }
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${text.replace(/"/g, '""')}"`;
}

/** A whole CSV document: the header line, then one line per row, each ended by CR LF (RFC 4180). */
export function csvTable(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
