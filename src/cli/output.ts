/** CLI output: a plain table for people, or JSON with `--json` for scripts. */
export function print(value: unknown, json: boolean | undefined): void {
  if (json) return void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  const rows = Array.isArray(value) ? value : [value];
  if (rows.length === 0) return void process.stdout.write('(none)\n');
  const flat = rows.map((row) =>
    Object.fromEntries(
      Object.entries(row as Record<string, unknown>)
        .filter(([, v]) => typeof v !== 'object' || v === null)
        .map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]),
    ),
  );
  const columns = [...new Set(flat.flatMap((row) => Object.keys(row)))];
  const width = (c: string) => Math.min(60, Math.max(c.length, ...flat.map((row) => (row[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.slice(0, 60).padEnd(width(columns[i] as string)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns)}\n${line(columns.map((c) => '-'.repeat(width(c))))}\n`);
  for (const row of flat) process.stdout.write(`${line(columns.map((c) => row[c] ?? ''))}\n`);
}

/** commander's accumulator for a repeatable option (`--ca a --ca b`). */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];
