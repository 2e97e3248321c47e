// Writes docs/configuration.md from the configuration's zod schemas (src/cli/config-reference.ts); run after
// `npm run build` (as `npm run docs:config` does). `--check` only says whether the file is up to date.
import { readFileSync, writeFileSync } from 'node:fs';

const { configurationReference } = await import('../dist/src/cli/config-reference.js');
const target = new URL('../docs/configuration.md', import.meta.url);
const page = configurationReference();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // a missing page is out of date
  }
  if (current !== page) {
    process.stderr.write('docs/configuration.md is out of date: run npm run docs:config\n');
    process.exit(1);
  }
} else {
  writeFileSync(target, page);
  process.stdout.write('wrote docs/configuration.md\n');
}
