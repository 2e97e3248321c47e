/**
 * The listening server: plain HTTP, or HTTPS (with mutual TLS when configured), with deadlines so that slow
 * clients (slow-loris) cannot hold connections open: headers, whole requests, idle keep-alive connections and TLS
 * handshakes each have one, and headers have a size limit.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import {
  createServer as createHttpsServer,
  type Server as HttpsServer,
  type ServerOptions,
} from 'node:https';
import { ConfigError } from '../config/config.js';
import type { HttpSettings, TlsSettings } from '../config/http.js';

export type GatewayServer = HttpServer | HttpsServer;

export interface CreatedServer {
  readonly server: GatewayServer;
  readonly scheme: 'http' | 'https';
}

/** Told of each TLS connection refused before any request: nothing of it reaches express. */
export type TlsRefusalListener = (reason: string, remoteAddress: string | undefined, message: string) => void;

export function createGatewayServer(
  listener: RequestListener,
  settings: HttpSettings,
  onTlsRefusal?: TlsRefusalListener,
): CreatedServer {
  const deadlines = {
    headersTimeout: settings.headersTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    maxHeaderSize: settings.maxHeaderBytes,
    // Node checks the header and request deadlines on this interval (30 s by default, which would let a
    // 15-second deadline stretch to 45): check often enough that a deadline holds to within a quarter of itself.
    connectionsCheckingInterval: Math.max(
      100,
      Math.min(1000, Math.floor(Math.min(settings.headersTimeoutMs, settings.requestTimeoutMs) / 4)),
    ),
  };
  if (!settings.tls) return { server: createHttpServer(deadlines, listener), scheme: 'http' };
  const options: ServerOptions = {
    ...deadlines,
    ...tlsOptions(settings.tls),
    // A client that opens a connection and never finishes the handshake gets no more time than one sending headers.
    handshakeTimeout: settings.headersTimeoutMs,
  };
  const server = createHttpsServer(options, listener);
  if (onTlsRefusal) {
    server.on('tlsClientError', (error: NodeJS.ErrnoException, socket) => {
      onTlsRefusal(error.code ?? 'UNKNOWN', socket.remoteAddress, error.message);
    });
  }
  return { server, scheme: 'https' };
}

/** node's TLS options from the settings; mutual TLS refuses a client without a certificate from a trusted CA. */
export function tlsOptions(tls: TlsSettings): ServerOptions {
  const options: ServerOptions = {
    cert: read('http.tls.cert', tls.cert),
    key: read('http.tls.key', tls.key),
    minVersion: tls.minVersion,
  };
  if (tls.clientCaFiles.length > 0)
    options.ca = tls.clientCaFiles.map((file) => read('http.tls.clientCaFiles', file));
  // node turns on OpenSSL's CRL checks for the whole chain as soon as a CRL is given.
  if (tls.clientCrlFiles.length > 0)
    options.crl = tls.clientCrlFiles.map((file) => read('http.tls.clientCrlFiles', file));
  if (tls.requireClientCert) {
    options.requestCert = true;
    options.rejectUnauthorized = true;
  }
  return options;
}

function read(setting: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${setting}: cannot read ${file}: ${(error as Error).message}`);
  }
}
