/**
 * The remote provider: a route's `remote:<url>` forwards the typed request as a SOAP 1.1 call to an upstream
 * system and maps its answer back (the wire contract is in `wire.ts` and examples/provider-module/README.md).
 *
 * It never hangs an exchange: every call runs under the exchange deadline and its own `timeoutMs`, and the answer
 * body is read under a size cap. Each upstream failure becomes a GatewayFault naming its cause:
 * `ProviderTimeout` (deadline or own timeout) or `ProviderFailure` (connection refused/reset, HTTP status, SOAP
 * fault, malformed or wrongly shaped or oversize answer, circuit open).
 *
 * Retries: a connection refused is retried for any request (nothing reached the upstream); a connection reset
 * before any response only for idempotent requests — `TestMessage` requests (the provider must not change its
 * data) and the message types listed as idempotent — with a small exponential backoff that stays within the
 * deadline. Nothing is retried once a response has started.
 *
 * A circuit breaker per upstream URL fails calls fast while the upstream is known to be down (see `breaker.ts`).
 */
import { z } from 'zod';
import { GatewayFault } from '../../core/faults.js';
import type { MessageType, ProviderOutcome } from '../contract.js';
import { CircuitBreaker, DEFAULT_BREAKER, type BreakerSettings, type BreakerState } from './breaker.js';
import {
  buildProvideDataRequest,
  checkPayloadXml,
  parseProvideDataResponse,
  PROVIDE_DATA_ACTION,
  WireError,
  type RemoteCall,
} from './wire.js';

export type { RemoteCall } from './wire.js';

export interface RemoteProviderOptions {
  /** Own time limit per call, on top of the exchange deadline. Default 10 s. */
  readonly timeoutMs?: number;
  /** Largest answer body read from an upstream. Absent: the default of RemoteSettingsSchema, as below. */
  readonly maxAnswerBytes?: number;
  /** Message types safe to send twice, as `{namespace}localName` keys. */
  readonly idempotentMessageTypes?: Iterable<string>;
  /** Extra attempts after a connection error. */
  readonly retries?: number;
  /** First backoff delay; doubled each retry, capped by `retryMaxDelayMs`. */
  readonly retryBaseDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  readonly breaker?: Partial<BreakerSettings>;
  /** The breaker's clock, milliseconds (tests inject one). */
  readonly clock?: () => number;
  /** The HTTP client; node's fetch by default. */
  readonly fetch?: typeof globalThis.fetch;
}

export const messageTypeKey = (type: MessageType): string => `{${type.namespace}}${type.localName}`;

const MESSAGE_TYPE_KEY = /^\{[^{}\s]+\}[A-Za-z_][\w.-]*$/;

/**
 * The `services.remote` section of the configuration: the message types the gateway accepts for remote routes
 * (their schemas must be in the schema set), which of them are idempotent, and the provider's limits.
 */
export const RemoteSettingsSchema = z
  .object({
    messageTypes: z
      .array(z.string().regex(MESSAGE_TYPE_KEY, 'must be {namespace}localName'))
      .default([])
      .describe(
        'Message types remote routes may carry, as `{namespace}localName` (their schemas must be in the schema set).',
      ),
    idempotentMessageTypes: z
      .array(z.string().regex(MESSAGE_TYPE_KEY, 'must be {namespace}localName'))
      .default([])
      .describe('Message types safe to send twice: only these are retried after a connection error.'),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'Own time limit per call, on top of the exchange deadline; by default `limits.providerTimeoutMs`.',
      ),
    maxAnswerBytes: z
      .number()
      .int()
      .positive()
      .default(5 * 1024 * 1024)
      .describe('Largest answer body read from an upstream.'),
    retries: z.number().int().min(0).max(5).default(2).describe('Extra attempts after a connection error.'),
    retryBaseDelayMs: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(100)
      .describe('First backoff delay, doubled each retry.'),
    retryMaxDelayMs: z.number().int().min(0).max(60_000).default(1000).describe('Longest backoff delay.'),
    breaker: z
      .object({
        failureThreshold: z
          .number()
          .int()
          .positive()
          .optional()
          .describe(
            `Consecutive failures that open the circuit; ${DEFAULT_BREAKER.failureThreshold} by default.`,
          ),
        coolDownMs: z
          .number()
          .int()
          .positive()
          .optional()
          .describe(
            `How long the circuit stays open before one trial call; ${DEFAULT_BREAKER.coolDownMs} ms by default.`,
          ),
      })
      .strict()
      .optional()
      .describe('The circuit breaker in front of each upstream.'),
  })
  .strict();

