/**
 * CLI output: plain tables and lines for people, or JSON with `--json` for scripts. Cells are never cut, so an
 * identifier copied from a table (a thumbprint, an id) works in the next command. Everything a command prints goes
 * through here, made printable (core/printable.ts): what it shows may come from the store, an archive or the network.
 */
import { printable, printableJson, printableText } from '../core/printable.js';

type Row = Record<string, unknown>;

const cell = (value: unknown): string =>
  value === null || value === undefined ? '' : printable(String(value));

/** Scalar fields of a row; nested objects become dotted fields (`contact.phone`), lists are left to the caller. */
function flatten(row: Row, prefix = ''): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(row)) {
    if (Array.isArray(value)) continue;
    if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
      Object.assign(flat, flatten(value as Row, `${prefix}${printable(key)}.`));
    } else flat[`${prefix}${printable(key)}`] = cell(value);
  }
  return flat;
}

export function table(rows: readonly Row[]): string {
  if (rows.length === 0) return '(none)\n';
  const flat = rows.map((row) => flatten(row));
  const columns = [...new Set(flat.flatMap((row) => Object.keys(row)))];
  const widths = columns.map((c) => Math.max(c.length, ...flat.map((row) => (row[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((text, i) => text.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...flat.map((row) => line(columns.map((c) => row[c] ?? ''))),
  ]
    .map((text) => `${text}\n`)
    .join('');
}

/** One record with lists (a participant with its transitions and systems): its fields, then a table per list. */
function record(row: Row): string {
  const flat = flatten(row);
  const width = Math.max(...Object.keys(flat).map((key) => key.length));
  const fields = Object.entries(flat).map(
    ([key, value]) => `${key.padEnd(width)}  ${value}`.trimEnd() + '\n',
  );
  const lists = Object.entries(row)
    .filter((entry): entry is [string, Row[]] => Array.isArray(entry[1]))
    .map(([key, items]) => `\n${printable(key)}:\n${table(items)}`);
  return fields.join('') + lists.join('');
}

export function print(value: unknown, json: boolean | undefined): void {
  if (json) return void process.stdout.write(`${printableJson(JSON.stringify(value, null, 2))}\n`);
  if (Array.isArray(value)) return void process.stdout.write(table(value as Row[]));
  const row = value as Row;
  const hasLists = Object.values(row).some(Array.isArray);
  process.stdout.write(hasLists ? record(row) : table([row]));
}

/** Lines on stdout, each one line whatever it holds: a line break or escape in a value is shown, never acted on. */
export const printLines = (...lines: readonly string[]): void => writeLines(process.stdout, lines);

/** Lines on stderr (a mistake, a note on the side), as printLines. */
export const printNote = (...lines: readonly string[]): void => writeLines(process.stderr, lines);

function writeLines(stream: NodeJS.WritableStream, lines: readonly string[]): void {
  if (lines.length > 0) stream.write(lines.map((line) => `${printable(line)}\n`).join(''));
}

/** A document (an XML payload, CSV, a stack), its lines and tabs kept and nothing else acting on the terminal. */
export function printText(text: string, stream: NodeJS.WritableStream = process.stdout): void {
  stream.write(printableText(text));
}

/**
 * A document written exactly, for saving: the signed request of `request` (or `send --print-request`). Escaping
 * would change what is signed; it is the person's own payload, signed as it is.
 */
export function printDocument(text: string, stream: NodeJS.WritableStream = process.stdout): void {
  stream.write(`${text}\n`);
}

/** commander's accumulator for a repeatable option (`--ca a --ca b`). */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];
