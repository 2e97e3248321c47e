/**
 * The attachment store of SMEV 3 file-storage attachments (`RefAttachmentHeaderList` / `FSAttachmentsList`). A
 * sending system uploads a file; the gateway streams it into its folder under a random UUID, never under a name
 * the sender chose, counting its bytes against the limit and computing its GOST R 34.11-2012 (256-bit) digest on
 * the way, so no file is ever held in memory whole. The sender then names the file by that UUID in the signed
 * RefAttachmentHeaderList of its message, with the digest as Hash; the gateway checks both before it queues the
 * message. The recipient, handed the message, gets in FSAttachmentsList a credential good for downloading that
 * file. A file is kept while a queued message names it (the queue's retention decides how long), and an upload no
 * message names is removed after `unusedTtlSeconds`. See docs/attachments.md.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { FileAttachments, FileRef, FsAttachment } from '../core/ports.js';
import { createStreebog, type StreebogHash } from '../signature/gost/streebog.js';
import { GatewayFault } from '../core/faults.js';
import type { AttachmentTables } from '../store/schema-attachments.js';
import type { QueueTables } from '../store/schema-queue.js';
import type { Database } from '../store/schema.js';
import { inPieces, type Store } from '../store/store.js';

export interface AttachmentStoreSettings {
  readonly dir: string;
  readonly maxFileBytes: number;
  readonly maxMessageBytes: number;
  readonly unusedTtlMs: number;
  readonly downloadTtlMs: number;
}

export interface StoredFile {
  readonly uuid: string;
  readonly owner: string;
  readonly fileName: string;
  readonly mimeType: string;
  readonly size: number;
  /** GOST R 34.11-2012 (256-bit), base64: what RefAttachmentHeader/Hash must hold. */
  readonly hash: string;
  readonly hashAlgorithm: typeof HASH_ALGORITHM;
  readonly createdAt: string;
}

/** The digest's name in the answers, as XMLDSig names the same algorithm. */
export const HASH_ALGORITHM = 'urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256';

/** Where the recipient fetches a file: this path on the gateway's HTTP address (FSAttachment/FileName). */
export const downloadPath = (uuid: string) => `/attachments/${uuid}`;

/** A refusal of the upload or download endpoint: HTTP status, a stable code and details for the JSON answer. */
export class AttachmentError extends Error {
  override name = 'AttachmentError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MIME = /^[a-zA-Z0-9!#$&\-^_.+]+\/[a-zA-Z0-9!#$&\-^_.+]+$/;
const INCOMING = '.incoming';

export const isStoredUuid = (text: string) => UUID.test(text);

/**
 * Control characters (C0, DEL and C1) and formatting characters: bidirectional overrides and zero-width marks would
 * let a name read as another (`invoice\u202Efdp.exe` shows as `invoiceexe.pdf`) in whatever lists the file.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;

/**
 * The name a file is uploaded with, checked: it is only ever a label (the file lies on disk under its UUID), but
 * a name that looks like a path is refused so that no recipient that saves files by name is led astray.
 */
export function checkFileName(name: string): string {
  const problem =
    name.length === 0 || name.length > 255
      ? 'must have 1 to 255 characters'
      : /[/\\]/.test(name)
        ? 'must not hold / or \\ (a name, not a path)'
        : name === '.' || name === '..' || name.startsWith('..')
          ? 'must not be or begin with ..'
          : INVISIBLE.test(name) || /[:*?"<>|]/.test(name)
            ? 'must not hold control or formatting characters or any of : * ? " < > |'
            : name.trim() !== name
              ? 'must not begin or end with whitespace'
              : undefined;
  if (problem) throw new AttachmentError(400, 'InvalidFileName', `the file name ${problem}`);
  return name;
}

/** The media type an upload declares (its parameters dropped), application/octet-stream when none. */
export function checkMimeType(contentType: string | undefined): string {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() || 'application/octet-stream';
  if (!MIME.test(type)) throw new AttachmentError(400, 'InvalidMimeType', `${type} is not a media type`);
  return type;
}

/** Counts and digests what passes; past the limit it fails the stream instead of passing more. */
class Measure extends Transform {
  bytes = 0;
  private readonly digest: StreebogHash = createStreebog(256);
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) return done(tooLarge(this.limit, this.bytes));
    this.digest.update(chunk);
    done(null, chunk);
  }
  hash(): string {
    return Buffer.from(this.digest.digest()).toString('base64');
  }
}

