/**
 * Running the gateway: health, Prometheus metrics counting exchanges and faults, request ids, and the real CLI
 * process draining an in-flight exchange on SIGTERM, exiting 0, with JSON log lines tied together by requestId.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCallAnswer } from '../../src/client/answer.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { signedCall, useGateway } from '../support/gateway.js';
import { postSoapRaw, rawHttp } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Prometheus text format, samples only. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key as string] = value as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

function sample(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

describe('foundation: operations', () => {
  const gateway = useGateway();

  it('GET /health is 200: up for anyone, the store named only to an operator', async () => {
    const response = await fetch(`${gateway.url}/health`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    expect(await response.json()).to.deep.equal({ status: 'up' });
    const { token } = await gateway.registry.createToken(
      { name: 'health', role: 'operator' },
      'op',
      'operator',
    );
    const operator = await fetch(`${gateway.url}/health`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await operator.json()) as { status: string; store: string };
    expect(body.status).to.equal('up');
    expect(body.store).to.equal('sqlite');
  });

  it('GET /metrics counts a Call, a fault by its code, and the latency histogram', async () => {
    const { xml } = signedCall();
    expect((await postSoapRaw(gateway.endpoint, xml)).status).to.equal(200);
    expect((await postSoapRaw(gateway.endpoint, xml)).status).to.equal(500); // replay: MessageIsAlreadySent
    const unsupported = await rawHttp(gateway.endpoint, {
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(unsupported.status).to.equal(415);

    const response = await fetch(`${gateway.url}/metrics`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/plain/);
    const text = await response.text();
    expect(text).to.contain('# TYPE smev_gateway_exchanges_total counter');
    expect(text).to.contain('# TYPE smev_gateway_exchange_duration_seconds histogram');
    const samples = parseMetrics(text);
    const total = 'smev_gateway_exchanges_total';
    expect(sample(samples, total, { operation: 'Call', fault: 'none' })).to.be.at.least(1);
    expect(sample(samples, total, { operation: 'Call', fault: 'Client.MessageIsAlreadySent' })).to.equal(1);
    expect(sample(samples, total, { operation: 'unknown', fault: 'Client.UnsupportedMediaType' })).to.equal(
      1,
    );

    const histogram = 'smev_gateway_exchange_duration_seconds';
    const calls = sample(samples, `${histogram}_count`, { operation: 'Call' }) ?? 0;
    expect(calls).to.be.at.least(2);
    expect(sample(samples, `${histogram}_bucket`, { operation: 'Call', le: '+Inf' })).to.equal(calls);
    expect(sample(samples, `${histogram}_sum`, { operation: 'Call' })).to.be.above(0);
    const buckets = samples.filter((s) => s.name === `${histogram}_bucket` && s.labels.operation === 'Call');
    expect(buckets.length).to.be.at.least(5);
    for (let i = 1; i < buckets.length; i++) {
      expect((buckets[i] as Sample).value, 'buckets are cumulative').to.be.at.least(
        (buckets[i - 1] as Sample).value,
      );
    }
    // Process metrics come along.
    expect(text).to.contain('process_cpu_user_seconds_total');
  });

  it('the counter goes up by exactly one per exchange', async () => {
    const read = async () =>
      sample(
        parseMetrics(await (await fetch(`${gateway.url}/metrics`)).text()),
        'smev_gateway_exchanges_total',
        {
          operation: 'Call',
          fault: 'none',
        },
      ) ?? 0;
    const before = await read();
    for (let i = 0; i < 3; i++)
      expect((await postSoapRaw(gateway.endpoint, signedCall().xml)).status).to.equal(200);
    expect(await read()).to.equal(before + 3);
  });

  it('X-Request-Id: a valid one is echoed, an invalid or missing one is replaced by a generated UUID', async () => {
    const given = await postSoapRaw(gateway.endpoint, signedCall().xml, undefined, undefined, {
      'x-request-id': 'client-req.42:a_b',
    });
    expect(given.headers['x-request-id']).to.equal('client-req.42:a_b');

    const missing = await postSoapRaw(gateway.endpoint, signedCall().xml);
    expect(missing.headers['x-request-id']).to.match(UUID);

    for (const bad of ['has spaces in it', 'x'.repeat(65), 'semi;colon', '<script>']) {
      const response = await postSoapRaw(gateway.endpoint, signedCall().xml, undefined, undefined, {
        'x-request-id': bad,
      });
      expect(response.headers['x-request-id'], bad).to.match(UUID);
    }
    const two = await Promise.all([
      postSoapRaw(gateway.endpoint, signedCall().xml),
      postSoapRaw(gateway.endpoint, signedCall().xml),
    ]);
    expect(two[0].headers['x-request-id']).not.to.equal(two[1].headers['x-request-id']);
  });

  it('a fault answer carries the X-Request-Id too', async () => {
    const response = await rawHttp(gateway.endpoint, {
      body: '{}',
      headers: { 'content-type': 'application/json', 'x-request-id': 'fault-req-1' },
    });
    expect(response.status).to.equal(415);
    expect(response.headers['x-request-id']).to.equal('fault-req-1');
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('foundation: the CLI process (serve, SIGTERM drain, JSON logs)', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let stdout = '';
  let stderr = '';
  let port: number;
  let shutdownAfterLastAnswerMs = Number.NaN;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smev-cli-test-'));
    port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SQLITE_FILE: join(dir, 'gateway.db'),
    };
    delete env.DATABASE_URL;
    delete env.SMEV_GATEWAY_CONFIG;
    delete env.PUBLIC_URL;
    child = spawn(process.execPath, ['dist/src/cli/main.js', 'serve'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const deadline = Date.now() + 20_000;
    while (!stdout.includes('gateway listening')) {
      if (child.exitCode !== null)
        throw new Error(`the gateway exited ${child.exitCode}: ${stderr}${stdout}`);
      if (Date.now() > deadline) throw new Error(`no "gateway listening" within 20 s: ${stderr}${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  });

  after(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves, drains an exchange in flight at SIGTERM, exits 0 and logs JSON lines tied by requestId', async () => {
    const endpoint = `http://127.0.0.1:${port}/ws`;
    const process_ = child as ChildProcess;

    // An exchange before the signal, and one refused, each with a request id of ours.
    const ok = await postSoapRaw(endpoint, signedCall().xml, undefined, undefined, {
      'x-request-id': 'cli-ok-1',
    });
    expect(ok.status, ok.body).to.equal(200);
    const trust = loadTrustStore((await import('../../src/config/config.js')).loadConfig({ env: {} }));
    expect(readCallAnswer(ok.body, trust).kind).to.equal('answer');
    const { xml: replayed } = signedCall();
    await postSoapRaw(endpoint, replayed);
    const refused = await postSoapRaw(endpoint, replayed, undefined, undefined, {
      'x-request-id': 'cli-refused-1',
    });
    expect(refused.status).to.equal(500);

    // An exchange in flight when SIGTERM arrives: headers and half the body sent, the rest after the signal.
    const body = Buffer.from(signedCall().xml);
    const inFlight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/ws',
          method: 'POST',
          headers: {
            'content-type': 'text/xml; charset=utf-8',
            soapaction: '"urn:Call"',
            'x-request-id': 'cli-drain-1',
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, body.length >> 1));
      setTimeout(() => {
        process_.kill('SIGTERM');
        setTimeout(() => req.end(body.subarray(body.length >> 1)), 300);
      }, 200);
    });
    const exited = once(process_, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

    const drained = await inFlight;
    const answeredAt = Date.now();
    expect(drained.status, drained.body).to.equal(200);
    expect(readCallAnswer(drained.body, trust).kind).to.equal('answer');

    const [code, signal] = await exited;
    expect(signal).to.equal(null);
    expect(code, stderr).to.equal(0);
    // Within the configured grace (limits.shutdownGraceSeconds, 10 s by default).
    shutdownAfterLastAnswerMs = Date.now() - answeredAt;
    expect(shutdownAfterLastAnswerMs).to.be.below(10_000);

    // The port is closed after the stop.
    let refusedConnection = false;
    try {
      await fetch(`http://127.0.0.1:${port}/health`);
    } catch {
      refusedConnection = true;
    }
    expect(refusedConnection).to.equal(true);

    // Every stdout line is one JSON object.
    const lines = stdout.split('\n').filter((line) => line.trim() !== '');
    const entries = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
    const messages = entries.map((e) => e.message);
    expect(messages).to.include('gateway listening');
    expect(messages).to.include('signal received');
    expect(messages).to.include('gateway stopped');
    expect(messages.indexOf('gateway stopped')).to.be.above(messages.indexOf('signal received'));
    for (const entry of entries) {
      expect(entry.level, JSON.stringify(entry)).to.be.a('string');
      expect(entry.timestamp, JSON.stringify(entry)).to.be.a('string');
    }

    // Each exchange's lines carry its request id; the refused one has more than one line, all with the same id.
    const byId = (id: string) => entries.filter((e) => e.requestId === id);
    expect(byId('cli-ok-1').map((e) => e.message)).to.include('exchange');
    expect(byId('cli-drain-1').map((e) => e.message)).to.include('exchange');
    const refusedLines = byId('cli-refused-1');
    expect(refusedLines.map((e) => e.message)).to.include.members(['exchange refused', 'exchange']);
    // And no line that speaks of the refused exchange's MessageID carries another request id.
    const refusedMessageId = refusedLines.find((e) => typeof e.messageId === 'string')?.messageId;
    expect(refusedMessageId).to.be.a('string');
    const aboutIt = entries.filter((e) => e.messageId === refusedMessageId);
    const ids = new Set(aboutIt.map((e) => e.requestId));
    // The replayed MessageID was sent twice: once accepted (its own generated id), once refused (ours).
    expect(ids.has('cli-refused-1')).to.equal(true);
    expect(ids.size).to.equal(2);
    for (const entry of entries.filter((e) => e.message === 'exchange' || e.message === 'exchange refused')) {
      expect(entry.requestId, JSON.stringify(entry)).to.be.a('string');
    }
  });

  // Answers sent while draining leave their sockets idle; the drain closes them as they become idle.
  it('exits promptly (under 1 s) once the last in-flight exchange is answered', () => {
    expect(shutdownAfterLastAnswerMs).to.be.below(1000);
  });
});
