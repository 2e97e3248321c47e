import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
      while (listening() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
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
