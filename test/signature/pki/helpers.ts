/** Shared material for the PKI tests: the committed sample CA, and a day/year arithmetic shorthand. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IssuedPair } from '../../../src/sample-pki/issue.js';

/** certs-sample/ at the repository root (tests run from dist/test/signature/pki). */
export const SAMPLE_DIR = fileURLToPath(new URL('../../../../certs-sample/', import.meta.url));

export function sampleFile(name: string): string {
  return readFileSync(SAMPLE_DIR + name, 'utf8');
}

export function sampleCa(): IssuedPair {
  return { certPem: sampleFile('ca.crt.pem'), keyPem: sampleFile('ca.key.pem') };
}

export const DAY = 24 * 60 * 60 * 1000;

export function daysFrom(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY);
}
