/**
 * The sample PKI for the quick start and the tests: one root CA, the gateway's certificate, four participant
 * systems and one revoked system, plus the CA's CRL; and, with `gost`, a GOST R 34.10-2012 twin in `gost/` (CA,
 * CRL, the gateway's GOST key, one GOST-signing system). Sample material only: the CA keys are published with it.
 */
import { X509Certificate } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGostCrl, createGostRootCa, issueGostCertificate } from './gost-issue.js';
import { addYears, createCrl, createRootCa, issueCertificate, type IssuedPair } from './issue.js';
import { writeSampleTls } from './sample-tls.js';

/** Sample systems and the organisations that own them (fictional). */
export const SAMPLE_SYSTEMS: Readonly<Record<string, string>> = {
  DEMO_CONSUMER: 'Demo Consumer Agency (sample)',
  SOCPROTECT_47: 'Social Protection Committee of Region 47 (sample)',
  SOCCARD_28: 'Social Card Centre of Region 28 (sample)',
  PORTAL_26: 'Regional Public Services Portal 26 (sample)',
  REVOKED_SYSTEM: 'Revoked System Operator (sample)',
};
/** The sample system that signs with GOST R 34.10-2012 (certs-sample/gost/), and its organisation. */
export const GOST_SAMPLE_SYSTEM = 'DEMO_GOST_CONSUMER';
export const GOST_SAMPLE_ORGANISATION = 'Demo GOST Consumer Agency (sample)';

/** The sample system whose certificate the sample CRL revokes. */
export const REVOKED_SAMPLE_SYSTEM = 'REVOKED_SYSTEM';

export const SAMPLE_CA_YEARS = 20;
export const SAMPLE_LEAF_YEARS = 10;
export const SAMPLE_CRL_YEARS = 10;
const CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

export interface SamplePkiOptions {
  /** When the files are made; validity starts one day before it (clock skew). Defaults to the current time. */
  readonly now?: Date;
  /** Also write the GOST sample PKI into `<outDir>/gost/`. */
  readonly gost?: boolean;
}

/** Writes the sample PKI into `outDir` (created if missing) and returns the paths written. */
export async function writeSamplePki(outDir: string, options: SamplePkiOptions = {}): Promise<string[]> {
  const now = options.now ?? new Date();
  // Validity starts a day early so a machine whose clock lags a little still accepts freshly made files.
  const start = new Date(now.getTime() - CLOCK_SKEW_MS);
  const leafEnd = addYears(now, SAMPLE_LEAF_YEARS);
  const ca = createRootCa({
    commonName: 'smev-gateway sample CA',
    organization: 'smev-gateway sample certification centre',
    now: start,
    years: SAMPLE_CA_YEARS,
  });
  const files: Record<string, IssuedPair> = {
    ca,
    gateway: issueCertificate(ca, {
      commonName: 'smev-gateway',
      organization: 'smev-gateway operator (sample)',
      notBefore: start,
      notAfter: leafEnd,
    }),
  };
  for (const [mnemonic, organization] of Object.entries(SAMPLE_SYSTEMS)) {
    files[mnemonic] = issueCertificate(ca, {
      commonName: mnemonic,
      organization,
      mnemonic,
      notBefore: start,
      notAfter: leafEnd,
    });
  }
  const revoked = files[REVOKED_SAMPLE_SYSTEM];
  if (revoked === undefined) throw new Error('the revoked sample system is missing');
  const crl = createCrl(
    ca,
    [{ serial: new X509Certificate(revoked.certPem).serialNumber, revokedAt: start }],
    {
      thisUpdate: start,
      nextUpdate: addYears(now, SAMPLE_CRL_YEARS),
    },
  );

  const written = await writeFiles(outDir, files, crl);
  written.push(...(await writeSampleTls(outDir, ca, { notBefore: start, notAfter: leafEnd })));
  if (options.gost) written.push(...(await writeGostSamplePki(join(outDir, 'gost'), { now })));
  return written;
}

/**
 * Writes the GOST sample PKI into `outDir`: a GOST R 34.10-2012 (256-bit, CryptoPro-A) root CA with its (empty)
 * CRL, the gateway's GOST certificate and the GOST sample system's, made by our own GOST code.
 */
export async function writeGostSamplePki(outDir: string, options: SamplePkiOptions = {}): Promise<string[]> {
  const now = options.now ?? new Date();
  const start = new Date(now.getTime() - CLOCK_SKEW_MS);
  const leafEnd = addYears(now, SAMPLE_LEAF_YEARS);
  const ca = createGostRootCa({
    commonName: 'smev-gateway sample GOST CA',
    organization: 'smev-gateway sample certification centre',
    now: start,
    years: SAMPLE_CA_YEARS,
  });
  const files: Record<string, IssuedPair> = {
    ca,
    gateway: issueGostCertificate(ca, {
      commonName: 'smev-gateway',
      organization: 'smev-gateway operator (sample)',
      notBefore: start,
      notAfter: leafEnd,
    }),
    [GOST_SAMPLE_SYSTEM]: issueGostCertificate(ca, {
      commonName: GOST_SAMPLE_SYSTEM,
      organization: GOST_SAMPLE_ORGANISATION,
      mnemonic: GOST_SAMPLE_SYSTEM,
      notBefore: start,
      notAfter: leafEnd,
    }),
  };
  const crl = createGostCrl(ca, [], { thisUpdate: start, nextUpdate: addYears(now, SAMPLE_CRL_YEARS) });
  return writeFiles(outDir, files, crl);
}

async function writeFiles(outDir: string, files: Record<string, IssuedPair>, crl: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const put = async (name: string, text: string, mode: number): Promise<void> => {
    const path = join(outDir, name);
    await writeFile(path, text, { mode });
    written.push(path);
  };
  for (const [name, pair] of Object.entries(files)) {
    await put(`${name}.crt.pem`, pair.certPem, 0o644);
    // Keys are readable by their owner only even though these are samples: copies of this habit end up in production.
    await put(`${name}.key.pem`, pair.keyPem, 0o600);
  }
  await put('ca.crl.pem', crl, 0o644);
  return written;
}
