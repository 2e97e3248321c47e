/**
 * Test support: a real time-stamping authority on loopback. OpenSSL's `openssl ts -reply` signs the replies with
 * a TSA certificate issued by a test CA made here; a small HTTP wrapper takes `application/timestamp-query` and
 * answers `application/timestamp-reply`. `down()` makes it refuse connections, as an unreachable TSA would.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface TestTsa {
  readonly url: string;
  readonly dir: string;
  /** The TSA's certificate (PEM file) and the CA that issued it. */
  readonly certificateFile: string;
  readonly caFile: string;
  /** Replies given so far. */
  readonly replies: () => number;
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

function makePki(dir: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3650',
    ].concat(['-subj', '/CN=smev-gateway test TSA CA', '-addext', 'basicConstraints=critical,CA:TRUE']),
    dir,
  );
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'tsa.key',
      '-out',
      'tsa.csr',
      '-subj',
      '/CN=test TSA',
    ],
    dir,
  );
  writeFileSync(join(dir, 'tsa.ext'), 'extendedKeyUsage=critical,timeStamping\nbasicConstraints=CA:FALSE\n');
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'tsa.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'tsa.pem',
    ].concat(['-days', '3650', '-extfile', 'tsa.ext']),
    dir,
  );
  writeFileSync(
    join(dir, 'tsa.cnf'),
    [
      '[ tsa ]',
      'default_tsa = tsa_config',
      '[ tsa_config ]',
      `dir = ${dir}`,
      'serial = $dir/tsaserial',
      'signer_cert = $dir/tsa.pem',
      'signer_key = $dir/tsa.key',
      'signer_digest = sha256',
      'default_policy = 1.2.3.4.1',
      'digests = sha256',
      'accuracy = secs:1',
      'ordering = no',
      'tsa_name = no',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'tsaserial'), '01\n');
}

export async function startTestTsa(): Promise<TestTsa> {
  const dir = mkdtempSync(join(tmpdir(), 'smev-gateway-tsa-'));
  makePki(dir);
  let replies = 0;
  let counter = 0;
  const handler = (body: Buffer): Buffer => {
    const n = ++counter;
    const query = join(dir, `q${n}.tsq`);
    const reply = join(dir, `r${n}.tsr`);
    writeFileSync(query, body);
    openssl(['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', query, '-out', reply], dir);
    const out = readFileSync(reply);
    rmSync(query);
    rmSync(reply);
    replies++;
    return out;
  };
  let server: Server | undefined;
  let port = 0;
  const up = async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
          res.writeHead(415).end();
          return;
        }
        try {
          const out = handler(Buffer.concat(chunks));
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(out);
        } catch {
          res.writeHead(500).end();
        }
      });
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  };
  const down = async () => {
    if (!server) return;
    const closing = server;
    server = undefined;
    closing.closeAllConnections();
    await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  await up();
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    dir,
    certificateFile: join(dir, 'tsa.pem'),
    caFile: join(dir, 'ca.pem'),
    replies: () => replies,
    down,
    up,
    stop: async () => {
      await down();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
