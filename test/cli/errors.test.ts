/**
 * Ordinary mistakes at the terminal get one clear line and exit code 1, never a stack trace: a missing file,
 * malformed JSON, a key that is not its certificate's, a whole envelope where a payload goes, a store that is not
 * there, a gateway that is not running, a bad setting, and output closed early (piped into `head`).
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '../../src/store/store.js';
import { freePort } from '../support/child-gateway.js';
import { CLI, cliEnvironment, expectCleanFailure, expectNoStack, runCli } from './support.js';

const PING = resolve('examples/ping.xml');

describe('CLI errors', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'smev-cli-errors-'));
  const store = join(dir, 'gateway.db');
  const inDir = { cwd: dir, env: { SQLITE_FILE: store } };

  before(async () => {
    // A store as the gateway leaves it: made and migrated (the first command seeds the samples in it).
    await (await openStore({ sqliteFile: store })).close();
    writeFileSync(join(dir, 'bad.json'), '{"fullName": "Org",');
    writeFileSync(join(dir, 'empty.xml'), '');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file names the file and its part', async () => {
    expectCleanFailure(
      await runCli(['send', '--system', 'DEMO_CONSUMER', 'no-such-payload.xml'], inDir),
      'smev-gateway: cannot read the payload no-such-payload.xml: no such file',
    );
    expectCleanFailure(
      await runCli(['certs', 'add', 'DEMO_CONSUMER', 'missing.crt.pem'], inDir),
      'cannot read the certificate missing.crt.pem: no such file',
    );
    expectCleanFailure(
      await runCli(['request', '--system', 'NO_SUCH_SYSTEM', PING], inDir),
      /cannot read the private key \S+NO_SUCH_SYSTEM\.key\.pem: no such file/,
    );
  });

  it('malformed JSON names the file and where it breaks', async () => {
    expectCleanFailure(
      await runCli(['participants', 'apply', 'bad.json'], inDir),
      /the JSON file bad\.json is not valid JSON: .+/,
    );
  });

  it('a key that is not its certificate’s says which two files disagree', async () => {
    const run = await runCli(
      ['send', '--system', 'DEMO_CONSUMER', '--key', resolve('certs-sample/PORTAL_26.key.pem'), PING],
      inDir,
    );
    expectCleanFailure(run, 'the private key does not match its certificate');
    expect(run.stderr).to.include('PORTAL_26.key.pem').and.include('DEMO_CONSUMER.crt.pem');
    // A GOST key with an RSA certificate: the families differ.
    expectCleanFailure(
      await runCli(
        ['request', '--system', 'DEMO_CONSUMER', '--key', resolve('certs-sample/gost/gateway.key.pem'), PING],
        inDir,
      ),
      /the private key is \S+, its certificate rsa/,
    );
  });

  it('a whole envelope where a business payload goes is refused with what to give instead', async () => {
    const signed = await runCli(['request', '--system', 'DEMO_CONSUMER', PING], inDir);
    expect(signed.code).to.equal(0);
    writeFileSync(join(dir, 'envelope.xml'), signed.stdout);
    const run = await runCli(['send', '--system', 'DEMO_CONSUMER', 'envelope.xml'], inDir);
    expectCleanFailure(
      run,
      'the payload envelope.xml is a Envelope of the exchange itself, not a business payload',
    );
    expect(run.stderr).to.include('post it with curl');
    expectCleanFailure(
      await runCli(['queue', 'send-request', '--system', 'DEMO_CONSUMER', 'envelope.xml'], inDir),
      'not a business payload',
    );
    expectCleanFailure(
      await runCli(['send', '--system', 'DEMO_CONSUMER', 'empty.xml'], inDir),
      'the payload empty.xml is not well-formed XML',
    );
  });

  it('a store that does not exist is named and not created', async () => {
    const missing = join(dir, 'typo', 'gatewya.db');
    for (const args of [
      ['tokens', 'create', '--name', 'a', '--role', 'operator'],
      ['audit', 'verify'],
      ['log', 'verify'],
    ]) {
      expectCleanFailure(
        await runCli(args, { cwd: dir, env: { SQLITE_FILE: missing } }),
        `no gateway store at SQLite ${missing}: start the gateway once to create it`,
      );
    }
    expect(existsSync(missing)).to.equal(false);
    expect(existsSync(join(dir, 'typo'))).to.equal(false);
  });

  it('a PostgreSQL schema no gateway has used is refused, not created', async () => {
    const schema = `never_used_${process.pid}`;
    expectCleanFailure(
      await runCli(['tokens', 'list'], {
        cwd: dir,
        env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', DATABASE_SCHEMA: schema },
      }),
      `no gateway store at PostgreSQL 127.0.0.1:5432/test, schema ${schema}`,
    );
  });

  it('each command that works on a store says which one', async () => {
    const run = await runCli(['tokens', 'list'], inDir);
    expect(run.code).to.equal(0);
    expect(run.stderr).to.include(`store: SQLite ${store}`);
  });

  it('a gateway that does not answer is named with its address and how to point elsewhere', async () => {
    const port = await freePort();
    expectCleanFailure(
      await runCli(['send', '--system', 'DEMO_CONSUMER', PING], { cwd: dir, env: { PORT: String(port) } }),
      `cannot reach the gateway at http://127.0.0.1:${port}/ws (ECONNREFUSED)`,
    );
    expectCleanFailure(
      await runCli(['queue', 'statistics', '--system', 'DEMO_CONSUMER'], {
        cwd: dir,
        env: { PUBLIC_URL: `http://127.0.0.1:${port}/` },
      }),
      `cannot reach the gateway at http://127.0.0.1:${port}/ws`,
    );
  });

  it('an address that answers but is no SOAP endpoint is named as such, not as a parse error', async () => {
    const server = createServer((_req, res) =>
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expectCleanFailure(
        await runCli(
          ['send', '--url', `http://127.0.0.1:${port}/elsewhere`, '--system', 'DEMO_CONSUMER', PING],
          {
            cwd: dir,
          },
        ),
        `no SOAP endpoint answered at http://127.0.0.1:${port}/elsewhere (HTTP 404); --url names it`,
      );
    } finally {
      server.close();
    }
  });

  it("queue --contract: the version's path, an unknown version, 1.2 without its TransactionCode", async () => {
    const port = await freePort();
    const env = { cwd: dir, env: { PORT: String(port) } };
    expectCleanFailure(
      await runCli(['queue', 'statistics', '--system', 'DEMO_CONSUMER', '--contract', '1.2'], env),
      `cannot reach the gateway at http://127.0.0.1:${port}/ws/1.2`,
    );
    expectCleanFailure(
      await runCli(['queue', 'status', '--system', 'DEMO_CONSUMER', '--contract', '1.4'], env),
      '--contract 1.4 is not a served version (1.1, 1.2, 1.3)',
    );
    expectCleanFailure(
      await runCli(['queue', 'send-request', '--system', 'DEMO_CONSUMER', '--contract', '1.2', PING], env),
      'message exchange 1.2 requires --transaction-code',
    );
  });

  it('a bad setting names the setting', async () => {
    expectCleanFailure(
      await runCli(['tokens', 'list'], { cwd: dir, env: { PORT: 'eighty' } }),
      /invalid configuration:\n\s+port: /,
    );
    writeFileSync(join(dir, 'broken-config.json'), '{ "port": ');
    expectCleanFailure(
      await runCli(['send', '--system', 'DEMO_CONSUMER', '--config', 'broken-config.json', PING], {
        cwd: dir,
      }),
      'cannot read config file broken-config.json',
    );
  });

  it('output closed early (piped into head) ends quietly with exit code 0', async () => {
    const child = spawn(process.execPath, [CLI, 'routes', 'list'], {
      cwd: dir,
      env: cliEnvironment({ SQLITE_FILE: store }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // Like `head` that has read its lines: the pipe is closed before the command writes its table.
    child.stdout.destroy();
    const code = await new Promise<number | null>((done) => child.once('close', done));
    expectNoStack({ code, stdout: '', stderr });
    expect(stderr).not.to.include('EPIPE');
    expect(code).to.equal(0);
  });
});
