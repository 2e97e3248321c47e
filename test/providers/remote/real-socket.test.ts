/** The remote provider over real sockets: a node:http upstream on 127.0.0.1, no interception. */
import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RemoteProvider } from '../../../src/providers/remote/remote-provider.js';
import { contentAnswer, rejectionOf, remoteCall } from './support.js';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

async function upstream(
  handler: Handler,
): Promise<{ url: string; server: Server; calls: () => number; close(): Promise<void> }> {
  let calls = 0;
  const server = createServer((request, response) => {
    calls++;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/provide`,
    server,
    calls: () => calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const fast = (options: ConstructorParameters<typeof RemoteProvider>[0] = {}) =>
  new RemoteProvider({ retryBaseDelayMs: 10, retryMaxDelayMs: 50, ...options });

describe('RemoteProvider over a real socket', () => {
  it('posts ProvideDataRequest with its SOAP 1.1 headers and maps the answer', async () => {
    const seen: Array<{ action: string | undefined; type: string | undefined; body: string }> = [];
    const up = await upstream((request, body, response) => {
      seen.push({
        action: request.headers.soapaction as string | undefined,
        type: request.headers['content-type'],
        body,
      });
      response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(contentAnswer());
    });
    try {
      const remote = fast();
      for (let i = 0; i < 3; i++) {
        const outcome = await remote.deliver(up.url, remoteCall(), AbortSignal.timeout(5_000));
        expect(outcome.kind).to.equal('answer');
      }
      expect(seen).to.have.length(3);
      expect(seen[0]?.action).to.equal('"urn:ProvideData"');
      expect(seen[0]?.type).to.equal('text/xml; charset=utf-8');
      expect(seen[0]?.body).to.contain('<pd:Sender>DEMO_CONSUMER</pd:Sender>');
    } finally {
      await up.close();
    }
  });

  it('retries a connection the upstream drops before answering, for an idempotent request only', async () => {
    let drops = 1;
    const up = await upstream((request, _body, response) => {
      if (drops-- > 0) {
        request.socket.destroy();
        return;
      }
      response.writeHead(200, { 'content-type': 'text/xml' }).end(contentAnswer());
    });
    try {
      const outcome = await fast().deliver(
        up.url,
        remoteCall({ testMessage: true }),
        AbortSignal.timeout(5_000),
      );
      expect(outcome.kind).to.equal('answer');
      expect(up.calls()).to.equal(2);

      drops = 1;
      const error = await rejectionOf(fast().deliver(up.url, remoteCall(), AbortSignal.timeout(5_000)));
      expect(error.code).to.equal('ProviderFailure');
      expect(error.message).to.match(/connection reset \((ECONNRESET|UND_ERR_SOCKET|EPIPE)\), not retried/);
      expect(up.calls()).to.equal(3);
    } finally {
      await up.close();
    }
  });

  it('names a refused connection after its retries', async () => {
    const up = await upstream(() => undefined);
    const url = up.url;
    await up.close(); // the port is now closed
    const started = Date.now();
    const error = await rejectionOf(fast().deliver(url, remoteCall(), AbortSignal.timeout(5_000)));
    expect(error.code).to.equal('ProviderFailure');
    expect(error.message).to.contain('connection refused (ECONNREFUSED) after 3 attempts');
    expect(Date.now() - started).to.be.below(2_000);
  });

  it('gives up on an upstream that never answers, and closes the connection', async () => {
    let closed = false;
    const up = await upstream((request) => {
      request.socket.on('close', () => (closed = true));
    });
    try {
      const started = Date.now();
      const error = await rejectionOf(fast().deliver(up.url, remoteCall(), AbortSignal.timeout(300)));
      expect(error.code).to.equal('ProviderTimeout');
      expect(Date.now() - started).to.be.within(250, 1_500);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(closed).to.equal(true);
    } finally {
      await up.close();
    }
  });

  it('stops reading an endless answer at the size cap', async () => {
    const up = await upstream((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/xml' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (response.write(chunk)) if (response.destroyed) return;
      };
      response.on('drain', pump);
      response.on('error', () => undefined);
      pump();
    });
    try {
      const started = Date.now();
      const error = await rejectionOf(
        fast({ maxAnswerBytes: 1024 * 1024 }).deliver(up.url, remoteCall(), AbortSignal.timeout(5_000)),
      );
      expect(error.code).to.equal('ProviderFailure');
      expect(error.message).to.contain('the answer exceeds 1048576 bytes');
      expect(Date.now() - started).to.be.below(2_000);
    } finally {
      await up.close();
    }
  });
});
