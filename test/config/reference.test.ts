/**
 * docs/configuration.md is generated from the configuration's zod schemas: this fails when the file is not what
 * `npm run docs:config` writes today (a setting added, renamed or given a new default without regenerating).
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ConfigSchema } from '../../src/config/config.js';
import { configurationReference } from '../../src/cli/config-reference.js';

describe('the configuration reference', () => {
  it('docs/configuration.md is what npm run docs:config generates', () => {
    const page = readFileSync('docs/configuration.md', 'utf8');
    const fresh = page === configurationReference();
    expect(fresh, 'docs/configuration.md is out of date: run npm run docs:config').to.equal(true);
  });

  it('names every top-level setting and describes each one', () => {
    const page = configurationReference();
    for (const name of Object.keys(ConfigSchema.shape)) expect(page).to.include(`\`${name}`);
    expect(page).to.not.match(/\| \| \n/);
    for (const line of page.split('\n').filter((row) => row.startsWith('| `'))) {
      expect(line.trimEnd(), line).to.not.match(/\|\s*\|$/);
    }
  });

  it('shows the defaults and the environment variables', () => {
    const page = configurationReference();
    expect(page).to.include('| `port` | `PORT` | integer (≥ 0, ≤ 65535) | `8080` |');
    expect(page).to.include('| `http.rateLimit.admin` |');
    expect(page).to.include('`services.cards.panHmacSecret`');
  });
});
