/**
 * The gateway's attachment store as an information system uses it (docs/attachments.md): upload a file with the
 * participant's token and name it in RefAttachmentHeaderList; fetch a file handed out in FSAttachmentsList with
 * its credential. Both stream: the file is never read into memory whole, and its digest is computed on the way.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writePrivateFile } from '../core/private-file.js';
import { createStreebog } from '../signature/gost/streebog.js';
import type { FileReference, FsAttachmentInfo } from './queued.js';

/** What the upload answers: the file's record in the store. */
export interface StoredFileRecord {
  readonly uuid: string;
  readonly owner: string;
  readonly fileName: string;
  readonly mimeType: string;
  readonly size: number;
  readonly hash: string;
}

/** The gateway's base address from its SOAP endpoint (`…/ws`). */
export function gatewayBase(endpoint: string): URL {
  return new URL('/', endpoint);
}

/** Upload a file for `system`; the record names the uuid and hash to put into its RefAttachmentHeader. */
export async function uploadFile(
  endpoint: string,
  token: string,
  system: string,
  path: string,
  mimeType: string,
  fileName: string,
): Promise<StoredFileRecord> {
  const url = new URL('/attachments', endpoint);
  url.searchParams.set('system', system);
  url.searchParams.set('name', fileName);
  const { size } = await stat(path);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': mimeType,
      'content-length': String(size),
    },
    body: Readable.toWeb(createReadStream(path)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const answer = (await response.json()) as StoredFileRecord & { error?: string; code?: string };
  if (response.status !== 201) {
    throw new Error(
      `the upload of ${fileName} was refused (HTTP ${response.status} ${answer.code}): ${answer.error}`,
    );
  }
  return answer;
}

/** The RefAttachmentHeader for an uploaded file. */
export function referenceOf(record: StoredFileRecord): FileReference {
  return { uuid: record.uuid, hash: record.hash, mimeType: record.mimeType };
}

/** Digests what passes through it (GOST R 34.11-2012, 256 bits). */
class Digest extends Transform {
  private readonly hash = createStreebog(256);
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
  base64(): string {
    return Buffer.from(this.hash.digest()).toString('base64');
  }
}

/**
 * Fetch a handed-out file into `path` with its credential. When the signed RefAttachmentHeader's Hash is given
 * and the file does not match it, the fetch fails and nothing is written at `path`.
 */
export async function fetchStoredFile(
  endpoint: string,
  file: FsAttachmentInfo,
  path: string,
  expectedHash?: string,
): Promise<{ size: number; hash: string; fileName: string | undefined }> {
  const response = await fetch(new URL(file.fileName, gatewayBase(endpoint)), {
    headers: {
      authorization: `Basic ${Buffer.from(`${file.userName}:${file.password}`).toString('base64')}`,
    },
  });
  if (response.status !== 200 || !response.body) {
    throw new Error(`the file ${file.uuid} could not be fetched (HTTP ${response.status})`);
  }
  const digest = new Digest();
  const body = response.body;
  let hash = '';
  // A file handed out to the system: private, and put in place only once it matches its signed Hash.
  await writePrivateFile(path, async (draft) => {
    await pipeline(
      Readable.fromWeb(body as Parameters<typeof Readable.fromWeb>[0]),
      digest,
      createWriteStream(draft),
    );
    hash = digest.base64();
    if (expectedHash !== undefined && hash !== expectedHash.replace(/\s+/g, ''))
      throw new Error(`the file ${file.uuid} does not match the Hash signed for it`);
  });
  const disposition = response.headers.get('content-disposition') ?? '';
  const named = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  return { size: digest.bytes, hash, fileName: named ? decodeURIComponent(named) : undefined };
}
