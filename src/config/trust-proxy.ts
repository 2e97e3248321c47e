/**
 * `http.trustProxy`: which proxies may state the client's address in X-Forwarded-For (express's `trust proxy`). A
 * value that lets any client state its own address is refused however it is written, since the address is what
 * the request limits count by:
 * - `true`;
 * - a range wider than any network of proxies: an IPv4 prefix shorter than /8 (the widest private block,
 *   10.0.0.0/8) or an IPv6 prefix shorter than /16 (an operator's allocation is a /32 or longer; the private IPv6
 *   blocks, fc00::/7 and fe80::/10, are named `uniquelocal` and `linklocal`); an IPv4-mapped range
 *   (`::ffff:0:0/96`) counts as the IPv4 range it spans;
 * - a hop count above 5: a count beyond the real chain of proxies trusts what the client wrote itself, and no
 *   set-up puts more than a few proxies in a row (a CDN, a load balancer, an ingress).
 * Entries are read as express reads them (proxy-addr): a name, an address, address/prefix, or an IPv4
 * address/mask; one string may hold several, separated by commas. Anything else is refused here, in words,
 * rather than by express at start-up.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { withoutTrailing } from '../core/trim.js';

export const MAX_PROXY_HOPS = 5;
const NAMED = ['loopback', 'linklocal', 'uniquelocal'];
const WIDEST = { 4: 8, 6: 16 } as const;

export const TrustProxySchema = z
  .union(
    [
      z.literal(false),
      z
        .number()
        .int()
        .min(1)
        .max(MAX_PROXY_HOPS, {
          error: `a hop count is at most ${MAX_PROXY_HOPS}: a count beyond the real chain of proxies trusts what the client wrote itself`,
        }),
      z.string(),
      z.array(z.string()).min(1),
    ],
    {
      error: (issue) =>
        issue.input === true
          ? 'true would trust anyone: name the proxies (addresses, ranges, loopback, …) or their hop count'
          : undefined,
    },
  )
  .superRefine((value, ctx) => {
    if (typeof value === 'boolean' || typeof value === 'number') return;
    // express splits a string at commas (a list it hands to proxy-addr as it is).
    const entries = typeof value === 'string' ? value.split(',').map((e) => e.trim()) : value;
    for (const entry of entries) {
      const problem = entryProblem(entry);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }
  });

/** Why `entry` cannot name proxies, or undefined when it can. */
function entryProblem(entry: string): string | undefined {
  if (NAMED.includes(entry)) return undefined;
  const slash = entry.lastIndexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if ((family !== 4 && family !== 6) || address.includes('%'))
    return `"${entry}" is not an address, a range or one of ${NAMED.join(', ')}`;
  const bits = family === 4 ? 32 : 128;
  const prefix = slash === -1 ? bits : prefixOf(entry.slice(slash + 1), family);
  if (prefix === undefined || prefix > bits) return `"${entry}" has no valid prefix length or mask`;
  // An IPv4-mapped range with the ::ffff: marker inside its prefix matches IPv4 clients: judge it as IPv4.
  const mapped = family === 6 && prefix >= 96 && isIpv4Mapped(address);
  const kind = family === 4 || mapped ? 4 : 6;
  const widest = WIDEST[kind];
  if ((mapped ? prefix - 96 : prefix) < widest)
    return `"${entry}" is wider than any network of proxies (IPv${kind} ranges must be /${widest} or narrower)`;
  return undefined;
}

/** A prefix length in digits, or (IPv4 only) a contiguous dotted mask. */
function prefixOf(text: string, family: 4 | 6): number | undefined {
  if (/^[0-9]{1,3}$/.test(text)) return Number(text);
  if (family !== 4 || isIP(text) !== 4) return undefined;
  const mask = text.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const binary = mask.toString(2).padStart(32, '0');
  return /^1+0*$/.test(binary) ? withoutTrailing(binary, '0').length : undefined;
}

/** Whether an IPv6 address lies in ::ffff:0:0/96 (written with a dotted tail or in hex). */
function isIpv4Mapped(address: string): boolean {
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  const text = dotted ? `${dotted[1]}0:0` : address;
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const all =
    tail === undefined
      ? groups(head)
      : [
          ...groups(head),
          ...Array<string>(8 - groups(head).length - groups(tail).length).fill('0'),
          ...groups(tail),
        ];
  const values = all.map((g) => Number.parseInt(g, 16));
  return values.slice(0, 5).every((v) => v === 0) && values[5] === 0xffff;
}
