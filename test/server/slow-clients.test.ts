/**
 * Slow-loris protection with raw sockets: a client trickling its headers, one trickling its body and one sending
 * nothing are each cut off with 408 within their deadline, while a signed request sent meanwhile is answered;
 * idle keep-alive connections close, and oversize headers are refused with 431.
 */
import { expect } from 'chai';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { readCallAnswer } from '../../src/client/answer.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { post, signedCall, useGateway } from '../support/gateway.js';
import { slowClient } from './support.js';

const HEADERS_MS = 1000;
const REQUEST_MS = 2000;
const KEEP_ALIVE_MS = 500;
/** Node checks deadlines on an interval (a quarter of the shortest one here) and the test machine is shared. */
const SLACK_MS = 700;

const HEAD =
  'POST /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\n' +
  'SOAPAction: "urn:Call"\r\nContent-Length: 1000\r\n\r\n';

describe('server: slow clients', function () {
  this.timeout(30_000);

  const gateway = useGateway({
    overrides: {
      'http.headersTimeoutMs': HEADERS_MS,
      'http.requestTimeoutMs': REQUEST_MS,
      'http.keepAliveTimeoutMs': KEEP_ALIVE_MS,
      'http.maxHeaderBytes': 4096,
    },
  });

  it('cuts off headers sent a byte at a time, a body sent a byte at a time and a silent client, and answers a signed request meanwhile', async () => {
    const headers = slowClient(gateway.url, '', HEAD, 300);
    const body = slowClient(gateway.url, HEAD, '<'.repeat(1000), 300);
    const silent = slowClient(gateway.url, '', '', 1000);

    await new Promise((resolve) => setTimeout(resolve, 400));
    const started = performance.now();
    const call = signedCall();
    const answered = await post(gateway, call.xml);
    const ms = performance.now() - started;
    expect(answered.status).to.equal(200);
    expect(readCallAnswer(answered.body, loadTrustStore(gateway.config)).kind).to.equal('answer');
    expect(headers.closed() || body.closed() || silent.closed(), 'answered while they stalled').to.equal(
      false,
    );
    expect(ms).to.be.below(HEADERS_MS);

    const [h, b, s] = await Promise.all([headers.done, body.done, silent.done]);
    for (const [name, stalled, deadline] of [
      ['headers', h, HEADERS_MS],
      ['body', b, REQUEST_MS],
      ['silent', s, HEADERS_MS],
    ] as const) {
      expect(stalled.received, name).to.match(/^HTTP\/1\.1 408 /);
      expect(stalled.ms, name).to.be.within(deadline - 100, deadline + SLACK_MS);
    }
    expect(h.sent, 'header bytes sent').to.be.below(HEAD.length);
    expect(b.sent, 'body bytes sent').to.be.below(1000);
  });

  it('closes a keep-alive connection left idle', async () => {
    const { hostname, port } = new URL(gateway.url);
    const socket = connect(Number(port), hostname);
    let received = '';
    let answeredAt = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      answeredAt ||= performance.now();
    });
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    await new Promise((resolve) => socket.once('close', resolve));
    expect(received).to.match(/^HTTP\/1\.1 200 /);
    // node keeps the socket a second longer than it announces, so a client reusing it just in time is not cut off.
    const idle = KEEP_ALIVE_MS + 1000;
    expect(performance.now() - answeredAt).to.be.within(KEEP_ALIVE_MS, idle + SLACK_MS);
  });

  it('refuses headers larger than http.maxHeaderBytes with 431', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        `${gateway.url}/health`,
        { headers: { 'x-padding': 'p'.repeat(8 * 1024) } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end();
    });
    expect(status).to.equal(431);
  });
});
