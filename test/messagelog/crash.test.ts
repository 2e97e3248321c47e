/**
 * SIGKILL in the middle of a load run: the gateway as `npm start` runs it (a child process on SQLite) takes
 * signed pings from 20 concurrent clients and is killed with `kill -9` while they are in flight. Restarted on the
 * same file (same port, so the same instance chain), it continues the chain; `log verify` says intact, and every
 * request a client saw answered with HTTP 200 has its record: nothing answered went unlogged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openStore } from '../../src/store/store.js';
import { freePort, spawnGateway, type ChildGateway } from '../support/child-gateway.js';
import { signedCall } from '../support/gateway.js';
import { cli } from './support.js';

const CONCURRENCY = 20;
const PRESIGNED = 2000;
/** How long the load runs before the kill (at least; and not before 20 answers). */
const RUN_MS = 2000;

const serve = (port: number, sqliteFile: string) => spawnGateway({ port, env: { SQLITE_FILE: sqliteFile } });

const ping = (port: number, xml: string) =>
  fetch(`http://127.0.0.1:${port}/ws`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:Call"' },
    body: xml,
  });

describe('message log: SIGKILL in the middle of a load run (SQLite, real CLI)', function () {
  this.timeout(180_000);
  let dir: string;
  let child: ChildGateway | undefined;
  after(async () => {
    await child?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every answered request has its record and the chain verifies after restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'smev-gateway-crash-'));
    const sqliteFile = join(dir, 'gateway.db');
    const port = await freePort();
    const requests = Array.from({ length: PRESIGNED }, () => signedCall());

    child = await serve(port, sqliteFile);
    const answered: string[] = [];
    // Warm up (first exchanges compile code paths), so the kill lands in a steady run.
    for (const request of Array.from({ length: 3 }, () => signedCall())) {
      const response = await ping(port, request.xml);
      expect(response.status).to.equal(200);
      await response.text();
      answered.push(request.messageId);
    }
    let next = 0;
    let sent = 0;
    let refused = 0;
    let errors = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        sent++;
        try {
          const response = await ping(port, request.xml);
          const body = await response.text();
          if (response.status === 200 && body.includes('PingResponse')) answered.push(request.messageId);
          else refused++;
        } catch {
          errors++;
          return; // the gateway is gone
        }
      }
    };
    const load = Promise.all(Array.from({ length: CONCURRENCY }, worker));
    // Kill once the run is well under way: after RUN_MS and at least some answers.
    while (performance.now() - started < RUN_MS || answered.length < 20) {
      if (next >= requests.length) throw new Error('ran out of pre-signed requests before the kill');
      await new Promise((r) => setTimeout(r, 20));
    }
    const killedAfterMs = performance.now() - started;
    const answeredAtKill = answered.length;
    await child.kill();
    await load;
    expect(child.process.signalCode).to.equal('SIGKILL');
    expect(errors, 'requests in flight at the kill must fail').to.be.greaterThan(0);
    expect(refused).to.equal(0);

    // Restart on the same file and port: the same instance chain continues.
    child = await serve(port, sqliteFile);
    const after = Array.from({ length: 5 }, () => signedCall());
    for (const request of after) {
      const response = await ping(port, request.xml);
      expect(response.status).to.equal(200);
      await response.text();
      answered.push(request.messageId);
    }
    expect(await child.stop()).to.equal(0);

    const verify = cli(['log', 'verify'], { SQLITE_FILE: sqliteFile });
    expect(verify.status, verify.stdout + verify.stderr).to.equal(0);
    expect(verify.stdout).to.contain('verdict: intact');

    const store = await openStore({ sqliteFile });
    try {
      const rows = await store.db
        .selectFrom('message_log')
        .select(['message_id', 'instance_id', 'seq', 'http_status'])
        .execute();
      const instances = new Set(rows.map((r) => r.instance_id));
      expect([...instances], 'one chain across the restart').to.have.length(1);
      const logged = new Set(rows.filter((r) => Number(r.http_status) === 200).map((r) => r.message_id));
      const missing = answered.filter((id) => !logged.has(id));
      expect(missing, 'answered but not logged').to.deep.equal([]);
      expect(rows.length).to.be.at.least(answered.length);
      process.stdout.write(
        `      sent ${sent} in ${killedAfterMs.toFixed(0)} ms before the kill; answered 200 before the kill: ${answeredAtKill} ` +
          `(3 of them warm-up; ${((answeredAtKill - 3) / (killedAfterMs / 1000)).toFixed(0)}/s) / ` +
          `${answered.length - after.length} in all; failed in flight: ${errors}; records after restart: ${rows.length} ` +
          `(${rows.length - answered.length} recorded but never answered)\n`,
      );
    } finally {
      await store.close();
    }
  });
});
