// The tests that judge time (certificates, CRLs, deadlines, lifetimes, retention), run with the process clock moved
// ahead by libfaketime (Debian's `faketime` package): FAKETIME=+1100d unless set. A test that only passes in the
// month its fixtures were made fails here. PostgreSQL's own clock is not moved; no code under test asks it for the
// time (every timestamp is written by the gateway process), so the PostgreSQL variants run too.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const TESTS = [
  'dist/test/signature/pki',
  'dist/test/signature/attacks.test.js',
  'dist/test/signature/gost/pki-interop.test.js',
  'dist/test/server/tls.test.js',
  'dist/test/registry/lifecycle.test.js',
  'dist/test/registry/regional.test.js',
  'dist/test/messagelog/archive.test.js',
  'dist/test/audit/trail.test.js',
  'dist/test/providers/certificates',
  'dist/test/providers/lab-results/rules.test.js',
  'dist/test/providers/lab-results/provider.test.js',
  'dist/test/queue/limits.test.js',
  'dist/test/exchange/gost.test.js',
  'dist/test/timestamp/rfc3161.test.js',
];

const candidates = [
  '/usr/lib/x86_64-linux-gnu/faketime',
  '/usr/lib/aarch64-linux-gnu/faketime',
  '/usr/lib/faketime',
];
const dir = candidates.find((d) => existsSync(join(d, 'libfaketime.so.1')));
if (dir === undefined) {
  console.error('libfaketime not found: install it (Debian: apt-get install faketime)');
  process.exit(2);
}

const files = TESTS.flatMap((path) =>
  path.endsWith('.js')
    ? [path]
    : readdirSync(path)
        .filter((name) => name.endsWith('.test.js'))
        .map((name) => join(path, name)),
);
const faketime = process.env.FAKETIME ?? '+1100d';
console.log(`clock moved ${faketime} (libfaketime): ${files.length} test files`);
const result = spawnSync(
  process.execPath,
  ['node_modules/mocha/bin/mocha.js', '--no-config', '--timeout', '60000', '--exit', ...files],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      LD_PRELOAD: join(dir, 'libfaketime.so.1'),
      FAKETIME: faketime,
      // Timers run on the monotonic clock; moving it too would only slow them down.
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
  },
);
process.exit(result.status ?? 1);
