#!/usr/bin/env node
/** The `smev-gateway` command line. */
import { Command } from 'commander';
import { writeSamplePki } from '../sample-pki/sample.js';
import { printRequest, sampleTrustFiles, send } from './send.js';
import { registerAuditCommands } from './audit.js';
import { registerBackupCommands } from './backup.js';
import { openCliContext } from './context.js';
import { registerLogCommands } from './log.js';
import { registerQueueCommands } from './queue.js';
import { registerRegistryCommands } from './registry.js';
import { registerRegionalCommands } from './regional.js';
import { registerReportCommands } from './reports.js';
import { serve } from './serve.js';
import { health } from './health.js';
import { registerCertsIssue } from './certs-issue.js';
import { collect, printLines, printText } from './output.js';

const program = new Command()
  .name('smev-gateway')
  .description('SOAP integration gateway in the style of SMEV 3')
  .showHelpAfterError();

program
  .command('serve', { isDefault: true })
  .description('start the gateway (defaults: 127.0.0.1:8080, SQLite data/gateway.db, sample PKI)')
  .option('-c, --config <file>', 'JSON configuration file (also SMEV_GATEWAY_CONFIG)')
  .action(serve);

program
  .command('health')
  .description('exit 0 when the configured gateway answers /health with up (container health checks)')
  .option('-c, --config <file>', 'JSON configuration file (also SMEV_GATEWAY_CONFIG)')
  .option('-u, --url <url>', 'the gateway address (default: from the configuration)')
  .action(health);

const certs = program.command('certs').description('certificates and sample PKI');
certs
  .command('sample')
  .description('write a sample PKI (CA, CRL, gateway and sample system certificates) for trying the gateway')
  .option('-o, --out <dir>', 'output folder', 'certs-sample')
  .option('--gost', 'also write a GOST R 34.10-2012 sample PKI into <dir>/gost')
  .action(async (options: { out: string; gost?: boolean }) => {
    const written = await writeSamplePki(options.out, { gost: options.gost ?? false });
    printLines(...written);
  });

registerCertsIssue(certs);
registerRegistryCommands(program);
registerRegionalCommands(program);
registerReportCommands(program);
registerAuditCommands(program, openCliContext);
registerLogCommands(program);
registerBackupCommands(program);

program
  .command('send')
  .description(
    'sign a business payload as an information system, send it with Call, verify and print the answer',
  )
  .argument('<payload>', 'XML file holding one business element, e.g. examples/ping.xml')
  .requiredOption('-s, --system <mnemonic>', 'the sending information system')
  .option('-k, --key <file>', 'its private key (default certs-sample/<system>.key.pem)')
  .option('--cert <file>', 'its certificate (default certs-sample/<system>.crt.pem)')
  .option('-u, --url <url>', 'the gateway endpoint (default: from the configuration, as serve reads it)')
  .option('-c, --config <file>', 'JSON configuration file of the gateway to call (also SMEV_GATEWAY_CONFIG)')
  .option('--soap12', 'speak SOAP 1.2 instead of 1.1')
  .option('--test', 'mark the request as a TestMessage')
  .option('--today', "dates in the payload (YYYY-MM-DD) become today's, as the examples need")
  .option(
    '--profile <profile>',
    'signature profile: xmldsig (exclusive c14n) or smev (plus the SMEV transform)',
    'xmldsig',
  )
  .option('--ca <file>', 'trusted CA for the answer (repeatable)', collect, [])
  .option('--crl <file>', 'CRL for the answer (repeatable)', collect, [])
  .option(
    '--tls-ca <file>',
    "HTTPS: CA certificate of the gateway's TLS certificate (e.g. certs-sample/ca.crt.pem)",
  )
  .option('--tls-cert <file>', 'mutual TLS: client certificate (e.g. certs-sample/tls/client.crt.pem)')
  .option('--tls-key <file>', 'mutual TLS: its private key')
  .option('--json', 'print the whole answer as JSON')
  .option('--print-request', 'print the signed request to stderr')
  .action(async (payload: string, options: Parameters<typeof send>[1]) => {
    if (!options.ca.length) options.ca = sampleTrustFiles('crt');
    if (!options.crl.length) options.crl = sampleTrustFiles('crl');
    await send(payload, options);
  });

program
  .command('request')
  .description('print a signed Call request for a business payload (to send with curl or any SOAP tool)')
  .argument('<payload>', 'XML file holding one business element')
  .requiredOption('-s, --system <mnemonic>', 'the sending information system')
  .option('-k, --key <file>', 'its private key (default certs-sample/<system>.key.pem)')
  .option('--cert <file>', 'its certificate (default certs-sample/<system>.crt.pem)')
  .option('--soap12', 'SOAP 1.2 instead of 1.1')
  .option('--profile <profile>', 'signature profile: xmldsig or smev', 'xmldsig')
  .option('--today', "dates in the payload (YYYY-MM-DD) become today's, as the examples need")
  .action((payload: string, options: Parameters<typeof printRequest>[1]) => printRequest(payload, options));

registerQueueCommands(program);

// Output piped into `head` closes early: what is left unread was not wanted, which is no failure.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    process.exit(1);
  });
}

program.parseAsync().catch((error: unknown) => {
  // The reason may quote a file or an answer: its line breaks kept, no other control character acting.
  printText(`smev-gateway: ${explain(error)}\n`, process.stderr);
  process.exit(1);
});

/**
 * People get the reason in one line. A stack only when asked for (DEBUG=1) or for a programming error
 * (a TypeError or ReferenceError with no system code), which is a bug to report with it.
 */
function explain(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const bug =
    (error instanceof TypeError || error instanceof ReferenceError) &&
    (error as NodeJS.ErrnoException).code === undefined &&
    error.cause === undefined;
  if (process.env.DEBUG || bug) return error.stack ?? error.message;
  return error.message;
}
