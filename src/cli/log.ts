/**
 * Message-log commands for auditors and operators: verify the chains in the store, export a time range into an
 * archive (verified, then registered for retention), verify an archive offline, and apply retention.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { exportArchive, verifyArchiveFile, type Archive } from '../messagelog/archive.js';
import { registerArchive } from '../messagelog/retention.js';
import { verifyStoredLog } from '../messagelog/store-verify.js';
import type { Completeness } from '../messagelog/completeness.js';
import { onlyUnproven, type ChainVerdict } from '../messagelog/verify.js';
import { loadConfig } from '../config/config.js';
import { checkpointSigners } from '../signature/pki/checkpoint-signers.js';
import { loadCheckpointSigners, loadTrustStore } from '../signature/setup.js';
import { bodySealerOf, timestampCheckOf } from '../messagelog/setup.js';
import { noteSampleGatewayCertificate, openCliContext } from './context.js';
import { CliError } from './inputs.js';
import { collect, print, printLines } from './output.js';
import { withProgress } from './progress.js';

function report(
  verdict: ChainVerdict & { completeness?: Completeness },
  json: boolean | undefined,
  perRecord: boolean,
): void {
  if (json) return print(verdict, true);
  if (perRecord) {
    printLines(
      ...verdict.perRecord.map(
        (record) =>
          `${record.instance} #${record.seq}: ${record.ok ? 'ok' : `BROKEN — ${record.problems.join('; ')}`}`,
      ),
    );
  }
  printLines(`records: ${verdict.records}`, `checkpoints: ${verdict.checkpoints}`);
  if (verdict.firstBroken) {
    const { instance, seq, problem } = verdict.firstBroken;
    printLines(
      `first broken record: ${instance} #${seq}: ${problem}`,
      ...verdict.problems.map((p) => `  ${p}`),
    );
  }
  printLines(
    ...verdict.unproven.map(
      ({ instance, from, to }) =>
        `unproven: ${instance} #${from}..#${to} (no trusted checkpoint covers them)`,
    ),
  );
  printLines(`verdict: ${verdict.ok ? 'intact' : onlyUnproven(verdict) ? 'UNPROVEN' : 'BROKEN'}`);
  if (!verdict.completeness) bodiesLine(verdict);
  // An archive's other claim: that it holds every record of its range. Its own line, since a range still open at
  // export time is intact and yet cannot be proven complete.
  const { completeness } = verdict;
  if (!completeness) return;
  printLines(
    `complete: ${completeness.complete ? 'yes' : 'NOT PROVEN'}`,
    ...completeness.problems.map((problem) => `  ${problem}`),
  );
  // The range is as the archive states it (nothing in it is signed at export): the auditor compares it with the
  // range asked for.
  const { range, exportedAt } = completeness;
  printLines(
    `range: ${range ? `from ${range.from} to ${range.to}` : 'none named'}` +
      `${exportedAt === undefined ? '' : `, exported ${exportedAt}`} (as the archive states it)`,
  );
  bodiesLine(verdict);
}

/**
 * How many records' bodies the verdict does not vouch for, after it: the record's hash covers their digests only.
 * Whether a record was meant to keep its bodies is in no record (the body policy and the disk floor decide at
 * write time), so bodies that are absent are counted and said, not blamed.
 */
function bodiesLine(verdict: ChainVerdict): void {
  const { absent, unchecked } = verdict.bodies;
  if (absent || unchecked)
    printLines(`bodies not checked: without bodies ${absent}, sealed with no key to open them ${unchecked}`);
}

/**
 * `log verify-archive`'s exit status: 1 when the archive is broken or unproven, 3 when it is intact but does not
 * prove that it holds its whole range (an archive cut at an end, a range still open, no record at all), 0 when
 * it is intact and complete.
 */
export function archiveExitCode(verdict: ChainVerdict & { completeness: Completeness }): number {
  if (!verdict.ok) return 1;
  return verdict.completeness.complete ? 0 : 3;
}

