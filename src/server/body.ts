/**
 * Reads a request body up to a limit. Past the limit (or when Content-Length announces more) it stops reading
 * and reports `tooLarge`, so an oversize message costs no more memory than the limit.
 */
import type { IncomingMessage } from 'node:http';

export interface ReadBody {
  readonly body: Buffer;
  readonly tooLarge: boolean;
}

export function readBody(request: IncomingMessage, limit: number): Promise<ReadBody> {
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
