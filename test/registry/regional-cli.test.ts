/**
 * The regional registry commands as an operator runs them (`node dist/src/cli/main.js …`), on a SQLite file and
 * on a PostgreSQL schema of their own: agreements, late changes, route applications, block requests and reference
 * books.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORES, testStores } from '../support/store.js';
import { dayBefore, sampleApplication } from './support.js';

for (const store of STORES) {
  describe(`regional registry commands (${store})`, function () {
    this.timeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), 'smev-regional-cli-'));
    const made = testStores(store, 'cli');
    const options = made.fresh();
    const { sqliteFile, databaseUrl, schema } = options;
    const env: Record<string, string> = databaseUrl
      ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema ?? '' }
      : { SQLITE_FILE: sqliteFile ?? '' };

    const cli = (...args: string[]) => {
      const run = spawnSync(process.execPath, ['dist/src/cli/main.js', ...args], {
        encoding: 'utf8',
        env: { ...process.env, LOG_LEVEL: 'error', DATABASE_URL: '', ...env },
        timeout: 60_000,
      });
      return { status: run.status, stdout: run.stdout, stderr: run.stderr };
    };
    const json = (...args: string[]) => {
      const run = cli(...args, '--json');
      expect(run.status, run.stderr).to.equal(0);
      return JSON.parse(run.stdout) as Record<string, unknown> & Array<Record<string, unknown>>;
    };
    const file = (name: string, content: string | Buffer) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };

    before(async () => {
      // The commands work on a store the gateway made; they never make one themselves.
      await (await made.open(options)).close();
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await made.cleanup();
    });

    it('records an agreement before a state body is activated, and lists a late change', () => {
      const application = sampleApplication(store === 'sqlite' ? 4000 : 5000, { kind: 'state-body' });
      const id = json('participants', 'apply', file('app.json', JSON.stringify(application))).id as string;
      json('participants', 'check', id);
      json('participants', 'register', id);
      const refused = cli('participants', 'activate', id);
      expect(refused.status).to.equal(1);
      expect(refused.stderr).to.contain('interaction agreement');
      const pdf = file('agreement.pdf', '%PDF-1.4\n%%EOF\n');
      const recorded = json(
        'participants',
        'agreement',
        id,
        pdf,
        '--number',
        '7-СМЭВ',
        '--signed-on',
        '2026-11-02',
      );
      expect(recorded).to.include({
        number: '7-СМЭВ',
        fileName: 'agreement.pdf',
        mediaType: 'application/pdf',
      });
      expect(json('participants', 'activate', id).status).to.equal('active');
      // A change reported five days after it took effect is late.
      const changed = file('changed.json', JSON.stringify({ ...application, address: 'Another address' }));
      const late = json('participants', 'update', id, changed, '--changed-on', dayBefore(new Date(), 5));
      expect(late.change).to.deep.include({ late: true });
      expect(json('participants', 'changes', '--late').map((c) => c.participantId)).to.include(id);
    });

    it('applies for a route and approves it, once', () => {
      const namespace = 'urn://smev-gateway/services/ping/1.0';
      const applied = json(
        'routes',
        'apply',
        '--consumer',
        'PORTAL_26',
        '--namespace',
        namespace,
        '--local-name',
        'CliPingRequest',
        '--recipient',
        'SOCPROTECT_47',
      );
      expect(applied.status).to.equal('applied');
      const approved = json('routes', 'approve', applied.id as string, '--provider', 'builtin:ping');
      expect(approved.status).to.equal('approved');
      expect(json('routes', 'list').map((r) => r.id)).to.include(approved.routeId);
      const declined = cli('routes', 'decline', approved.id as string, '--reason', 'too late');
      expect(declined.stderr).to.contain('already approved');
    });

    it('requests a block, has it approved by the authorised body under another name, and lifts it', () => {
      const application = sampleApplication(store === 'sqlite' ? 4500 : 5500);
      const id = json('participants', 'apply', file('blocked.json', JSON.stringify(application)))
        .id as string;
      json('participants', 'check', id);
      json('participants', 'register', id);
      json('participants', 'activate', id);
      const mnemonic = `CLI_BLOCK_${store.toUpperCase()}`;
      json('systems', 'add', id, mnemonic, 'System under review');
      const request = json(
        'blocks',
        'request',
        id,
        '--reason',
        'нарушение правил безопасности',
        '--actor',
        'duty-operator',
      );
      expect(request).to.include({ status: 'requested', requestedBy: 'duty-operator' });
      const own = cli('blocks', 'approve', request.id as string, '--actor', 'duty-operator');
      expect(own.status).to.equal(1);
      expect(own.stderr).to.contain('someone other');
      const approved = json('blocks', 'approve', request.id as string, '--actor', 'security-body');
      expect(approved).to.include({ status: 'approved', decidedBy: 'security-body' });
      expect(json('participants', 'show', id).status).to.equal('blocked');
      expect(json('systems', 'list').find((s) => s.mnemonic === mnemonic)?.status).to.equal('blocked');
      expect(json('blocks', 'list', '--status', 'approved').map((r) => r.id)).to.include(request.id);
      const lifted = json(
        'blocks',
        'lift',
        request.id as string,
        '--reason',
        'устранено',
        '--actor',
        'security-body',
      );
      expect(lifted.status).to.equal('lifted');
      expect(json('participants', 'show', id).status).to.equal('active');
      expect(json('systems', 'list').find((s) => s.mnemonic === mnemonic)?.status).to.equal('active');
      const again = json('blocks', 'request', id, '--reason', 'повторно', '--actor', 'duty-operator');
      const declined = json(
        'blocks',
        'decline',
        again.id as string,
        '--reason',
        'не подтвердилось',
        '--actor',
        'security-body',
      );
      expect(declined.status).to.equal('declined');
      expect(json('participants', 'show', id).status).to.equal('active');
    });

    it('edits a reference book, scopes a coordinator token to its spheres, and prints the card use report', () => {
      const before = json('books', 'show', 'spheres');
      const set = json('books', 'set', 'spheres', 'tourism', '--title', 'Туризм');
      expect(set.version).to.equal((before.version as number) + 1);
      const token = json(
        'tokens',
        'create',
        '--name',
        'tourism',
        '--role',
        'coordinator',
        '--spheres',
        'tourism,health',
      );
      expect(token.spheres).to.deep.equal(['tourism', 'health']);
      const report = cli(
        'reports',
        'cards',
        '--from',
        '2020-01-01T00:00:00Z',
        '--to',
        '2020-02-01T00:00:00Z',
        '--csv',
      );
      expect(report.status, report.stderr).to.equal(0);
      expect(report.stdout).to.equal(
        '"connection_point","connected","blocked","unblocked","deregistered"\r\n',
      );
    });
  });
}
