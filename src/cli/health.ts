/**
 * `smev-gateway health`: exit 0 when the gateway the configuration describes answers `/health` with up, 1
 * otherwise. The container health check: it follows PORT, HOST and TLS as `serve` reads them.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { gatewayEndpoint } from './gateway-url.js';
import { printLines } from './output.js';

export async function health(options: { config?: string; url?: string }): Promise<void> {
  const url = new URL(
    '/health',
    options.url ?? gatewayEndpoint({ ...(options.config ? { config: options.config } : {}) }),
  );
  const status = await new Promise<number>((done) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // Probing this very gateway over loopback: up or down is all it reads, so its TLS name need not match.
    const request = send(url, { timeout: 3000, rejectUnauthorized: false }, (response) => {
      response.resume();
      done(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => done(0));
    request.end();
  });
  printLines(`${url.href}: ${status === 200 ? 'up' : status === 0 ? 'no answer' : `HTTP ${status}`}`);
  if (status !== 200) process.exitCode = 1;
}
