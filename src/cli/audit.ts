/**
 * Audit trail commands: `audit verify` walks the trail in the configured store, `audit export` writes it to one
 * JSON file, `audit verify-export` checks such a file offline (no database) against trusted CA certificates.
 * A broken trail sets exit code 1. Output is plain lines, or the verdict as JSON with `--json`.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import type { AuditTrail } from '../audit/trail.js';
import { onlyUnproven, verifyAuditExport, type AuditVerdict } from '../audit/verify.js';
import { checkpointSigners, type CertificateCheck } from '../signature/pki/checkpoint-signers.js';
import { TrustStore } from '../signature/pki/trust-store.js';
import { loadCheckpointSigners, loadTrustStore } from '../signature/setup.js';
import type { Store } from '../store/store.js';
import { noteSampleGatewayCertificate } from './context.js';
import { collect, print, printLines } from './output.js';
import { withProgress } from './progress.js';

export interface AuditCliContext {
  store: Store;
  trail: AuditTrail;
  checkpointSigners: CertificateCheck;
  close(): Promise<void>;
}

function report(verdict: AuditVerdict, json: boolean | undefined): void {
  if (!verdict.ok) process.exitCode = 1;
  if (json) return print(verdict, true);
  printLines(`entries: ${verdict.entries}`, `checkpoints: ${verdict.checkpoints}`);
  if (verdict.ok) {
    printLines('verdict: intact');
    const through = verdict.provenThrough;
    // An export is proven from genesis to its last checkpoint; that nothing came after cannot be read from it.
    if (through)
      printLines(
        `complete: from entry 1 through entry ${through.seq} (signed ${through.signedAt}` +
          `${through.exportedAt ? `, exported ${through.exportedAt}` : ''}); entries after it are not proven absent`,
      );
    return;
  }
  printLines(`verdict: ${onlyUnproven(verdict) ? 'UNPROVEN' : 'BROKEN'}`);
  if (verdict.firstBroken)
    printLines(`first broken entry: ${verdict.firstBroken.seq}: ${verdict.firstBroken.problem}`);
  printLines(`problems: ${verdict.problems.length}`, ...verdict.problems.map((problem) => `  ${problem}`));
}

/**
 * Adds `audit verify`, `audit export` and `audit verify-export` to `program`. `openContext` opens the configured
 * store, trust store and trail; it gets the `--config` file when one is given.
 */
export function registerAuditCommands(
  program: Command,
  openContext: (configFile?: string) => Promise<AuditCliContext>,
): void {
  const audit = program.command('audit').description('the tamper-evident audit trail of registry changes');

  const withContext = async <T>(
    configFile: string | undefined,
    work: (ctx: AuditCliContext) => Promise<T>,
  ): Promise<T> => {
    const ctx = await openContext(configFile);
    try {
      return await work(ctx);
    } finally {
      await ctx.close();
    }
  };

  audit
    .command('verify')
    .description('walk the whole trail: hashes, links, contiguous seqs, the head and every signed checkpoint')
    .option('-c, --config <file>', 'JSON configuration file')
    .option('--json', 'print the verdict as JSON')
    .action(async (options: { config?: string; json?: boolean }) => {
      const verdict = await withContext(options.config, (ctx) =>
        withProgress((progress) =>
          ctx.trail.verify(ctx.checkpointSigners, progress.phase('verifying entries')),
        ),
      );
      report(verdict, options.json);
    });

  audit
    .command('export')
    .description('write the trail (entries, checkpoints and their certificates) to one JSON file')
    .requiredOption('-o, --out <file>', 'the file to write')
    .option('-c, --config <file>', 'JSON configuration file')
    .option('--json', 'print the counts as JSON')
    .action(async (options: { out: string; config?: string; json?: boolean }) => {
      const counts = await withContext(options.config, (ctx) =>
        withProgress((progress) => ctx.trail.export(options.out, progress.phase('exporting entries'))),
      );
      if (options.json) print({ file: options.out, ...counts }, true);
      else
        printLines(
          `exported ${counts.entries} entries and ${counts.checkpoints} checkpoints to ${options.out}`,
        );
    });

  audit
    .command('verify-export')
    .description('check an exported trail offline, with no database')
    .argument('<file>', 'a file written by `audit export`')
    .option(
      '-c, --config <file>',
      "the configuration naming the gateway's certificates, trusted CAs and CRLs (no store is opened)",
    )
    .option('--ca <file>', 'trusted CA certificate (repeatable; default: the configured ones)', collect, [])
    .option(
      '--crl <file>',
      'CRL (repeatable; default: the configured ones when --ca is not given)',
      collect,
      [],
    )
    .option(
      '--gateway-cert <file>',
      "the gateway's certificate, the only signer checkpoints may have (repeatable; default: the configured ones)",
      collect,
      [],
    )
    .option('--json', 'print the verdict as JSON')
    .action(
      (
        file: string,
        options: { config?: string; ca: string[]; crl: string[]; gatewayCert: string[]; json?: boolean },
      ) => {
        // The checkpoints are checked against certificates from outside the export, those of the gateway's own
        // configuration: a default of the published sample key would accept a trail anyone re-signed with it.
        const config = loadConfig({ file: options.config });
        const read = (f: string) => readFileSync(f, 'utf8');
        // CAs given replace the configured ones, CRLs given the configured CRLs.
        const trust =
          options.ca.length || options.crl.length
            ? TrustStore.fromPem(
                (options.ca.length ? options.ca : config.pki.trustedCaFiles).map(read),
                (options.crl.length || options.ca.length ? options.crl : config.pki.crlFiles).map(read),
              )
            : loadTrustStore(config);
        const signers = options.gatewayCert.length
          ? checkpointSigners(trust, options.gatewayCert.map(read))
          : loadCheckpointSigners(config, trust);
        if (!options.gatewayCert.length) noteSampleGatewayCertificate(config);
        let parsed: unknown;
        try {
          parsed = JSON.parse(readFileSync(file, 'utf8'));
        } catch (error) {
          report(
            {
              ok: false,
              entries: 0,
              checkpoints: 0,
              problems: [`cannot read ${file}: ${(error as Error).message}`],
            },
            options.json,
          );
          return;
        }
        report(verifyAuditExport(parsed, signers), options.json);
      },
    );
}
