/**
 * A signing certificate for a new information system, issued by a CA the operator holds (test set-ups): the new
 * key is of the CA's family, RSA or GOST R 34.10-2012, and the subject names the system as the samples do.
 */
import { X509Certificate } from 'node:crypto';
import { loadSigningKey } from '../signature/signing-key.js';
import { keyFamily } from '../signature/keys.js';
import { GOST } from './gost-issue.js';
import { issueCertificate, RSA, type IssuedPair } from './issue.js';

export interface SystemCertificateOptions {
  readonly mnemonic: string;
  readonly organization?: string;
  readonly days: number;
  readonly now?: Date;
}

/** The CA's key and certificate must belong together; the certificate is cut to end with the CA's. */
export function issueSystemCertificate(ca: IssuedPair, options: SystemCertificateOptions): IssuedPair {
  const family = keyFamily(loadSigningKey(ca.keyPem, ca.certPem).privateKey);
  const now = options.now ?? new Date();
  // A few minutes back, so a peer whose clock lags a little accepts it at once.
  const notBefore = new Date(now.getTime() - 5 * 60_000);
  const caEnd = new Date(new X509Certificate(ca.certPem).validTo);
  const wanted = new Date(now.getTime() + options.days * 86_400_000);
  const notAfter = wanted < caEnd ? wanted : caEnd;
  const subject = {
    commonName: options.mnemonic,
    organization: options.organization ?? options.mnemonic,
    mnemonic: options.mnemonic,
    notBefore,
    notAfter,
  };
  if (family === 'rsa') return issueCertificate(ca, subject, RSA);
  if (family === 'gost2012-256' || family === 'gost2012-512')
    return issueCertificate(ca, { ...subject, family }, GOST);
  throw new Error(
    `a CA with a ${family ?? 'foreign'} key cannot issue here: use an RSA or GOST R 34.10-2012 CA`,
  );
}
