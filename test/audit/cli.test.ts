/**
 * The audit commands, registered on a commander program built here (as main.ts will) over a SQLite store:
 * verify (plain and --json, exit code 1 when broken), export, and the offline verify-export.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import type { AuditTrail } from '../../src/audit/trail.js';
import type { AuditExport, AuditVerdict } from '../../src/audit/verify.js';
import { registerAuditCommands } from '../../src/cli/audit.js';
import { checkpointData } from '../../src/audit/canonical.js';
import { KeyCheckpointSigner } from '../../src/audit/checkpoint-signer.js';
import { checkpointSigners } from '../../src/signature/pki/checkpoint-signers.js';
import { createPrivateKey } from 'node:crypto';
import { captureStdout } from '../support/stdout.js';
import { useStore } from '../support/store.js';
import { sampleEntry, sampleTrust, seededTrail } from './support.js';

const sampleSigners = () =>
  checkpointSigners(sampleTrust(), [readFileSync('certs-sample/gateway.crt.pem', 'utf8')]);

describe('audit CLI commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smev-audit-cli-'));
  const store = useStore('sqlite', { prefix: 'audit' });
  let trail: AuditTrail;
  let opened = 0;
  let closed = 0;
  const configs: (string | undefined)[] = [];

  before(async () => {
    trail = await seededTrail(store, 35);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    process.exitCode = undefined;
  });

  /** Runs `smev-gateway <args>` and returns what it printed and the exit code it set. */
  async function run(...args: string[]): Promise<{ stdout: string; exitCode: number }> {
    const program = new Command().exitOverride();
    registerAuditCommands(program, async (configFile) => {
      opened++;
      configs.push(configFile);
      return { store, trail, checkpointSigners: sampleSigners(), close: async () => void closed++ };
    });
    process.exitCode = undefined;
    const stdout = await captureStdout(() => program.parseAsync(args, { from: 'user' }));
    const exitCode = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    return { stdout, exitCode };
  }

  it('audit verify prints a summary and exits 0 on an intact trail; --json prints the verdict', async () => {
    const plain = await run('audit', 'verify', '--config', 'gateway.json');
    expect(plain).to.deep.equal({ stdout: 'entries: 35\ncheckpoints: 4\nverdict: intact\n', exitCode: 0 });
    expect(configs.at(-1)).to.equal('gateway.json');
    expect(closed).to.equal(opened);
    const json = await run('audit', 'verify', '--json');
    expect(JSON.parse(json.stdout)).to.deep.equal({ ok: true, entries: 35, checkpoints: 4, problems: [] });
  });

  it('audit verify names the first broken entry and exits 1', async () => {
    const row = await store.db
      .selectFrom('audit_entries')
      .select('after_json')
      .where('seq', '=', 17)
      .executeTakeFirstOrThrow();
    await store.db
      .updateTable('audit_entries')
      .set({ after_json: '{"forged":true}' })
      .where('seq', '=', 17)
      .execute();
    try {
      const plain = await run('audit', 'verify');
      expect(plain.exitCode).to.equal(1);
      expect(plain.stdout).to.contain('verdict: BROKEN\n');
      expect(plain.stdout).to.contain('first broken entry: 17: entry 17 does not match its hash');
      const json = await run('audit', 'verify', '--json');
      expect(json.exitCode).to.equal(1);
      expect((JSON.parse(json.stdout) as AuditVerdict).firstBroken?.seq).to.equal(17);
    } finally {
      await store.db
        .updateTable('audit_entries')
        .set({ after_json: row.after_json })
        .where('seq', '=', 17)
        .execute();
    }
    expect((await run('audit', 'verify')).exitCode).to.equal(0);
  });

  it('audit export writes a file that audit verify-export checks offline, and names tampering in it', async () => {
    const file = join(dir, 'trail.json');
    const exported = await run('audit', 'export', '--out', file);
    expect(exported).to.deep.equal({
      stdout: `exported 35 entries and 4 checkpoints to ${file}\n`,
      exitCode: 0,
    });

    const before = opened;
    const offline = await run('audit', 'verify-export', file, '--ca', 'certs-sample/ca.crt.pem');
    expect(offline.exitCode).to.equal(0);
    expect(offline.stdout).to.match(
      /^entries: 35\ncheckpoints: 4\nverdict: intact\ncomplete: from entry 1 through entry 35 \(signed [^,]+, exported [^)]+\); entries after it are not proven absent\n$/,
    );
    expect(opened, 'verify-export opens no database').to.equal(before);
    expect((await run('audit', 'verify-export', file)).exitCode, 'default: the sample CA and CRL').to.equal(
      0,
    );

    const tampered = JSON.parse(readFileSync(file, 'utf8')) as AuditExport;
    const entry = tampered.entries.find((e) => e.seq === 23);
    if (!entry) throw new Error('no entry 23');
    entry.actor = 'somebody-else';
    const bad = join(dir, 'tampered.json');
    writeFileSync(bad, JSON.stringify(tampered));
    const broken = await run('audit', 'verify-export', bad, '--json');
    expect(broken.exitCode).to.equal(1);
    expect((JSON.parse(broken.stdout) as AuditVerdict).firstBroken?.seq).to.equal(23);

    writeFileSync(bad, '{ not json');
    const unreadable = await run('audit', 'verify-export', bad);
    expect(unreadable.exitCode).to.equal(1);
    expect(unreadable.stdout).to.contain('verdict: BROKEN');
  });

  it("audit verify-export refuses checkpoints re-signed with a registered system's certificate from the same CA", async () => {
    const file = join(dir, 'trail.json');
    const forged = JSON.parse(readFileSync(file, 'utf8')) as AuditExport;
    // DEMO_CONSUMER's certificate chains to the sample CA like the gateway's: a chain check alone would accept it.
    const system = new KeyCheckpointSigner(
      createPrivateKey(readFileSync('certs-sample/DEMO_CONSUMER.key.pem', 'utf8')),
      readFileSync('certs-sample/DEMO_CONSUMER.crt.pem', 'utf8'),
    );
    for (const checkpoint of forged.checkpoints) {
      const signed = system.sign(checkpointData(checkpoint.seq, checkpoint.head_hash, checkpoint.at));
      Object.assign(checkpoint, {
        algorithm: signed.algorithm,
        signature: signed.signature,
        certificate: signed.certificatePem,
      });
    }
    const bad = join(dir, 'resigned.json');
    writeFileSync(bad, JSON.stringify(forged));
    const result = await run('audit', 'verify-export', bad, '--json');
    expect(result.exitCode).to.equal(1);
    const verdict = JSON.parse(result.stdout) as AuditVerdict;
    expect(verdict.firstBroken?.seq).to.equal(10);
    expect(verdict.firstBroken?.problem).to.contain("not signed with one of the gateway's certificates");
    const named = await run(
      'audit',
      'verify-export',
      bad,
      '--gateway-cert',
      'certs-sample/DEMO_CONSUMER.crt.pem',
    );
    expect(named.exitCode, 'the certificate the auditor names is the one pinned').to.equal(0);
  });

  it('audit verify-export refuses checkpoints whose certificate does not chain to the given CA', async () => {
    const file = join(dir, 'trail.json');
    // A CA that did not issue the gateway certificate: the sample's gateway certificate is then untrusted.
    const { createRootCa } = await import('../../src/sample-pki/issue.js');
    const other = createRootCa({ commonName: 'Other CA', years: 1 });
    writeFileSync(join(dir, 'other-ca.pem'), other.certPem);
    const result = await run('audit', 'verify-export', file, '--ca', join(dir, 'other-ca.pem'), '--json');
    expect(result.exitCode).to.equal(1);
    const verdict = JSON.parse(result.stdout) as AuditVerdict;
    expect(verdict.firstBroken?.seq).to.equal(10);
    expect(verdict.firstBroken?.problem).to.match(/untrusted certificate/);
  });

  it("audit verify-export checks against the configured gateway's certificates, not the published sample key", async () => {
    // A trail signed with certs-sample/gateway.key.pem, whose key anyone has; the gateway is configured with others.
    const file = join(dir, 'trail.json');
    const config = join(dir, 'own-pki.json');
    writeFileSync(
      config,
      JSON.stringify({
        samples: false,
        pki: {
          trustedCaFiles: ['certs-sample/gost/ca.crt.pem'],
          crlFiles: ['certs-sample/gost/ca.crl.pem'],
          gatewayCertificate: 'certs-sample/gost/gateway.crt.pem',
          gatewayKey: 'certs-sample/gost/gateway.key.pem',
        },
      }),
    );
    const configured = await run('audit', 'verify-export', file, '-c', config, '--json');
    expect(configured.exitCode).to.equal(1);
    expect((JSON.parse(configured.stdout) as AuditVerdict).firstBroken?.problem).to.match(
      /untrusted certificate|not signed with one of the gateway's certificates/,
    );
    // The configuration the other commands find without -c.
    const saved = process.env['SMEV_GATEWAY_CONFIG'];
    process.env['SMEV_GATEWAY_CONFIG'] = config;
    try {
      expect((await run('audit', 'verify-export', file)).exitCode).to.equal(1);
    } finally {
      if (saved === undefined) delete process.env['SMEV_GATEWAY_CONFIG'];
      else process.env['SMEV_GATEWAY_CONFIG'] = saved;
    }
    // Certificates named on the command line still take the configured ones' place.
    const named = await run(
      'audit',
      'verify-export',
      file,
      '-c',
      config,
      '--ca',
      'certs-sample/ca.crt.pem',
      '--gateway-cert',
      'certs-sample/gateway.crt.pem',
    );
    expect(named.exitCode).to.equal(0);
  });
  // Last: it leaves the trail one entry longer.
  it('audit verify says UNPROVEN, not BROKEN, when only entries after the last checkpoint are unproven', async () => {
    await store.db.transaction().execute((trx) => trail.append(trx, sampleEntry(36)));
    const plain = await run('audit', 'verify');
    expect(plain.exitCode).to.equal(1);
    expect(plain.stdout).to.contain('verdict: UNPROVEN\n');
    expect(plain.stdout).to.not.contain('BROKEN');
  });
});
