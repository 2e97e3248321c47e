/**
 * Settings of the HTTP side (`http.*`): TLS and mutual TLS, which proxy may name the client, deadlines for slow
 * clients, and request limits per client address. The defaults serve plain HTTP as before.
 */
import { z } from 'zod';

const TlsSettingsSchema = z
  .object({
    /** The server's certificate (PEM; intermediates may follow it in the same file) and its private key. */
    cert: z.string().min(1),
    key: z.string().min(1),
    /** Mutual TLS: every client must present a certificate chaining to one of `clientCaFiles`. */
    requireClientCert: z.boolean().default(false),
    clientCaFiles: z.array(z.string().min(1)).default([]),
    /** CRLs checked for client certificates; when given, every CA of `clientCaFiles` needs a current one. */
    clientCrlFiles: z.array(z.string().min(1)).default([]),
    minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
  })
  .strict()
  .refine((tls) => !tls.requireClientCert || tls.clientCaFiles.length > 0, {
    message: 'requireClientCert needs clientCaFiles: the CAs client certificates must chain to',
    path: ['clientCaFiles'],
  });

export const HttpSettingsSchema = z
  .object({
    /**
     * Which proxies may name the client in X-Forwarded-For (express's `trust proxy`): a hop count, or addresses and
     * subnets (`loopback`, `10.0.0.0/8`, …). Off by default: the client is the peer of the TCP connection. `true`
     * (trust anyone) is refused, since any client could then choose its own address.
     */
    trustProxy: z
      .union([
        z.literal(false),
        z.number().int().min(1).max(32),
        z.string().min(1),
        z.array(z.string().min(1)).min(1),
      ])
      .default(false),
    /** Deadline for a request's headers, counted from its first byte (or from the connection for the first one). */
    headersTimeoutMs: z.coerce.number().int().positive().default(15_000),
    /** Deadline for the whole request, headers and body. */
    requestTimeoutMs: z.coerce.number().int().positive().default(60_000),
    /** How long an idle keep-alive connection stays open. */
    keepAliveTimeoutMs: z.coerce.number().int().positive().default(5_000),
    /** Largest total size of a request's headers; more is answered 431. */
    maxHeaderBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024)
      .default(16_384),
    rateLimit: z
      .object({
        windowSeconds: z.coerce.number().int().positive().default(60),
        /**
         * Requests to `/ws` per window from one client address; 0 turns the limit off. On by default, so that one
         * source cannot fill the message log.
         */
        soap: z.coerce.number().int().min(0).default(6000),
        /** Requests to the admin API per window from one client address; 0 turns the limit off. */
        admin: z.coerce.number().int().min(0).default(600),
      })
      .strict()
      .prefault({}),
    /** Serve HTTPS when set. */
    tls: TlsSettingsSchema.optional(),
  })
  .strict()
  .refine((http) => http.headersTimeoutMs <= http.requestTimeoutMs, {
    message: 'headersTimeoutMs cannot exceed requestTimeoutMs',
    path: ['headersTimeoutMs'],
  });

export type HttpSettings = z.infer<typeof HttpSettingsSchema>;
export type TlsSettings = z.infer<typeof TlsSettingsSchema>;
