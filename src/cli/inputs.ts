/**
 * Files a command reads, with a clear error for each ordinary mistake: a missing file, a folder, JSON that does
 * not parse, a key that is not its certificate's, a whole SOAP envelope where a business payload goes.
 */
import { readFileSync } from 'node:fs';
import { CONTRACT_VERSIONS, NS } from '../soap/namespaces.js';
import { loadSigningKey, type SigningKey } from '../signature/signing-key.js';
import { childElements, parseDom, serializeXml, type Element } from '../xml/dom.js';
import { moscowDate } from '../providers/certificates/rules.js';

/** A mistake of the person at the terminal: printed as one line, never with a stack. */
export class CliError extends Error {
  override name = 'CliError';
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** `what` names the file's part in the command (payload, private key, …). */
export function readInputFile(what: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new CliError(`cannot read the ${what} ${file}: ${REASONS[code] ?? (error as Error).message}`);
  }
}

export function readJsonFile(what: string, file: string): unknown {
  const text = readInputFile(what, file);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`the ${what} ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Namespaces of the envelope and the exchange's own wrappers: a payload is the business element inside them. */
const WRAPPERS = new Set<string>([
  NS.soap11,
  NS.soap12,
  NS.sync,
  ...CONTRACT_VERSIONS.flatMap((contract) => [contract.exchange, contract.types, contract.basic]),
]);

const DATE = /^\s*\d{4}-\d{2}-\d{2}\s*$/;

/** Every element whose whole text is a date gets `today`: an example payload dated the day it is sent. */
function dated(root: Element, today: string): void {
  const children = childElements(root);
  if (children.length === 0 && DATE.test(root.textContent ?? '')) root.textContent = today;
  for (const child of children) dated(child, today);
}

/**
 * A business payload file: one well-formed element of a business namespace. With `today` (a Moscow date, the
 * services' business calendar), the dates in it become that day's.
 */
export function readPayload(file: string, today?: string): string {
  const text = readInputFile('payload', file);
  let document;
  try {
    document = parseDom(text);
  } catch (error) {
    throw new CliError(`the payload ${file} is not well-formed XML: ${(error as Error).message}`);
  }
  const root = document.documentElement;
  if (!root) throw new CliError(`the payload ${file} holds no element`);
  if (WRAPPERS.has(root.namespaceURI ?? '')) {
    throw new CliError(
      `the payload ${file} is a ${root.localName} of the exchange itself, not a business payload: give the ` +
        'business element alone (like examples/ping.xml); the command wraps and signs it. To send a prepared ' +
        'envelope as it is, post it with curl.',
    );
  }
  if (!today) return text;
  dated(root, today);
  return serializeXml(document);
}

/** Today in the services' business calendar (Moscow), for `--today`. */
export const todayInMoscow = (): string => moscowDate(new Date());

/** A system's private key and its certificate, which must belong together. */
export function readSigningKey(keyFile: string, certificateFile: string): SigningKey {
  const key = readInputFile('private key', keyFile);
  const certificate = readInputFile('certificate', certificateFile);
  try {
    return loadSigningKey(key, certificate);
  } catch (error) {
    throw new CliError(
      `the key ${keyFile} with the certificate ${certificateFile}: ${(error as Error).message}`,
    );
  }
}