export function registerLogCommands(program: Command): void {
  const log = program.command('log').description('the signed message log');

  log
    .command('verify')
    .description('verify every chain and checkpoint in the store')
    .option('-c, --config <file>')
    .option('--json')
    .action(async (options: { config?: string; json?: boolean }) => {
      const ctx = await openCliContext(options.config);
      try {
        const verdict = await withProgress((progress) =>
          verifyStoredLog(ctx.store, {
            checkpointSigners: ctx.checkpointSigners,
            sealer: bodySealerOf(ctx.config, false),
            timestamps: timestampCheckOf(ctx.config),
            onProgress: progress.phase('verifying records'),
          }),
        );
        report(verdict, options.json, false);
        if (!verdict.ok) process.exitCode = 1;
      } finally {
        await ctx.close();
      }
    });

  log
    .command('export')
    .description(
      'write the records of a time range, their checkpoints and the certificates needed into one archive',
    )
    .requiredOption('--from <time>', 'ISO 8601 start, inclusive')
    .requiredOption('--to <time>', 'ISO 8601 end, inclusive')
    .requiredOption('-o, --out <file>', 'archive file')
    .option('-c, --config <file>')
    .action(async (options: { from: string; to: string; out: string; config?: string }) => {
      const [from, to] = [new Date(options.from), new Date(options.to)];
      if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
        throw new Error('--from and --to must be ISO 8601 times');
      const ctx = await openCliContext(options.config);
      try {
        const read = (file: string) => readFileSync(file, 'utf8');
        const { written, verdict } = await withProgress(async (progress) => {
          const written = await exportArchive(
            ctx.store,
            { from, to },
            {
              certificates: ctx.config.pki.trustedCaFiles.map(read),
              crls: ctx.config.pki.crlFiles.map(read),
            },
            options.out,
            bodySealerOf(ctx.config, false),
            progress.phase('exporting records'),
          );
          const verdict = verifyArchiveFile(
            options.out,
            ctx.checkpointSigners,
            timestampCheckOf(ctx.config),
            progress.phase('verifying the archive'),
            ctx.config.limits,
          );
          return { written, verdict };
        });
        if (verdict.ok) {
          await registerArchive(
            ctx.store,
            JSON.parse(read(options.out)) as Archive,
            options.out,
            written.sha256,
          );
        }
        printLines(
          `${options.out}: ${written.records} records, ${written.checkpoints} checkpoints, ` +
            `bodies ${written.sealed ? 'sealed (no key here)' : 'in plain text'}, sha256 ${written.sha256}`,
          `verified: ${verdict.ok ? 'yes (registered for retention)' : 'NO — the store itself does not verify'}`,
        );
        if (!verdict.ok) process.exitCode = 1;
      } finally {
        await ctx.close();
      }
    });

  log
    .command('verify-archive <file>')
    .description("verify an archive offline: chains, checkpoint signatures, every message's own signatures")
    .option(
      '-c, --config <file>',
      "the configuration naming the gateway's certificates and trusted CAs (no store is opened)",
    )
    .option(
      '--gateway-cert <file>',
      "the gateway's certificate, the only signer checkpoints may have (repeatable; default: the configured one)",
      collect,
      [],
    )
    .option(
      '--tsa-cert <file>',
      "the TSA's certificate, to check time-stamp tokens (default: the configured one)",
    )
    .option(
      '--tsa-grace <seconds>',
      "how late a time-stamp may be made after its checkpoint and still prove it: the writing gateway's timestamping.graceSeconds (default: the configured one, 4 h)",
    )
    .option('--json')
    .option('-q, --quiet', 'only the summary, not a line per record')
    .action(
      async (
        file: string,
        options: {
          config?: string;
          gatewayCert: string[];
          tsaCert?: string;
          tsaGrace?: string;
          json?: boolean;
          quiet?: boolean;
        },
      ) => {
        // The checkpoints are checked against certificates from outside the archive: a forger could replace what
        // the archive carries.
        const config = loadConfig({ file: options.config });
        const signers = options.gatewayCert.length
          ? checkpointSigners(
              loadTrustStore(config),
              options.gatewayCert.map((f) => readFileSync(f, 'utf8')),
            )
          : loadCheckpointSigners(config);
        if (!options.gatewayCert.length) noteSampleGatewayCertificate(config);
        const tsa = timestampCheckOf(config, {
          ...(options.tsaCert ? { tsaCertificate: readFileSync(options.tsaCert, 'utf8') } : {}),
          ...(options.tsaGrace === undefined ? {} : { graceSeconds: graceSeconds(options.tsaGrace) }),
        });
        const verdict = await withProgress((progress) =>
          verifyArchiveFile(file, signers, tsa, progress.phase('verifying records'), config.limits),
        );
        report(verdict, options.json, !options.quiet);
        const code = archiveExitCode(verdict);
        if (code !== 0) process.exitCode = code;
      },
    );
}

/** A grace period given on the command line: a positive number of seconds. */
function graceSeconds(text: string): number {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(seconds > 0))
    throw new CliError(`--tsa-grace must be a positive number of seconds, not ${text}`);
  return seconds;
}
