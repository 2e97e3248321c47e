/**
 * The published contract, `smev-gateway/provider`: its declarations build (tsconfig.provider.json), and a provider
 * module type-checks against them importing the package by name, as a third party does — the example does, and
 * a module whose provider does not fit its codec does not.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TSC = 'node_modules/typescript/bin/tsc';
const tsc = (...args: string[]) => {
  const run = spawnSync(process.execPath, [TSC, ...args], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
};

describe('smev-gateway/provider for provider modules', function () {
  this.timeout(180_000);
  let dir: string;
  before(() => {
    const built = tsc('-p', 'tsconfig.provider.json');
    expect(built.output).to.equal('');
    expect(built.status).to.equal(0);
    // Inside the package, so that `smev-gateway/provider` resolves to it by name (package.json "exports").
    dir = mkdtempSync(join('dist', 'provider-module-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is named in package.json with its declarations', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      exports: Record<string, { types: string; default: string }>;
    };
    const entry = pkg.exports['./provider'];
    expect(entry?.types).to.equal('./dist/types/src/providers/module.d.ts');
    expect(readFileSync(entry!.types, 'utf8')).to.contain('ProviderRejection');
    expect(entry?.default).to.equal('./dist/src/providers/module.js');
  });

  it('the example module type-checks against it', () => {
    const checked = tsc('-p', 'examples/provider-module');
    expect(checked.output).to.equal('');
    expect(checked.status).to.equal(0);
  });

  it('a provider that does not fit its codec, or a rejection without a reason, does not', () => {
    const config = JSON.parse(readFileSync('examples/provider-module/tsconfig.json', 'utf8')) as object;
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ ...config, files: ['bad.mjs'] }));
    writeFileSync(
      join(dir, 'bad.mjs'),
      `import { defineService, ProviderRejection } from 'smev-gateway/provider';

/** @type {import('smev-gateway/provider').ServiceCodec<{ city: string }, { temperatureC: number }>} */
const codec = {
  namespace: 'urn://example.org/bad',
  requests: ['BadRequest'],
  decode: (element) => ({ city: element.localName }),
  encode: (answer) => '<b:T xmlns:b="urn://example.org/bad">' + answer.temperatureC + '</b:T>',
};

export const { createProvider } = defineService({
  codec,
  createProvider: () => ({
    async handle(request) {
      if (request.body.town === '') throw new ProviderRejection('NOT_A_REASON', 'X', 'x');
      return { kind: 'answer', body: { temperatureC: 'warm' } };
    },
  }),
});
`,
    );
    const checked = tsc('-p', dir);
    expect(checked.status).to.not.equal(0);
    expect(checked.output).to.match(/Property 'town' does not exist/);
    expect(checked.output).to.match(/"NOT_A_REASON"/);
    expect(checked.output).to.match(/'string' is not assignable to type 'number'/);
  });
});
