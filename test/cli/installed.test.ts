/**
 * The package as a user installs it: `npm pack`, then `npm install -g` of the tarball into a temporary prefix,
 * and `smev-gateway` run from an unrelated folder against a gateway on a non-default port. The schemas, WSDL and
 * sample PKI must come from the installed package, and every command must follow `PORT` as `serve` does.
 *
 * The install runs with `--ignore-scripts`, so the SQLite driver is not built from source (1–2 minutes); its
 * binary is copied from this checkout's node_modules, built for this very node. Dependencies come from npm's
 * cache when it has them (`--prefer-offline`), from the registry otherwise.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnGateway, type ChildGateway } from '../support/child-gateway.js';
import { expectCleanFailure, runCli } from './support.js';

const SQLITE_BINARY = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';

describe('the installed package', function () {
  this.timeout(240_000);
  const root = mkdtempSync(join(tmpdir(), 'smev-installed-'));
  const prefix = join(root, 'prefix');
  const elsewhere = join(root, 'elsewhere');
  const bin = join(prefix, 'bin', 'smev-gateway');
  let gateway: ChildGateway | undefined;

  before(() => {
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', root], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop() as string;
    execFileSync(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        join(root, tarball),
        '--ignore-scripts',
        '--prefer-offline',
        '--omit=dev',
        '--no-audit',
        '--no-fund',
      ],
      { stdio: 'pipe' },
    );
    const installed = join(prefix, 'lib', 'node_modules', 'smev-gateway');
    mkdirSync(join(installed, 'node_modules/better-sqlite3/build/Release'), { recursive: true });
    cpSync(resolve(SQLITE_BINARY), join(installed, SQLITE_BINARY));
    mkdirSync(elsewhere);
  });
  after(async () => {
    await gateway?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('holds what runs and none of the development tree', () => {
    const installed = join(prefix, 'lib', 'node_modules', 'smev-gateway');
    for (const file of [
      'dist/src/cli/main.js',
      'xsd/gateway.xsd',
      'wsdl/smev-gateway.wsdl',
      'certs-sample/ca.crt.pem',
    ]) {
      expect(existsSync(join(installed, file)), file).to.equal(true);
    }
    for (const folder of ['dist/test', 'dist/bench', 'test', 'src']) {
      expect(existsSync(join(installed, folder)), folder).to.equal(false);
    }
  });

  it('serves and answers from another folder, every command following PORT', async () => {
    gateway = await spawnGateway({ command: bin, cwd: elsewhere });
    expect(gateway.port).not.to.equal(8080);
    const env = { PORT: String(gateway.port) };
    const wsdl = await fetch(`${gateway.endpoint}?wsdl`);
    expect(wsdl.status).to.equal(200);

    const payload = join(elsewhere, 'ping.xml');
    cpSync(resolve('examples/ping.xml'), payload);
    const sent = await runCli(['send', '--system', 'DEMO_CONSUMER', 'ping.xml'], {
      bin,
      cwd: elsewhere,
      env,
    });
    expect(sent.code, sent.stderr).to.equal(0);
    expect(sent.stdout).to.include('<Text>Hello, gateway</Text>');
    expect(sent.stderr).to.include('signatures verified');

    const gost = await runCli(['send', '--system', 'DEMO_GOST_CONSUMER', 'ping.xml'], {
      bin,
      cwd: elsewhere,
      env,
    });
    expect(gost.code, gost.stderr).to.equal(0);

    const queued = await runCli(['queue', 'statistics', '--system', 'DEMO_CONSUMER'], {
      bin,
      cwd: elsewhere,
      env,
    });
    expect(queued.code, queued.stdout + queued.stderr).to.equal(0);

    // A token made on the gateway's store works against the running gateway.
    const made = await runCli(['tokens', 'create', '--name', 'alice', '--role', 'operator', '--json'], {
      bin,
      cwd: elsewhere,
      env,
    });
    expect(made.code, made.stderr).to.equal(0);
    expect(made.stderr).to.include(`store: SQLite ${join(elsewhere, 'data', 'gateway.db')}`);
    const { token } = JSON.parse(made.stdout) as { token: string };
    const listed = await fetch(`${gateway.base}/api/v1/participants`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(listed.status).to.equal(200);

    // --url wins over the configuration.
    const explicit = await runCli(
      ['send', '--system', 'DEMO_CONSUMER', '--url', gateway.endpoint, 'ping.xml'],
      {
        bin,
        cwd: elsewhere,
      },
    );
    expect(explicit.code, explicit.stderr).to.equal(0);
  });

  it('refuses a store that is not the gateway’s, from any folder', async () => {
    const other = join(root, 'other');
    mkdirSync(other);
    expectCleanFailure(
      await runCli(['tokens', 'create', '--name', 'bob', '--role', 'operator'], { bin, cwd: other }),
      `no gateway store at SQLite ${join(other, 'data', 'gateway.db')}`,
    );
    expect(existsSync(join(other, 'data'))).to.equal(false);
  });
});
