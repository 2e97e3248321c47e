/** Helpers for the HTTP-side tests: HTTPS requests with a chosen CA and client certificate, and raw sockets. */
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export const SAMPLE = {
  ca: 'certs-sample/ca.crt.pem',
  crl: 'certs-sample/ca.crl.pem',
  serverCert: 'certs-sample/tls/server.crt.pem',
  serverKey: 'certs-sample/tls/server.key.pem',
  clientCert: 'certs-sample/tls/client.crt.pem',
  clientKey: 'certs-sample/tls/client.key.pem',
} as const;

export const pem = (file: string): string => readFileSync(file, 'utf8');

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpsOptions {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** One HTTPS request; rejects when TLS refuses the connection. */
export function httpsCall(url: string, options: HttpsOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.cert ? { cert: options.cert, key: options.key } : {}),
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

export interface Stalled {
  /** Everything the server sent before it closed the connection. */
  readonly received: string;
  /** Milliseconds from connecting to the server closing the connection. */
  readonly ms: number;
  /** Bytes of `data` the client had sent when the server closed. */
  readonly sent: number;
}

/**
 * A slow client: connects, sends `prefix` at once, then `trickle` one byte every `everyMs`, and reports when and how
 * the server closed the connection. `closed` tells, at any moment, whether the server has closed it yet.
 */
export function slowClient(
  url: string,
  prefix: string,
  trickle: string,
  everyMs: number,
): { done: Promise<Stalled>; closed: () => boolean } {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  const started = performance.now();
  let closed = false;
  let sent = 0;
  let received = '';
  const done = new Promise<Stalled>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    socket.once('connect', () => {
      if (prefix) socket.write(prefix);
      timer = setInterval(() => {
        if (sent < trickle.length && !socket.destroyed) socket.write(trickle[sent++] as string);
      }, everyMs);
    });
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearInterval(timer);
      closed = true;
      resolve({ received, ms: performance.now() - started, sent });
    });
  });
  return { done, closed: () => closed };
}