function tooLarge(limit: number, real: number): AttachmentError {
  return new AttachmentError(
    413,
    'AttachmentSizeLimitExceeded',
    `the file holds more than the ${limit} bytes permitted`,
    { permittedSize: limit, realSize: real },
  );
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

type Db = Kysely<Database & AttachmentTables & QueueTables>;
type Row = AttachmentTables['attachments'];

export class AttachmentStore implements FileAttachments {
  private readonly db: Db;

  private constructor(
    store: Store,
    readonly settings: AttachmentStoreSettings,
  ) {
    this.db = store.db.withTables<{
      [T in keyof (AttachmentTables & QueueTables)]: (AttachmentTables & QueueTables)[T];
    }>();
  }

  static async open(store: Store, settings: AttachmentStoreSettings): Promise<AttachmentStore> {
    // Files of the systems, theirs alone: folders 0700 when made here, each file 0600.
    await mkdir(join(settings.dir, INCOMING), { recursive: true, mode: 0o700 });
    return new AttachmentStore(store, settings);
  }

  private path(uuid: string): string {
    if (!UUID.test(uuid)) throw new Error(`not a stored file's name: ${uuid}`);
    return join(this.settings.dir, uuid);
  }

  /**
   * Stream an upload into the store: to a file of its own in the incoming folder, counted and digested on the way,
   * then moved under its UUID and recorded. Past `maxFileBytes` (or a declared length past it) the upload is
   * refused and its partial file removed.
   */
  async put(
    owner: string,
    source: Readable,
    meta: {
      fileName?: string | undefined;
      mimeType?: string | undefined;
      declaredBytes?: number | undefined;
    },
    now: Date,
  ): Promise<StoredFile> {
    const uuid = randomUUID();
    const fileName = checkFileName(meta.fileName ?? uuid);
    const mimeType = checkMimeType(meta.mimeType);
    const limit = this.settings.maxFileBytes;
    if (meta.declaredBytes !== undefined && meta.declaredBytes > limit) {
      throw tooLarge(limit, meta.declaredBytes);
    }
    const incoming = join(this.settings.dir, INCOMING, uuid);
    const measure = new Measure(limit);
    try {
      await pipeline(source, measure, createWriteStream(incoming, { flags: 'wx', mode: 0o600 }));
      if (meta.declaredBytes !== undefined && measure.bytes !== meta.declaredBytes) {
        throw new AttachmentError(400, 'IncompleteUpload', 'the upload ended before its declared length');
      }
      await rename(incoming, this.path(uuid));
    } catch (error) {
      await unlink(incoming).catch(() => undefined);
      throw error;
    }
    const row: Row = {
      uuid,
      owner,
      file_name: fileName,
      mime_type: mimeType,
      size: measure.bytes,
      hash: measure.hash(),
      created_at: now.getTime(),
    };
    try {
      await this.db.insertInto('attachments').values(row).execute();
    } catch (error) {
      await unlink(this.path(uuid)).catch(() => undefined);
      throw error;
    }
    return present(row);
  }

  /** A stored file's record, when `owner` uploaded it; undefined otherwise (another's looks like none). */
  async infoFor(owners: readonly string[], uuid: string): Promise<StoredFile | undefined> {
    if (!UUID.test(uuid) || owners.length === 0) return undefined;
    const row = await this.db
      .selectFrom('attachments')
      .selectAll()
      .where('uuid', '=', uuid)
      .where('owner', 'in', owners)
      .executeTakeFirst();
    return row && present(row);
  }

  /** The file's bytes, as a stream. */
  open(file: StoredFile): ReadStream {
    return createReadStream(this.path(file.uuid));
  }

  async check(sender: string, refs: readonly FileRef[], _now: Date): Promise<void> {
    if (refs.length === 0) return;
    const wanted = refs.map((ref) => ref.uuid).filter((uuid) => UUID.test(uuid));
    const byUuid = new Map<string, { size: number; hash: string }>();
    for (const piece of inPieces(wanted)) {
      const rows = await this.db
        .selectFrom('attachments')
        .select(['uuid', 'size', 'hash'])
        .where('uuid', 'in', piece)
        .where('owner', '=', sender)
        .execute();
      for (const row of rows) byUuid.set(row.uuid, row);
    }
    let total = 0;
    for (const ref of refs) {
      const row = byUuid.get(ref.uuid);
      if (!row) {
        throw new GatewayFault(
          'AttachmentIsNotFound',
          `the attachment store holds no file ${clip(ref.uuid)} uploaded by ${sender}`,
        );
      }
      if (!sameDigest(row.hash, ref.hash)) {
        throw new GatewayFault(
          'AttachmentHashMismatch',
          `the stored file ${ref.uuid} has the GOST R 34.11-2012 digest ${row.hash}, not the Hash signed for it`,
        );
      }
      total += Number(row.size);
    }
    const limit = this.settings.maxMessageBytes;
    if (total > limit) {
      throw new GatewayFault(
        'AttachmentSizeLimitExceeded',
        `the stored files named hold ${total} bytes, more than the ${limit} permitted`,
        {
          fields: [
            ['PermittedTotalAttachmentSize', String(limit)],
            ['RealTotalAttachmentSize', String(total)],
          ],
        },
      );
    }
  }

  async grant(
    recipient: string,
    messageId: string,
    uuids: readonly string[],
    now: Date,
  ): Promise<FsAttachment[]> {
    if (uuids.length === 0) return [];
    const expiresAt = now.getTime() + this.settings.downloadTtlMs;
    const granted = uuids.map((uuid) => ({
      uuid,
      userName: recipient,
      password: randomBytes(24).toString('base64url'),
      fileName: downloadPath(uuid),
    }));
    await this.db
      .insertInto('attachment_grants')
      .values(
        granted.map((g) => ({
          password_hash: sha256(g.password),
          uuid: g.uuid,
          system: recipient,
          message_id: messageId,
          expires_at: expiresAt,
        })),
      )
      .execute();
    return granted;
  }

  /** The file a recipient's credential opens (FSAttachment's UserName and Password), or undefined. */
  async redeem(uuid: string, userName: string, password: string, now: Date): Promise<StoredFile | undefined> {
    if (!UUID.test(uuid) || password.length === 0) return undefined;
    const row = await this.db
      .selectFrom('attachment_grants as g')
      .innerJoin('attachments as a', 'a.uuid', 'g.uuid')
      .selectAll('a')
      .select(['g.system as grantee'])
      .where('g.password_hash', '=', sha256(password))
      .where('g.uuid', '=', uuid)
      .where('g.expires_at', '>', now.getTime())
      .executeTakeFirst();
    if (!row || !equalText(row.grantee, userName)) return undefined;
    return present(row);
  }

  /**
   * Remove what is no longer needed: expired credentials; the links of messages the queue has removed (its
   * retention, `queue.retainSeconds`, decides when); files no queued message names, once older than
   * `unusedTtlSeconds`; uploads left half-written by a crash. Returns how many files were removed.
   */
  async sweep(now: Date): Promise<number> {
    const at = now.getTime();
    await this.db.deleteFrom('attachment_grants').where('expires_at', '<=', at).execute();
    await this.db
      .deleteFrom('queue_message_files')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('queue_messages')
              .select('queue_messages.message_id')
              .whereRef('queue_messages.sender', '=', 'queue_message_files.sender')
              .whereRef('queue_messages.message_id', '=', 'queue_message_files.message_id'),
          ),
        ),
      )
      .execute();
    const unused = await this.db
      .selectFrom('attachments')
      .select('uuid')
      .where('created_at', '<=', at - this.settings.unusedTtlMs)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('queue_message_files')
              .select('queue_message_files.uuid')
              .whereRef('queue_message_files.uuid', '=', 'attachments.uuid'),
          ),
        ),
      )
      .limit(1000)
      .execute();
    for (const { uuid } of unused) {
      // The record goes first: a file without its record is never handed out, a record without its file would be.
      await this.db.deleteFrom('attachment_grants').where('uuid', '=', uuid).execute();
      await this.db.deleteFrom('attachments').where('uuid', '=', uuid).execute();
      await unlink(this.path(uuid)).catch(() => undefined);
    }
    await this.sweepIncoming(at);
    return unused.length;
  }

  private async sweepIncoming(at: number): Promise<void> {
    const dir = join(this.settings.dir, INCOMING);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtimeMs < at - 24 * 3600 * 1000) await unlink(path).catch(() => undefined);
    }
  }
}

function present(row: Row): StoredFile {
  return {
    uuid: row.uuid,
    owner: row.owner,
    fileName: row.file_name,
    mimeType: row.mime_type,
    size: Number(row.size),
    hash: row.hash,
    hashAlgorithm: HASH_ALGORITHM,
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}

/** Base64 digests compared as bytes, so line breaks or spaces in the signed Hash do not matter. */
function sameDigest(stored: string, declared: string): boolean {
  const a = Buffer.from(stored, 'base64');
  const b = Buffer.from(declared.replace(/\s+/g, ''), 'base64');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

function equalText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
