/**
 * Where the CLI finds the running gateway: `--url` when given, otherwise the configuration the gateway itself
 * reads (config file, `PUBLIC_URL`, `HOST`, `PORT`, TLS), so `PORT=9090 smev-gateway send …` reaches a gateway
 * started with `PORT=9090`.
 */
import { loadConfig } from '../config/config.js';
import { withoutTrailing } from '../core/trim.js';

export function gatewayEndpoint(options: { url?: string; config?: string }): string {
  if (options.url) return endpointOf(options.url);
  const config = loadConfig({ file: options.config });
  if (config.publicUrl) return `${withoutTrailing(config.publicUrl, '/')}/ws`;
  // A gateway listening on every address is reached on loopback.
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
  const scheme = config.http.tls ? 'https' : 'http';
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${config.port}/ws`;
}

/** `--url` names the SOAP endpoint; a bare gateway address (no path) means its 1.1 endpoint, `/ws`. */
function endpointOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url; // the request names it in its own error
  }
  return parsed.pathname === '/' && !parsed.search ? `${parsed.origin}/ws` : url;
}
