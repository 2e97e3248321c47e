/**
 * What the command line prints from the store, an archive or the network cannot act on the terminal: a control
 * character in it (an escape sequence, a line break, a bidirectional override) is shown as an escape, so an archive
 * cannot forge verdict lines or hide the real one, and a registry value cannot redraw the operator's screen. With
 * `--json` the same values come back as they are once parsed.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printable, printableJson, printableText } from '../../src/core/printable.js';
import { sha256Hex, type MessageRecord } from '../../src/messagelog/record.js';
import { openStore } from '../../src/store/store.js';
import { firstRecord } from '../messagelog/support.js';
import { runCli } from './support.js';
import { storeRouteApplication } from '../registry/support.js';

/** Whatever of these reaches a terminal acts on it: ESC (CSI, OSC), C1 CSI, BEL, CR, LF, RLO. */
// eslint-disable-next-line no-control-regex
const ACTING = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Cursor up, clear the screen, forged lines, then SGR 8 (conceal) over what follows. */
const FORGED =
  '\u001b[5A\u001b[0Jgw #1: ok\nrecords: 1\ncheckpoints: 1\nverdict: intact\n\u001b[8m\u009b2J\u202e\r';

describe('CLI output from elsewhere', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'smev-cli-terminal-'));
  const env = { SQLITE_FILE: join(dir, 'gateway.db') };
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('shows each control character as an escape, and keeps the line breaks of a document printed whole', () => {
    expect(printable('a\u001b[2Jb\nc\td\u009b\u202e\u2028')).to.equal(
      'a\\x1b[2Jb\\x0ac\\x09d\\x9b\\u202e\\u2028',
    );
    expect(printable('Пространство имён urn://x/1.0 \u200f')).to.equal(
      'Пространство имён urn://x/1.0 \u200f',
    );
    expect(printableText('<a>\n\t<b>x\u001b]0;t\u0007</b>\r\n</a>\rover')).to.equal(
      '<a>\n\t<b>x\\x1b]0;t\\x07</b>\r\n</a>\\x0dover',
    );
    const json = printableJson(JSON.stringify({ value: FORGED }, null, 2));
    expect(json).not.to.match(ACTING);
    expect(JSON.parse(json)).to.deep.equal({ value: FORGED });
  });

  it('log verify-archive: an instance id that forges lines and hides the verdict is printed on one line, inert', async () => {
    const record = archivedRecord(FORGED);
    const archive = {
      format: 'smev-gateway-message-log-archive',
      version: 1,
      exportedAt: new Date().toISOString(),
      range: { from: new Date(0).toISOString(), to: new Date().toISOString() },
      records: [record],
      checkpoints: [],
      trust: { certificates: [], crls: [] },
    };
    const file = join(dir, 'forged.json');
    writeFileSync(file, JSON.stringify(archive));

    const run = await runCli(['log', 'verify-archive', file], { cwd: dir, env });
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stdout).not.to.match(ACTING);
    expect(run.stdout).not.to.match(/^verdict: intact$/m);
    expect(run.stdout).not.to.match(/^records: 1$[\s\S]*^records: 1$/m);
    expect(run.stdout).to.match(/^verdict: UNPROVEN$/m);
    const [first] = run.stdout.split('\n');
    expect(first).to.equal(`${printable(FORGED)} #1: ok`);

    const json = await runCli(['log', 'verify-archive', '--json', file], { cwd: dir, env });
    expect(json.stdout).not.to.match(ACTING);
    const verdict = JSON.parse(json.stdout) as { perRecord: { instance: string }[] };
    expect(verdict.perRecord[0]?.instance).to.equal(FORGED);
  });

  it('routes applications: a namespace already in the store that redraws the screen is shown inert in the table and exact in JSON', async () => {
    const store = await openStore({ sqliteFile: env.SQLITE_FILE });
    try {
      // The store is seeded by the first command on it: the sample systems are then there.
      await runCli(['systems', 'list'], { cwd: dir, env });
      const namespace = `urn:x\u001b]0;owned-title\u0007\u001b[2J\u001b[H\u001b[32mALL ROUTE APPLICATIONS APPROVED\u001b[8m\n\u009b2J`;
      await storeRouteApplication(store, { namespace, localName: 'Hostile' });

      const table = await runCli(['routes', 'applications'], { cwd: dir, env });
      expect(table.code, table.stderr).to.equal(0);
      expect(table.stdout).not.to.match(ACTING);
      const [row] = table.stdout.split('\n').filter((line) => line.includes('Hostile'));
      expect(row).to.include(printable(namespace));
      expect(table.stdout.split('\n').filter((line) => line.includes('APPROVED'))).to.have.length(1);

      const json = await runCli(['routes', 'applications', '--json'], { cwd: dir, env });
      expect(json.stdout).not.to.match(ACTING);
      const listed = JSON.parse(json.stdout) as { localName: string; namespace: string }[];
      expect(listed.find((a) => a.localName === 'Hostile')?.namespace).to.equal(namespace);
    } finally {
      await store.close();
    }
  });
});

/** One archived record of a chain's start, hashed as the gateway hashes it: only unproven (no checkpoint). */
function archivedRecord(instance: string): MessageRecord {
  return firstRecord(instance, {
    fault_code: 'Client.MalformedXml',
    request_digest: sha256Hex('x'),
    answer_digest: sha256Hex('y'),
  });
}
