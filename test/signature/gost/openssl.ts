/**
 * OpenSSL with the GOST engine (Debian package libengine-gost-openssl), driven through the command line.
 * The engine is loaded with `-engine gost` on each command. When it is missing the interop tests fail with
 * an explicit message instead of being skipped: a green run must mean the cross-checks really ran.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useFixture } from '../../support/fixture.js';

/** Runs openssl with the arguments; stdin optional; returns stdout. Throws with stderr on failure. */
export function openssl(args: string[], input?: Uint8Array): Buffer {
  try {
    return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr?.toString() ?? e.message}`);
  }
}

let checked = false;

/** Throws a clear error unless `openssl -engine gost` can compute Streebog. */
export function requireGostEngine(): void {
  if (checked) return;
  try {
    openssl(['dgst', '-engine', 'gost', '-md_gost12_256'], new Uint8Array(0));
  } catch (err) {
    throw new Error(
      'OpenSSL GOST engine not available: install it (apt-get install -y libengine-gost-openssl). ' +
        String((err as Error).message),
    );
  }
  checked = true;
}

/** Streebog of data by OpenSSL, as bytes. */
export function opensslStreebog(bits: 256 | 512, data: Uint8Array): Uint8Array {
  const out = openssl(['dgst', '-engine', 'gost', `-md_gost12_${String(bits)}`, '-r'], data).toString();
  const hex = /^([0-9a-f]+) /m.exec(out)?.[1];
  if (!hex) throw new Error(`unexpected openssl dgst output: ${out}`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** GOST R 34.11-94 (CryptoPro S-box) of data by OpenSSL's md_gost94, as bytes. */
export function opensslGost94(data: Uint8Array): Uint8Array {
  const out = openssl(['dgst', '-engine', 'gost', '-md_gost94', '-r'], data).toString();
  const hex = /^([0-9a-f]+) /m.exec(out)?.[1];
  if (!hex) throw new Error(`unexpected openssl dgst output: ${out}`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** A temporary directory for the OpenSSL files of the enclosing describe, once the GOST engine is known to work. */
export function useGostTempDir(): { readonly dir: string } {
  return useFixture(
    'GOST temporary directory',
    () => {
      requireGostEngine();
      return { dir: mkdtempSync(join(tmpdir(), 'gost-test-')) };
    },
    ({ dir }) => rmSync(dir, { recursive: true, force: true }),
  );
}

/** Private scalar and public point as printed by `openssl pkey -text` (big-endian hex). */
export function readKeyText(keyPem: string): { d: bigint; x: bigint; y: bigint; paramSet: string } {
  const text = openssl(['pkey', '-engine', 'gost', '-in', keyPem, '-text', '-noout']).toString();
  const grab = (re: RegExp): string => {
    const m = re.exec(text);
    if (!m?.[1]) throw new Error(`cannot find ${re.source} in openssl pkey output:\n${text}`);
    return m[1];
  };
  return {
    d: BigInt('0x' + grab(/Private key:\s*([0-9A-Fa-f]+)/)),
    x: BigInt('0x' + grab(/X:([0-9A-Fa-f]+)/)),
    y: BigInt('0x' + grab(/Y:([0-9A-Fa-f]+)/)),
    paramSet: grab(/Parameter set:\s*(.+)/).trim(),
  };
}
