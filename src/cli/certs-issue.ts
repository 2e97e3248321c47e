/**
 * `smev-gateway certs issue <MNEMONIC> --ca-key … --ca-cert …`: a key and certificate for a new information
 * system from a CA one holds, for test set-ups; then `certs add` registers the certificate.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { checkedMnemonic } from '../registry/inputs.js';
import { RegistryError } from '../registry/errors.js';
import { issueSystemCertificate } from '../sample-pki/system-certificate.js';
import { CliError, readInputFile } from './inputs.js';
import { printLines } from './output.js';

interface IssueOptions {
  caKey: string;
  caCert: string;
  organization?: string;
  days: string;
  out: string;
}

export function registerCertsIssue(certs: Command): void {
  certs
    .command('issue <mnemonic>')
    .description(
      'issue a key and signing certificate for a new information system from your CA (RSA or GOST), for test ' +
        'set-ups; register it with certs add',
    )
    .requiredOption('--ca-key <file>', "the CA's private key (PEM)")
    .requiredOption('--ca-cert <file>', "the CA's certificate (PEM)")
    .option('--organization <name>', 'the organisation named in the subject (default: the mnemonic)')
    .option('--days <n>', 'validity in days (never past the CA’s own end)', '365')
    .option('-o, --out <dir>', 'folder for <MNEMONIC>.key.pem and <MNEMONIC>.crt.pem', '.')
    .action((given: string, options: IssueOptions) => {
      const mnemonic = checkedMnemonicOrFail(given);
      const days = Number(options.days);
      if (!Number.isInteger(days) || days < 1)
        throw new CliError(`--days must be a whole number of days, not ${options.days}`);
      const files = {
        key: join(options.out, `${mnemonic}.key.pem`),
        cert: join(options.out, `${mnemonic}.crt.pem`),
      };
      for (const file of Object.values(files)) {
        if (existsSync(file)) throw new CliError(`${file} exists already: remove it or choose another --out`);
      }
      const ca = {
        keyPem: readInputFile('CA key', options.caKey),
        certPem: readInputFile('CA certificate', options.caCert),
      };
      let issued;
      try {
        issued = issueSystemCertificate(ca, {
          mnemonic,
          days,
          ...(options.organization ? { organization: options.organization } : {}),
        });
      } catch (error) {
        throw new CliError(`the CA key ${options.caKey} with ${options.caCert}: ${(error as Error).message}`);
      }
      mkdirSync(options.out, { recursive: true });
      // 'wx': never over a file made meanwhile, nor through a link planted at the name.
      writeFileSync(files.key, issued.keyPem, { mode: 0o600, flag: 'wx' });
      writeFileSync(files.cert, issued.certPem, { flag: 'wx' });
      const certificate = new X509Certificate(issued.certPem);
      printLines(
        files.key,
        files.cert,
        `subject ${certificate.subject.replace(/\n/g, ', ')}; valid until ${new Date(certificate.validTo).toISOString()}`,
        `register it: smev-gateway certs add ${mnemonic} ${files.cert}`,
      );
    });
}

function checkedMnemonicOrFail(value: string): string {
  try {
    return checkedMnemonic(value);
  } catch (error) {
    if (error instanceof RegistryError) throw new CliError(error.message);
    throw error;
  }
}
