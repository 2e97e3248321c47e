/**
 * Settings of the HTTP side (`http.*`): TLS and mutual TLS, which proxy may name the client, deadlines for slow
 * clients, and request limits per client address. The defaults serve plain HTTP as before.
 */
import { z } from 'zod';
import { TrustProxySchema } from './trust-proxy.js';

const TlsSettingsSchema = z
  .object({
    cert: z
      .string()
      .min(1)
      .describe("The server's certificate (PEM; intermediates may follow it in the same file)."),
    key: z.string().min(1).describe("The server certificate's private key (PEM)."),
    requireClientCert: z
      .boolean()
      .default(false)
      .describe('Mutual TLS: every client must present a certificate chaining to one of `clientCaFiles`.'),
    clientCaFiles: z.array(z.string().min(1)).default([]).describe('CAs client certificates must chain to.'),
    clientCrlFiles: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'CRLs checked for client certificates; when given, every CA of `clientCaFiles` needs a current one.',
      ),
    minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2').describe('Oldest TLS version accepted.'),
  })
  .strict()
  .refine((tls) => !tls.requireClientCert || tls.clientCaFiles.length > 0, {
    message: 'requireClientCert needs clientCaFiles: the CAs client certificates must chain to',
    path: ['clientCaFiles'],
  });

export const HttpSettingsSchema = z
  .object({
    trustProxy: TrustProxySchema.default(false).describe(
      "Which proxies may name the client in X-Forwarded-For (express's `trust proxy`): a hop count, or " +
        'addresses and subnets (`loopback`, `10.0.0.0/8`, …). Off by default: the client is the peer of the TCP ' +
        'connection. A value that trusts anyone is refused, since any client could then choose its own address: ' +
        '`true`, IPv4 ranges wider than /8, IPv6 ranges wider than /16 (name the private blocks `uniquelocal`, ' +
        '`linklocal`), and hop counts above 5.',
    ),
    headersTimeoutMs: z.coerce
      .number()
      .int()
      .positive()
      .default(15_000)
      .describe(
        "Deadline for a request's headers, counted from its first byte (or from the connection for the first " +
          'one); TLS handshakes must finish within it too.',
      ),
    requestTimeoutMs: z.coerce
      .number()
      .int()
      .positive()
      .default(60_000)
      .describe('Deadline for the whole request, headers and body (408 past it).'),
    keepAliveTimeoutMs: z.coerce
      .number()
      .int()
      .positive()
      .default(5_000)
      .describe('How long an idle keep-alive connection stays open.'),
    maxHeaderBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024)
      .default(16_384)
      .describe("Largest total size of a request's headers; more is answered 431."),
    rateLimit: z
      .object({
        windowSeconds: z.coerce.number().int().positive().default(60).describe('Counting window.'),
        soap: z.coerce
          .number()
          .int()
          .min(0)
          .default(6000)
          .describe(
            'Refused requests and WSDL or schema fetches on `/ws` per window from one client address, counted by ' +
              'each worker process; 0 turns the limit off. A message answered with 200 is not counted (a ' +
              "system's signed traffic has its own quota, `queue.ratePerSecond`). On by default, so that one " +
              'source cannot fill the message log with messages the gateway refuses.',
          ),
        soapRefusedBytes: z.coerce
          .number()
          .int()
          .min(0)
          .default(8 * 1024 * 1024)
          .describe(
            'Bytes of refused messages on `/ws` (their text, after any Content-Encoding is undone) per window from ' +
              'one client address, counted by each worker process; past it the address is refused like past ' +
              '`soap`; 0 turns the limit off. Everything before the signature check costs in proportion to the ' +
              "text, so a count of refusals alone would let one address keep a worker busy with large messages it can't sign.",
          ),
        admin: z.coerce
          .number()
          .int()
          .min(0)
          .default(600)
          .describe(
            'Requests to the admin API, the attachment store, the registry entries, the web console and `/health` ' +
              'with a token (counted together) per window from one client address, counted by each worker process; ' +
              '0 turns the limit off.',
          ),
      })
      .strict()
      .prefault({})
      .describe('Request limits per client address, counted per gateway process.'),
    tls: TlsSettingsSchema.optional().describe('Serve HTTPS when set.'),
  })
  .strict()
  .refine((http) => http.headersTimeoutMs <= http.requestTimeoutMs, {
    message: 'headersTimeoutMs cannot exceed requestTimeoutMs',
    path: ['headersTimeoutMs'],
  });

export type HttpSettings = z.infer<typeof HttpSettingsSchema>;
export type TlsSettings = z.infer<typeof TlsSettingsSchema>;
