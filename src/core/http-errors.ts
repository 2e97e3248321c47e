/**
 * Errors that express and its body parsers raise for a client's request (a path that does not percent-decode, a
 * body in another charset or coding, malformed or oversize JSON): each carries a 4xx `status` and a message meant
 * for the client (`expose`). Everything else is the gateway's own, answered without its message or stack. The
 * HTTP layer and the console ask store/errors.ts `clientErrorOf`, which adds text the store refused to keep.
 */
export interface ClientError {
  readonly status: number;
  readonly message: string;
}

interface HttpErrorLike {
  readonly status?: unknown;
  readonly expose?: unknown;
  readonly type?: unknown;
  readonly limit?: unknown;
  readonly message?: unknown;
}

/** The client's part of an error raised by express or a body parser, or undefined when the error is ours. */
export function parserErrorOf(error: unknown): ClientError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, expose, type, limit, message } = error as HttpErrorLike;
  if (typeof status !== 'number' || status < 400 || status > 499 || expose === false) return undefined;
  const text = typeof message === 'string' ? message.slice(0, 200) : 'bad request';
  if (type === 'entity.too.large') {
    return { status, message: `the request body is larger than ${sizeOf(limit)}` };
  }
  if (type === 'entity.parse.failed') return { status, message: `malformed JSON: ${text}` };
  return { status, message: text };
}

/** A body limit as people read it: 64 KiB, 8 MiB. */
function sizeOf(limit: unknown): string {
  if (typeof limit !== 'number') return 'the limit';
  if (limit % (1024 * 1024) === 0) return `${limit / (1024 * 1024)} MiB`;
  return limit % 1024 === 0 ? `${limit / 1024} KiB` : `${limit} bytes`;
}