/** The defaults, as the schema states them (for a provider made without the configuration). */
const DEFAULTS = RemoteSettingsSchema.parse({});

export interface RemoteSettings {
  /** Message types remote routes may carry, as `{namespace}localName` keys (for `Delivery.knows`). */
  readonly messageTypes: ReadonlySet<string>;
  readonly options: RemoteProviderOptions;
}

/** Read `services.remote` (absent: no remote message types, defaults). Throws an Error naming the bad setting. */
export function parseRemoteSettings(section: unknown, defaults: { timeoutMs?: number } = {}): RemoteSettings {
  const parsed = RemoteSettingsSchema.safeParse(section ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`services.remote.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const { messageTypes, breaker, ...rest } = parsed.data;
  const options: RemoteProviderOptions = {
    ...(defaults.timeoutMs !== undefined ? { timeoutMs: defaults.timeoutMs } : {}),
    ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
    ...(breaker
      ? { breaker: Object.fromEntries(Object.entries(breaker).filter(([, value]) => value !== undefined)) }
      : {}),
  };
  return { messageTypes: new Set(messageTypes), options };
}

/** Why a call was aborted: the exchange deadline or the provider's own timeout. */
class AbortReason {
  constructor(readonly which: 'deadline' | 'timeout') {}
}

/** A connection failure before any response arrived: the only kind that may be retried. */
class ConnectionFailure extends Error {
  constructor(
    readonly code: string,
    readonly error: unknown,
  ) {
    super(`connection ${code === 'ECONNREFUSED' ? 'refused' : 'reset'} (${code})`);
  }
}

/** Error codes that mean the request was refused or the connection dropped before any response. */
const REFUSED = new Set(['ECONNREFUSED']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** The network error code of a failed fetch: nock rejects with the error itself, undici wraps it in `cause`. */
function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const message = typeof e === 'object' ? (e as { message?: unknown }).message : String(e);
    if (typeof message === 'string' && message && !parts.includes(message)) parts.push(message);
    e = typeof e === 'object' ? (e as { cause?: unknown }).cause : undefined;
  }
  // fetch and undici quote the URL they were given, credentials and query (a key, perhaps) included.
  return withoutUrlSecrets(parts.join(': ')) || 'unknown error';
}

const URL_END = new Set([' ', '\t', '\r', '\n', '"', "'", '<', '>']);
const isSchemeChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9+.-]/.test(c);

/** Each URL in `text` as faults name an upstream (displayUrl); found by its `://`, so a text costs its length. */
export function withoutUrlSecrets(text: string): string {
  let out = '';
  let copied = 0;
  for (let at = text.indexOf('://'); at >= 0; at = text.indexOf('://', at + 3)) {
    let start = at;
    while (start > copied && isSchemeChar(text[start - 1])) start -= 1;
    let end = at + 3;
    while (end < text.length && !URL_END.has(text[end] as string)) end += 1;
    let shown: string;
    try {
      shown = displayUrl(new URL(text.slice(start, end)));
    } catch {
      continue;
    }
    out += text.slice(copied, start) + shown;
    copied = end;
    at = end - 3;
  }
  return out + text.slice(copied);
}

/** The URL as named in faults and logs: no credentials, no query. */
function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** An upstream as faults name it: its origin and path, never credentials or a query that may hold a key. */
export function remoteProviderName(url: string): string {
  try {
    return `remote provider ${displayUrl(new URL(url))}`;
  } catch {
    return 'remote provider';
  }
}

export class RemoteProvider {
  private readonly timeoutMs: number;
  private readonly maxAnswerBytes: number;
  private readonly idempotent: ReadonlySet<string>;
  private readonly retries: number;
  private readonly retryBaseDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly breakerSettings: BreakerSettings;
  private readonly clock: () => number;
  private readonly fetch: typeof globalThis.fetch;
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(options: RemoteProviderOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxAnswerBytes = options.maxAnswerBytes ?? DEFAULTS.maxAnswerBytes;
    this.idempotent = new Set(options.idempotentMessageTypes ?? []);
    this.retries = options.retries ?? DEFAULTS.retries;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? DEFAULTS.retryBaseDelayMs;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? DEFAULTS.retryMaxDelayMs;
    this.breakerSettings = { ...DEFAULT_BREAKER, ...options.breaker };
    this.clock = options.clock ?? Date.now;
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** May this request be sent twice without harm? */
  isIdempotent(call: Pick<RemoteCall, 'testMessage' | 'messageType'>): boolean {
    return call.testMessage || this.idempotent.has(messageTypeKey(call.messageType));
  }

  /** The breaker's state for an upstream URL (closed when it was never called). */
  circuitState(url: string): BreakerState {
    return this.breakers.get(url)?.state ?? 'closed';
  }

  /**
   * `accept` checks an answer before the breaker counts the call: an upstream whose answers the gateway refuses
   * (malformed, or carrying the gateway's own markup) is failing, however well its HTTP goes.
   */
  async deliver(
    url: string,
    call: RemoteCall,
    deadline: AbortSignal,
    accept: (outcome: ProviderOutcome<string>) => ProviderOutcome<string> = (outcome) => outcome,
  ): Promise<ProviderOutcome<string>> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new GatewayFault('SMEVFailure', `remote provider address is not a URL: ${url.slice(0, 200)}`);
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new GatewayFault(
        'SMEVFailure',
        `remote provider address must be http or https: ${displayUrl(target)}`,
      );
    }
    const name = remoteProviderName(url);
    try {
      checkPayloadXml(call.payloadXml);
    } catch (error) {
      throw new GatewayFault('SMEVFailure', `${name}: ${(error as Error).message}`, { cause: error });
    }
    if (deadline.aborted)
      throw new GatewayFault('ProviderTimeout', `${name}: the exchange deadline passed before the call`);

    let breaker = this.breakers.get(url);
    if (!breaker) this.breakers.set(url, (breaker = new CircuitBreaker(this.breakerSettings, this.clock)));
    const decision = breaker.acquire();
    if (!decision.allowed) {
      const wait = decision.retryInMs > 0 ? `; next trial in ${Math.ceil(decision.retryInMs / 1000)} s` : '';
      throw new GatewayFault('ProviderFailure', `${name} failed: ${decision.reason}${wait}`, {
        reason: 'CircuitOpen',
      });
    }

    try {
      const outcome = accept(await this.call(target, name, call, deadline));
      decision.permit.success();
      return outcome;
    } catch (error) {
      decision.permit.failure();
      throw error;
    }
  }

  private async call(
    target: URL,
    name: string,
    call: RemoteCall,
    deadline: AbortSignal,
  ): Promise<ProviderOutcome<string>> {
    const controller = new AbortController();
    const onDeadline = () => controller.abort(new AbortReason('deadline'));
    deadline.addEventListener('abort', onDeadline, { once: true });
    const timer = setTimeout(() => controller.abort(new AbortReason('timeout')), this.timeoutMs);
    const started = Date.now();
    const signal = controller.signal;
    const timedOut = (error?: unknown) => {
      const reason = signal.reason instanceof AbortReason ? signal.reason.which : 'deadline';
      const message =
        reason === 'timeout'
          ? `${name} did not answer within ${this.timeoutMs} ms`
          : `${name} did not answer before the exchange deadline`;
      return new GatewayFault('ProviderTimeout', message, {
        cause: error,
        reason: reason === 'timeout' ? 'Timeout' : 'Deadline',
      });
    };
    const body = buildProvideDataRequest(call);
    const idempotent = this.isIdempotent(call);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.attempt(target, name, body, signal);
        } catch (error) {
          if (signal.aborted) throw timedOut(error);
          if (!(error instanceof ConnectionFailure)) throw error;
          const retryable = REFUSED.has(error.code) || idempotent;
          const delay = Math.min(this.retryMaxDelayMs, this.retryBaseDelayMs * 2 ** attempt);
          const budgetLeft = this.timeoutMs - (Date.now() - started);
          if (!retryable || attempt >= this.retries || delay >= budgetLeft) {
            const tries = attempt + 1;
            const why = !retryable
              ? ', not retried: the request is not idempotent'
              : tries > 1
                ? ` after ${tries} attempts`
                : '';
            throw new GatewayFault('ProviderFailure', `${name} failed: ${error.message}${why}`, {
              cause: error.error,
              reason: 'Connection',
            });
          }
          await sleep(delay, signal).catch((abort: unknown) => {
            throw timedOut(abort);
          });
        }
      }
    } finally {
      clearTimeout(timer);
      deadline.removeEventListener('abort', onDeadline);
    }
  }

  /** One HTTP exchange. Throws ConnectionFailure (retryable kinds), GatewayFault, or the abort error. */
  private async attempt(
    target: URL,
    name: string,
    body: string,
    signal: AbortSignal,
  ): Promise<ProviderOutcome<string>> {
    let response: Response;
    try {
      response = await this.fetch(target, {
        method: 'POST',
        headers: {
          'content-type': 'text/xml; charset=utf-8',
          soapaction: `"${PROVIDE_DATA_ACTION}"`,
          accept: 'text/xml',
        },
        body,
        signal,
        redirect: 'manual',
      });
    } catch (error) {
      if (signal.aborted) throw error;
      const code = errorCode(error);
      if (code && (REFUSED.has(code) || RESET.has(code))) throw new ConnectionFailure(code, error);
      throw new GatewayFault(
        'ProviderFailure',
        `${name} failed: ${code ? `${code}, ` : ''}${errorText(error)}`,
        {
          cause: error,
          reason: 'Connection',
        },
      );
    }

    const text = await this.readBody(response, name, signal);
    const status = response.status;
    if (status !== 200 && status < 500) {
      throw new GatewayFault(
        'ProviderFailure',
        `${name} failed: HTTP ${status} ${response.statusText}`.trimEnd(),
        { reason: 'HttpStatus' },
      );
    }
    let answer;
    try {
      answer = parseProvideDataResponse(text);
    } catch (error) {
      if (status !== 200) {
        throw new GatewayFault(
          'ProviderFailure',
          `${name} failed: HTTP ${status} ${response.statusText}`.trimEnd(),
          {
            cause: error,
            reason: 'HttpStatus',
          },
        );
      }
      throw new GatewayFault('ProviderFailure', `${name} failed: ${(error as Error).message}`, {
        cause: error,
        reason: error instanceof WireError ? 'MalformedAnswer' : undefined,
      });
    }
    if (answer.kind === 'fault') {
      const faultString =
        answer.faultString.length > 300 ? `${answer.faultString.slice(0, 300)}…` : answer.faultString;
      throw new GatewayFault(
        'ProviderFailure',
        `${name} failed: SOAP fault ${answer.faultCode}: ${faultString} (HTTP ${status})`,
        {
          reason: 'SoapFault',
        },
      );
    }
    if (status !== 200) {
      throw new GatewayFault('ProviderFailure', `${name} failed: HTTP ${status} with a ProvideDataResponse`, {
        reason: 'HttpStatus',
      });
    }
    return answer;
  }

  /** The body as UTF-8 text, refusing it as soon as it grows past the cap. */
  private async readBody(response: Response, name: string, signal: AbortSignal): Promise<string> {
    const oversize = () =>
      new GatewayFault('ProviderFailure', `${name} failed: the answer exceeds ${this.maxAnswerBytes} bytes`, {
        reason: 'Oversize',
      });
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > this.maxAnswerBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw oversize();
    }
    if (!response.body) return '';
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > this.maxAnswerBytes) {
          await reader.cancel().catch(() => undefined);
          throw oversize();
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof GatewayFault || signal.aborted) throw error;
      throw new GatewayFault(
        'ProviderFailure',
        `${name} failed: the connection broke while reading the answer: ${errorText(error)}`,
        {
          cause: error,
          reason: 'Connection',
        },
      );
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    } catch (error) {
      throw new GatewayFault('ProviderFailure', `${name} failed: the answer is not UTF-8 text`, {
        cause: error,
        reason: 'MalformedAnswer',
      });
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
