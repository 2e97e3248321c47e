/**
 * CLI tables are for copying from: no cell is cut, so a thumbprint taken from `certs list` works in
 * `certs withdraw`; `participants show` lists a participant's transitions and systems without `--json`.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { table } from '../../src/cli/output.js';
import { openStore } from '../../src/store/store.js';
import { runCli } from './support.js';

/** The rows of a printed table, as the header names them. */
function rowsOf(text: string): Record<string, string>[] {
  const [header, rule, ...lines] = text.trimEnd().split('\n');
  const starts = [...(rule ?? '').matchAll(/-+/g)].map((m) => m.index);
  const names = starts.map((start, i) => (header ?? '').slice(start, starts[i + 1]).trim());
  return lines.map((line) =>
    Object.fromEntries(names.map((name, i) => [name, line.slice(starts[i], starts[i + 1]).trim()])),
  );
}

describe('CLI tables', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'smev-cli-tables-'));
  const env = { SQLITE_FILE: join(dir, 'gateway.db') };

  before(async () => (await openStore({ sqliteFile: env.SQLITE_FILE })).close());
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('never cuts a cell, however long', () => {
    const long = 'x'.repeat(300);
    const rows = rowsOf(
      table([
        { id: long, note: 'short' },
        { id: 'a', note: long },
      ]),
    );
    expect(rows).to.deep.equal([
      { id: long, note: 'short' },
      { id: 'a', note: long },
    ]);
  });

  it('a thumbprint copied from certs list withdraws that certificate', async () => {
    const listed = await runCli(['certs', 'list', 'PORTAL_26'], { cwd: dir, env });
    expect(listed.code, listed.stderr).to.equal(0);
    const [certificate] = rowsOf(listed.stdout);
    expect(certificate?.thumbprint).to.match(/^[0-9a-f]{64}$/);
    const withdrawn = await runCli(['certs', 'withdraw', 'PORTAL_26', certificate?.thumbprint ?? ''], {
      cwd: dir,
      env,
    });
    expect(withdrawn.code, withdrawn.stderr).to.equal(0);
    const after = rowsOf((await runCli(['certs', 'list', 'PORTAL_26'], { cwd: dir, env })).stdout);
    expect(after[0]?.status).to.equal('withdrawn');
  });

  it('participants show lists transitions and systems without --json', async () => {
    const participants = JSON.parse(
      (await runCli(['participants', 'list', '--json'], { cwd: dir, env })).stdout,
    ) as { id: string; shortName: string }[];
    const demo = participants.find((p) => p.shortName === 'DEMO_CONSUMER');
    const shown = await runCli(['participants', 'show', demo?.id ?? ''], { cwd: dir, env });
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.match(new RegExp(`^id\\s+${demo?.id}$`, 'm'));
    expect(shown.stdout).to.match(/^contact\.email\s+contact@example\.org$/m);
    const [, transitions = '', systems = ''] = shown.stdout.split(/\n(?:transitions|systems):\n/);
    expect(rowsOf(transitions).map((t) => t.to_status)).to.deep.equal([
      'submitted',
      'checked',
      'registered',
      'active',
    ]);
    expect(rowsOf(systems)).to.deep.equal([
      { mnemonic: 'DEMO_CONSUMER', name: 'Demo Consumer Agency (sample)', status: 'active' },
    ]);
  });
});
