/**
 * The sample PKI for the quick start and the tests: one root CA, the gateway's certificate, four participant
 * systems and one revoked system, plus the CA's CRL; and, with `gost`, a GOST R 34.10-2012 twin in `gost/` (CA,
 * CRL, the gateway's GOST key, one GOST-signing system). Sample material only: the CA keys are published with it.
 */
import { X509Certificate } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GOST } from './gost-issue.js';
import {
  addYears,
  createCrl,
  createRootCa,
  issueCertificate,
  RSA,
  type IssuedPair,
  type IssuingAlgorithm,
} from './issue.js';
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
  const { ca, written } = await writePki(
    outDir,
    RSA,
    now,
    'smev-gateway sample CA',
    SAMPLE_SYSTEMS,
    REVOKED_SAMPLE_SYSTEM,
  );
  written.push(
    ...(await writeSampleTls(outDir, ca, {
      notBefore: skewed(now),
      notAfter: addYears(now, SAMPLE_LEAF_YEARS),
    })),
  );
  if (options.gost) written.push(...(await writeGostSamplePki(join(outDir, 'gost'), { now })));
  return written;
}

/**
 * Writes the GOST sample PKI into `outDir`: a GOST R 34.10-2012 (256-bit, CryptoPro-A) root CA with its (empty)
 * CRL, the gateway's GOST certificate and the GOST sample system's, made by our own GOST code.
 */
export async function writeGostSamplePki(outDir: string, options: SamplePkiOptions = {}): Promise<string[]> {
  const systems = { [GOST_SAMPLE_SYSTEM]: GOST_SAMPLE_ORGANISATION };
  const now = options.now ?? new Date();
  return (await writePki(outDir, GOST, now, 'smev-gateway sample GOST CA', systems, undefined)).written;
}

/** Validity starts a day early so a machine whose clock lags a little still accepts freshly made files. */
const skewed = (now: Date) => new Date(now.getTime() - CLOCK_SKEW_MS);

/** One CA of `algorithm`, the gateway's certificate, the systems' and the CA's CRL (revoking `revoked`). */
async function writePki(
  outDir: string,
  algorithm: IssuingAlgorithm<object>,
  now: Date,
  caName: string,
  systems: Readonly<Record<string, string>>,
  revoked: string | undefined,
): Promise<{ ca: IssuedPair; written: string[] }> {
  const start = skewed(now);
  const leafEnd = addYears(now, SAMPLE_LEAF_YEARS);
  const organization = 'smev-gateway sample certification centre';
  const ca = createRootCa(
    { commonName: caName, organization, now: start, years: SAMPLE_CA_YEARS },
    algorithm,
  );
  const leaf = (commonName: string, organization: string, mnemonic?: string) =>
    issueCertificate(
      ca,
      { commonName, organization, ...(mnemonic ? { mnemonic } : {}), notBefore: start, notAfter: leafEnd },
      algorithm,
    );
  const files: Record<string, IssuedPair> = {
    ca,
    gateway: leaf('smev-gateway', 'smev-gateway operator (sample)'),
  };
  for (const [mnemonic, owner] of Object.entries(systems)) files[mnemonic] = leaf(mnemonic, owner, mnemonic);
  const revokedPair = revoked === undefined ? undefined : files[revoked];
  if (revoked !== undefined && revokedPair === undefined)
    throw new Error(`the revoked system ${revoked} is missing`);
  const entries = revokedPair
    ? [{ serial: new X509Certificate(revokedPair.certPem).serialNumber, revokedAt: start }]
    : [];
  const crl = createCrl(
    ca,
    entries,
    { thisUpdate: start, nextUpdate: addYears(now, SAMPLE_CRL_YEARS) },
    algorithm,
  );
  return { ca, written: await writeFiles(outDir, files, crl) };
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
