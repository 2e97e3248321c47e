/**
 * Progress on a terminal: the reporter draws one line per phase in place, with count, total, share and rate, only
 * when its stream is a terminal; and the long commands (audit verify, backup) feed it while they work.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import fc from 'fast-check';
import type { AuditTrail } from '../../src/audit/trail.js';
import { registerAuditCommands } from '../../src/cli/audit.js';
import { registerBackupCommands } from '../../src/cli/backup.js';
import { registerLogCommands } from '../../src/cli/log.js';
import { loadConfig } from '../../src/config/config.js';
import { startGateway } from '../../src/gateway.js';
import { Progress, progressOutput, type ProgressStream } from '../../src/cli/progress.js';
import { checkpointSigners } from '../../src/signature/pki/checkpoint-signers.js';
import { sampleTrust, seededTrail } from '../audit/support.js';
import { captureStdout } from '../support/stdout.js';
import { useStore } from '../support/store.js';
import { post, signedCall, type TestGateway } from '../support/gateway.js';
import { caseProgress } from '../fuzz/support.js';

class FakeStream implements ProgressStream {
  text = '';
  constructor(readonly isTTY: boolean | undefined) {}
  write(text: string): boolean {
    this.text += text;
    return true;
  }
}

/** The lines as a terminal would show them at the end: each `\r` starts the line again. */
const screen = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => (line.split('\r').at(-1) ?? '').replaceAll('\u001b[K', ''))
    .filter((line) => line !== '');

describe('cli: progress on a terminal', () => {
  it('redraws one line in place, at most once an interval, and always draws the end', () => {
    const stream = new FakeStream(true);
    let now = 0;
    const progress = new Progress({ stream, now: () => now, intervalMs: 100 });
    const tick = progress.phase('verifying records');
    for (let done = 0; done <= 2000; done++) {
      now = done; // 1 ms a record: 1,000 records a second
      tick(done, 2000);
    }
    progress.end();
    const draws = stream.text.split('\r').length - 1;
    expect(draws).to.be.within(19, 23);
    expect(stream.text.endsWith('\n')).to.equal(true);
    expect(screen(stream.text)).to.deep.equal(['verifying records: 2,000/2,000 (100%), 1,000/s']);
  });

  it('ends a phase’s line when the next phase begins', () => {
    const stream = new FakeStream(true);
    let now = 0;
    const progress = new Progress({ stream, now: () => now });
    progress.phase('copying pages')(10, 10);
    now = 1000;
    progress.update('verifying the audit trail', 5, 50);
    now = 2000;
    progress.update('verifying the audit trail', 50, 50);
    progress.end();
    expect(screen(stream.text)).to.deep.equal([
      'copying pages: 10/10 (100%)', // drawn as it was when the phase ended, in no time: no rate
      'verifying the audit trail: 50/50 (100%), 50/s',
    ]);
  });

  it('writes nothing when the stream is no terminal', () => {
    for (const isTTY of [false, undefined]) {
      const stream = new FakeStream(isTTY);
      const progress = new Progress({ stream });
      progress.phase('verifying records')(1, 2);
      progress.phase('verifying records')(2, 2);
      progress.end();
      expect(stream.text, String(isTTY)).to.equal('');
    }
  });

  it('shows the cases of a fuzz property in the long run', () => {
    const stream = new FakeStream(true);
    fc.assert(
      fc.property(fc.integer(), (n) => Number.isInteger(n)),
      { numRuns: 50, plugins: [caseProgress(50, stream)] },
    );
    expect(screen(stream.text)).to.have.length(1);
    expect(screen(stream.text)[0]).to.match(/^fuzz cases: 50\/50 \(100%\)/);
    const pipe = new FakeStream(false);
    fc.assert(
      fc.property(fc.integer(), (n) => Number.isInteger(n)),
      { numRuns: 50, plugins: [caseProgress(50, pipe)] },
    );
    expect(pipe.text).to.equal('');
  });

  describe('the commands that feed it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smev-progress-'));
    const original = progressOutput.stream;
    const store = useStore('sqlite', { prefix: 'audit' });
    let trail: AuditTrail;

    before(async () => {
      trail = await seededTrail(store, 25);
    });
    after(() => {
      progressOutput.stream = original;
      rmSync(dir, { recursive: true, force: true });
    });
    afterEach(() => {
      progressOutput.stream = original;
      process.exitCode = undefined;
    });

    /** Runs a command in this process, its stdout captured, its progress sent to `stream`. */
    async function run(program: Command, stream: ProgressStream, ...args: string[]): Promise<string> {
      progressOutput.stream = stream;
      return captureStdout(() => program.exitOverride().parseAsync(args, { from: 'user' }));
    }

    const auditProgram = () => {
      const program = new Command();
      registerAuditCommands(program, async () => ({
        store,
        trail,
        checkpointSigners: checkpointSigners(sampleTrust(), [
          readFileSync('certs-sample/gateway.crt.pem', 'utf8'),
        ]),
        close: async () => undefined,
      }));
      return program;
    };

    it('audit verify shows its entries on a terminal and prints the same verdict either way', async () => {
      const terminal = new FakeStream(true);
      const shown = await run(auditProgram(), terminal, 'audit', 'verify');
      expect(screen(terminal.text)).to.have.length(1);
      expect(screen(terminal.text)[0]).to.match(/^verifying entries: 25\/25 \(100%\)/);
      const pipe = new FakeStream(false);
      const piped = await run(auditProgram(), pipe, 'audit', 'verify');
      expect(pipe.text).to.equal('');
      expect(piped).to.equal(shown).and.equal('entries: 25\ncheckpoints: 3\nverdict: intact\n');
    });

    it('log verify and backup show the records, pages and entries they go through', async function () {
      this.timeout(120_000);
      const sqliteFile = join(dir, 'gateway.db');
      const gateway = await startGateway(
        loadConfig({
          env: {},
          overrides: { port: 0, logLevel: 'error', 'store.sqliteFile': sqliteFile },
        }),
        { silent: true },
      );
      try {
        for (let i = 0; i < 3; i++) {
          const answer = await post(
            { ...gateway, endpoint: `${gateway.url}/ws` } as TestGateway,
            signedCall().xml,
          );
          expect(answer.status).to.equal(200);
        }
        await gateway.checkpoint();
      } finally {
        await gateway.stop();
      }
      const config = join(dir, 'gateway.json');
      writeFileSync(config, JSON.stringify({ store: { sqliteFile } }));

      const verifying = new FakeStream(true);
      const log = new Command();
      registerLogCommands(log);
      expect(await run(log, verifying, 'log', 'verify', '--config', config)).to.include('verdict: intact');
      expect(screen(verifying.text)).to.have.length(1);
      expect(screen(verifying.text)[0]).to.match(/^verifying records: (\d+)\/\1 \(100%\)/);

      const copying = new FakeStream(true);
      const backup = new Command();
      registerBackupCommands(backup);
      const stdout = await run(backup, copying, 'backup', '--out', join(dir, 'copy.db'), '--config', config);
      expect(stdout).to.match(/message log: \d+ records, intact/);
      const lines = screen(copying.text);
      expect(lines).to.have.length(3);
      expect(lines[0]).to.match(/^copying pages: (\d+)\/\1 \(100%\)/);
      expect(lines[1]).to.match(/^verifying the message log: (\d+)\/\1 \(100%\)/);
      expect(lines[2]).to.match(/^verifying the audit trail: (\d+)\/\1 \(100%\)/);
    });
  });
});
