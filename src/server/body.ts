/**
 * Reads a request body up to a limit. Past the limit (or when Content-Length announces more) it stops reading
 * and reports `tooLarge`, so an oversize message costs no more memory than the limit. A gzip or deflate body
 * (Content-Encoding, as SOAP stacks such as CXF send) is inflated under the same limit, and to at most
 * MAX_INFLATION times the bytes received: everything before the signature check costs in proportion to the
 * inflated text, so a kilobyte of compressed markup must not buy a second of parsing.
 */
import type { IncomingMessage as ExchangeIncoming } from '../exchange/context.js';
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';

export interface ReadBody {
  readonly body: Buffer;
  readonly tooLarge: boolean;
  /** Why the body's content coding could not be undone: an unknown coding, data that does not inflate, or too much. */
  readonly codingProblem?: ExchangeIncoming['codingProblem'];
}

/**
 * How many times its size a compressed body may inflate to. SOAP messages compress 2–4 times, a registry of
 * thousands of similar rows about 10 times; markup made to be cheap to send and dear to parse, hundreds of times.
 */
export const MAX_INFLATION = 50;

type Inflate = (data: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>;

/** The content codings a request body may come in; `identity` means none. */
const CODINGS: ReadonlyMap<string, Inflate | undefined> = new Map<string, Inflate | undefined>([
  ['identity', undefined],
  ['gzip', promisify(gunzip)],
  ['x-gzip', promisify(gunzip)],
  ['deflate', promisify(inflate)],
]);

export async function readBody(request: IncomingMessage, limit: number): Promise<ReadBody> {
  const codings = (request.headers['content-encoding'] ?? 'identity')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '');
  const raw = await readRaw(request, limit);
  if (raw.tooLarge) return raw;
  const unknown = codings.find((coding) => !CODINGS.has(coding));
  if (unknown !== undefined) {
    return refused(
      'UnsupportedMediaType',
      `Content-Encoding ${unknown.slice(0, 40)} is not accepted; send gzip, deflate or none`,
    );
  }
  let body = raw.body;
  // However many codings are stacked, the text may not outgrow the bytes received by more than MAX_INFLATION.
  const inflationBound = MAX_INFLATION * raw.body.length;
  // Codings are listed in the order they were applied, so they are undone from the last.
  for (const coding of codings.reverse()) {
    const undo = CODINGS.get(coding);
    if (!undo) continue;
    try {
      body = await undo(body, { maxOutputLength: Math.min(limit, inflationBound) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') {
        return refused('MalformedXml', `the ${coding} body does not inflate: ${(error as Error).message}`);
      }
      if (inflationBound >= limit) return { body: Buffer.alloc(0), tooLarge: true };
      return refused(
        'MessageTooLarge',
        `the ${coding} body of ${raw.body.length} bytes inflates to more than ${MAX_INFLATION} times its size; send it uncompressed`,
      );
    }
  }
  return { body, tooLarge: false };
}

function refused(fault: NonNullable<ReadBody['codingProblem']>['fault'], message: string): ReadBody {
  return { body: Buffer.alloc(0), tooLarge: false, codingProblem: { fault, message } };
}

function readRaw(request: IncomingMessage, limit: number): Promise<ReadBody> {
  const announced = Number(request.headers['content-length']);
  if (Number.isFinite(announced) && announced > limit) {
    return Promise.resolve({ body: Buffer.alloc(0), tooLarge: true });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        request.pause();
        resolve({ body: Buffer.alloc(0), tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve({ body: Buffer.concat(chunks, size), tooLarge: false }));
    request.once('error', reject);
  });
}

/**
 * After an oversize body was refused unread: read and discard the rest, up to `bound` bytes, so a client that
 * writes its whole body before it reads (Java's HTTP clients do) gets the fault instead of a reset connection.
 * Resolves true once the body has ended, false when it is larger than the bound or the client went away (the
 * connection is then closed after the answer, as before).
 */
export function discardRest(request: IncomingMessage, bound: number): Promise<boolean> {
  if (request.readableEnded) return Promise.resolve(true);
  const announced = Number(request.headers['content-length']);
  if (Number.isFinite(announced) && announced > bound) return Promise.resolve(false);
  return new Promise((resolve) => {
    let size = 0;
    const done = (ended: boolean) => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('close', onClose);
      if (!ended) request.pause();
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > bound) done(false);
    };
    const onEnd = () => done(true);
    const onClose = () => done(request.readableEnded);
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('close', onClose);
    request.resume();
  });
}
