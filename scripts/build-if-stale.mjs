// Builds dist/ when any source file is newer than the last build, so `npm start` works on a fresh clone, and
// removes what an earlier build compiled from sources that are gone (a moved or deleted file's old test would
// otherwise still run, against modules that no longer export what it needs).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const stamp = 'dist/.build-stamp';

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // A folder's own time changes when a file in it is removed or renamed.
    latest = Math.max(latest, statSync(path).mtimeMs, entry.isDirectory() ? newest(path) : 0);
  }
  return latest;
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (built < Math.max(newest('src'), newest('test'), newest('bench'), statSync('tsconfig.json').mtimeMs)) {
  process.stderr.write('building dist/ ...\n');
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
    stdio: 'inherit',
  });
  for (const root of ['src', 'test', 'bench']) removeOrphans(join('dist', root), root);
  execFileSync(process.execPath, ['-e', `require('fs').writeFileSync('${stamp}', new Date().toISOString())`]);
}

/** Compiled files in `built` whose TypeScript source under `source` no longer exists. */
function removeOrphans(built, source) {
  if (!existsSync(built)) return;
  for (const entry of readdirSync(built, { withFileTypes: true })) {
    const path = join(built, entry.name);
    if (entry.isDirectory()) {
      removeOrphans(path, join(source, entry.name));
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
      continue;
    }
    const stem = entry.name.replace(/\.js(\.map)?$/, '');
    if (stem !== entry.name && !existsSync(join(source, `${stem}.ts`))) rmSync(path);
  }
}
