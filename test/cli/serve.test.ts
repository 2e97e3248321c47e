import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { workerHeapFlags } from '../../src/cli/serve.js';
import { postSoap } from '../../src/client/send.js';
import { SOAP11 } from '../../src/soap/version.js';
import { signedCall } from '../support/gateway.js';
import { spawnGateway } from '../support/child-gateway.js';

describe('serve: the flags its cluster workers start with', () => {
  it('gives the workers 64 MB semi-spaces when node was given no size', () => {
    expect(workerHeapFlags([], undefined)).to.deep.equal(['--max-semi-space-size=64']);
    expect(workerHeapFlags(['--enable-source-maps'], '--max-old-space-size=4096')).to.deep.equal([
      '--max-semi-space-size=64',
    ]);
  });

  it("keeps the operator's own size, from NODE_OPTIONS or node's command line, in either spelling", () => {
    expect(workerHeapFlags([], '--max-semi-space-size=16')).to.deep.equal([]);
    expect(workerHeapFlags(['--max_semi_space_size=8'], undefined)).to.deep.equal([]);
  });
});

describe('serve: the first start of several workers on an empty folder', function () {
  this.timeout(90_000);

  it('starts every worker once: none dies making the store or the message-log key, and Calls are answered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smev-serve-'));
    const gateway = await spawnGateway({
      env: { WORKERS: '3', LOG_LEVEL: 'info', SQLITE_FILE: join(dir, 'gateway.db') },
      startTimeoutMs: 60_000,
    });
    try {
      const deadline = Date.now() + 30_000;
      const listening = () => gateway.output().match(/gateway listening/g)?.length ?? 0;
      while (listening() < 3 && Date.now() < deadline) await sleep(100);
      expect(listening(), gateway.output()).to.equal(3);
      expect(gateway.output()).not.to.match(/worker died|EEXIST/);
      expect(statSync(join(dir, 'message-log.key')).mode & 0o777).to.equal(0o600);
      for (let i = 0; i < 6; i++) {
        const response = await postSoap(gateway.endpoint, signedCall().xml, SOAP11, 'urn:Call');
        expect(response.status, response.body).to.equal(200);
        expect(response.body).to.contain('PingResponse');
      }
    } finally {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(existsSync(dir)).to.equal(false);
  });
});

describe('serve: workers that cannot start', function () {
  this.timeout(60_000);

  it('a taken port stops the gateway with the reason and exit code 1, instead of restarting workers in a loop', async () => {
    // It hangs up on whoever connects, so the wait for /health sees the gateway exit.
    const taken = createServer((socket) => socket.destroy());
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as AddressInfo;
    const dir = mkdtempSync(join(tmpdir(), 'smev-serve-'));
    try {
      const started = Date.now();
      const error = await spawnGateway({
        port,
        env: { WORKERS: '2', SQLITE_FILE: join(dir, 'gateway.db') },
        startTimeoutMs: 45_000,
      }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).to.match(/the gateway exited \(1\)/);
      expect(error?.message).to.contain('EADDRINUSE');
      expect(error?.message).to.contain('could not start');
      expect(error?.message.match(/starting another/g) ?? []).to.have.length(0);
      expect(Date.now() - started).to.be.below(30_000);
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('serve: an idle gateway', function () {
  this.timeout(60_000);

  it('sleeps: its event loop wakes a few times a second, not a hundred (timers, polls, metrics)', async function () {
    if (process.platform !== 'linux') this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'smev-idle-'));
    const gateway = await spawnGateway({ env: { WORKERS: '1', SQLITE_FILE: join(dir, 'gateway.db') } });
    try {
      const pid = gateway.process.pid as number;
      // The main thread's voluntary context switches: one each time its event loop sleeps and is woken.
      const wakeups = () =>
        Number(
          /voluntary_ctxt_switches:\s+(\d+)/.exec(
            readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8'),
          )?.[1],
        );
      await sleep(3000);
      const before = wakeups();
      await sleep(4000);
      const perSecond = (wakeups() - before) / 4;
      expect(perSecond).to.be.below(40);
    } finally {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
