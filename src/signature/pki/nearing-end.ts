/**
 * Which of the gateway's own PKI files (trusted CAs, CRLs, its signing and TLS certificates) end soon: a start-up
 * warning gives the operator time to renew them before exchanges start failing with `CertificateIsExpired` or
 * `CrlIsStale`. The moment is the caller's, so the check is as testable as the trust store's.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCrl } from './crl.js';
import { pemBlocks, pemBody } from './thumbprint.js';

export interface EndingItem {
  readonly file: string;
  readonly kind: 'certificate' | 'CRL';
  /** The certificate's subject (a CRL is named by its file). */
  readonly subject?: string;
  /** notAfter of a certificate, nextUpdate of a CRL. */
  readonly endsAt: Date;
}

export interface PkiFiles {
  readonly certificates: readonly string[];
  readonly crls: readonly string[];
}

export const NEARING_END_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Every certificate and CRL in `files` that ends within `days` of `at` (or has already ended), soonest first. */
export function nearingEnd(files: PkiFiles, at: Date, days = NEARING_END_DAYS): EndingItem[] {
  const limit = at.getTime() + days * DAY_MS;
  const items: EndingItem[] = [];
  for (const file of new Set(files.certificates)) {
    for (const block of pemBlocksOf(file, 'CERTIFICATE')) {
      readable(() => {
        const x509 = new X509Certificate(pemBody(block));
        const subject = x509.subject.replace(/\n/g, ', ');
        items.push({ file, kind: 'certificate', subject, endsAt: new Date(x509.validTo) });
      });
    }
  }
  for (const file of new Set(files.crls)) {
    for (const block of pemBlocksOf(file, 'X509 CRL')) {
      readable(() => items.push({ file, kind: 'CRL', endsAt: parseCrl(pemBody(block)).nextUpdate }));
    }
  }
  return items.filter((item) => item.endsAt.getTime() <= limit).sort((a, b) => +a.endsAt - +b.endsAt);
}

// A file that cannot be read or parsed is left to the code that loads it, which says why.
function pemBlocksOf(file: string, label: 'CERTIFICATE' | 'X509 CRL'): string[] {
  try {
    return pemBlocks(readFileSync(file, 'utf8'), label);
  } catch {
    return [];
  }
}

function readable(read: () => void): void {
  try {
    read();
  } catch {
    // see pemBlocksOf
  }
}
