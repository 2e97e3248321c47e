/**
 * Bodies sealed at rest: AES-256-GCM under a key file, each body bound to its record (instance and sequence
 * number) as associated data, so a sealed body moved to another record does not open. The stored text is
 *   sealed:v1:<key id>:<base64 of 12-byte IV | 16-byte tag | ciphertext>
 * Digests in the record stay over the plaintext, so the chain verifies without the key. Key rotation: a new key
 * file seals new records; former key files are kept to open older ones (the key id says which).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { randomSlice } from '../core/random-pool.js';
import { existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const PREFIX = 'sealed:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedBodyKey {
  readonly id: string;
  readonly key: Buffer;
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/** The key id a sealed body names, or undefined for plain text. */
export function sealedKeyId(stored: string): string | undefined {
  return isSealed(stored) ? stored.slice(PREFIX.length).split(':', 1)[0] : undefined;
}

function keyId(key: Buffer): string {
  return createHash('sha256').update('smev-gateway-body-key\n').update(key).digest('hex').slice(0, 16);
}

function associatedData(instance: string, seq: number): Buffer {
  return Buffer.from(`smev-gateway-message-log-body\n${instance}\n${seq}`, 'utf8');
}

/**
 * Reads a key file (base64 of 32 bytes). With `create`, a missing file is made with fresh random bytes and mode
 * 0600. A key file others may read is refused: the bodies are only as private as their key.
 */
export function loadBodyKey(file: string, create = false): SealedBodyKey {
  if (!existsSync(file)) {
    if (!create) throw new Error(`body key file ${file} does not exist`);
    createKeyFile(file);
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    throw new Error(`body key file ${file} may be read by others: chmod 600 it`);
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES)
    throw new Error(`body key file ${file} does not hold a 256-bit key in base64`);
  return { id: keyId(key), key };
}

/**
 * Writes a new key beside `file` and links it into place, so the file appears whole or not at all. Processes
 * starting together (cluster workers, several instances on one directory) race here: the first link wins and
 * every other process reads the winner's key.
 */
function createKeyFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(draft, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(draft);
  }
}

export class BodySealer {
  private readonly byId: Map<string, Buffer>;

  /** `current` seals new bodies; `former` keys only open old ones. */
  constructor(
    private readonly current: SealedBodyKey,
    former: readonly SealedBodyKey[] = [],
  ) {
    this.byId = new Map([...former, current].map((k) => [k.id, k.key]));
  }

  get keyId(): string {
    return this.current.id;
  }

  seal(text: string, instance: string, seq: number): string {
    const iv = randomSlice(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(associatedData(instance, seq));
    const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return `${PREFIX}${this.current.id}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
  }

  /** The plain text of a stored body (plain text passes through). Throws when it does not open. */
  open(stored: string, instance: string, seq: number): string {
    if (!isSealed(stored)) return stored;
    const [id, data] = stored.slice(PREFIX.length).split(':', 2);
    const key = this.byId.get(id ?? '');
    if (!key) throw new Error(`sealed with key ${id ?? '?'}, which is not configured`);
    const bytes = Buffer.from(data ?? '', 'base64');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('the sealed body is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(associatedData(instance, seq));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error('the sealed body does not open: altered, or moved from another record');
    }
  }
}
