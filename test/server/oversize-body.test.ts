/**
 * An oversize body, sent the way Java's HTTP clients send it (the whole body written before the answer is read),
 * gets its 413 fault: the gateway reads and discards the rest up to `limits.discardBodyBytes`. Past that bound
 * it answers at once and closes, without reading the body.
 */
import { expect } from 'chai';
import { connect } from 'node:net';
import { useGateway } from '../support/gateway.js';

const LIMIT = 10_000;
/** Large enough that the loopback socket buffers cannot absorb the body: without the drain the write stalls. */
const BOUND = 64 * 1024 * 1024;

/** Write head and body in full, and only then read: resolves with what came back and whether the write ended. */
function writeAllThenRead(endpoint: string, bodyBytes: number): Promise<{ answer: string; wrote: boolean }> {
  const url = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const parts: Buffer[] = [];
    let wrote = false;
    const head =
      `POST /ws HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: text/xml; charset=utf-8\r\n` +
      `SOAPAction: "urn:Call"\r\nContent-Length: ${bodyBytes}\r\n\r\n`;
    socket.on('connect', () => {
      socket.write(head);
      socket.write(Buffer.alloc(bodyBytes, 0x20), (error) => {
        wrote = !error;
        // Only now start reading, as a client that writes first does.
        socket.on('data', (chunk: Buffer) => parts.push(chunk));
        socket.resume();
      });
      socket.pause();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ answer: Buffer.concat(parts).toString('utf8'), wrote }));
  });
}

describe('server: oversize bodies are read and discarded before the fault', function () {
  this.timeout(60_000);
  const gateway = useGateway({
    overrides: { 'limits.maxBodyBytes': LIMIT, 'limits.discardBodyBytes': BOUND },
  });

  it('a 32 MB body written in full before reading gets the 413 MessageTooLarge fault, then the connection closes', async () => {
    const { answer, wrote } = await writeAllThenRead(gateway.endpoint, 32 * 1024 * 1024);
    expect(wrote, 'the whole body was accepted by the gateway').to.equal(true);
    expect(answer).to.match(/^HTTP\/1\.1 413 /);
    expect(answer).to.match(/connection: close/i);
    expect(answer).to.contain('MessageTooLarge');
  });

  it('a body announced past the bound is answered at once, unread, and the connection closed', async () => {
    const started = Date.now();
    const { answer } = await writeAllThenRead(gateway.endpoint, BOUND + 1024 * 1024);
    // The client may see the fault or, having not finished writing, a reset: never a hang.
    if (answer) expect(answer).to.match(/^HTTP\/1\.1 413 /);
    expect(Date.now() - started).to.be.below(20_000);
  });
});
