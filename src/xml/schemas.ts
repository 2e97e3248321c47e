/**
 * XSD validation with libxml2 (libxml2-wasm). The whole published contract — SOAP envelopes, the exchange
 * schemas, the faults, the sync extension, xmldsig and every business service — is one schema set rooted at
 * `xsd/gateway.xsd`, compiled once at start-up; one validation pass then checks envelope, operation and payload.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  ParseOption,
  XmlDocument,
  XmlError,
  XmlLibError,
  XsdValidator,
  xmlRegisterInputProvider,
  type ErrorDetail,
} from 'libxml2-wasm';
import type { ValidationProblem } from '../core/faults.js';
import { validateBounded } from './bounded-validation.js';
import { isWellFormed } from './text.js';
import { withoutValues } from './validation-message.js';

/** libxml2 reads nothing from outside while parsing: no network, no DTD loading, no entity substitution. */
const SAFE_PARSE = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE;

const allowedRoots = new Set<string>();
let providerRegistered = false;

/**
 * libxml2 may open files only to resolve `xs:import` between our own schemas: the provider answers for files
 * under registered schema folders and refuses everything else.
 */
function allowSchemaFolder(folder: string): void {
  allowedRoots.add(resolve(folder) + sep);
  if (providerRegistered) return;
  providerRegistered = true;
  const toPath = (name: string) => resolve(name.startsWith('file:') ? fileURLToPath(name) : name);
  xmlRegisterInputProvider({
    match: (name) => [...allowedRoots].some((root) => toPath(name).startsWith(root)),
    open: (name) => {
      try {
        return openSync(toPath(name), 'r');
      } catch {
        return undefined;
      }
    },
    read: (fd, buffer) => {
      try {
        return readSync(fd, buffer);
      } catch {
        return -1;
      }
    },
    close: (fd) => {
      closeSync(fd);
      return true;
    },
  });
}

export class SchemaSet {
  private constructor(private readonly validator: XsdValidator) {}

  /** Compile the schema set rooted at `rootFile`; imports resolve relative to it. */
  static compile(rootFile: string): SchemaSet {
    const path = resolve(rootFile);
    allowSchemaFolder(resolve(path, '..'));
    const schemaDoc = XmlDocument.fromBuffer(readFileSync(path), {
      url: pathToFileURL(path).href,
      option: SAFE_PARSE,
    });
    try {
      return new SchemaSet(XsdValidator.fromDoc(schemaDoc));
    } finally {
      schemaDoc.dispose();
    }
  }

  /** Validate a (guarded) document; returns the problems, empty when it is valid. */
  validate(text: string): ValidationProblem[] {
    let doc: XmlDocument;
    try {
      doc = parseText(text);
    } catch (error) {
      return problemsOf(error);
    }
    try {
      const outcome = validateBounded(this.validator, doc);
      if (outcome.status < 0) throw new XmlError('libxml2 could not validate the document');
      if (outcome.status === 0) return [];
      const problems = problemsOfDetails(
        outcome.details.length ? outcome.details : [{ message: 'invalid', level: 2, line: 0, col: 0 }],
      );
      if (outcome.more > 0) problems.push({ message: `${outcome.more} more problems are not listed` });
      return problems;
    } finally {
      doc.dispose();
    }
  }

  dispose(): void {
    this.validator.dispose();
  }
}

/**
 * Parse the text with libxml2. libxml2-wasm's `fromString` encodes the string to UTF-8 in a JavaScript loop,
 * character by character, which costs a third of libxml2's own parse of a 2 KB message; the native encoder
 * writing into a reused buffer, then `fromBuffer` (one copy into wasm memory), hands libxml2 the very same bytes.
 * Two cases keep `fromString`, where the bytes would differ: the empty string (no buffer at all, not an empty
 * one) and a string with a lone surrogate (the native encoder writes U+FFFD for it, libxml2-wasm's writes the
 * surrogate, which libxml2 refuses).
 */
function parseText(text: string): XmlDocument {
  if (text.length === 0 || !isWellFormed(text)) return XmlDocument.fromString(text, { option: SAFE_PARSE });
  return XmlDocument.fromBuffer(utf8Bytes(text), { option: SAFE_PARSE });
}

/** Up to this size a message is encoded into one reused buffer; a larger one gets a buffer of its own. */
const SCRATCH_BYTES = 64 * 1024;
const scratch = new Uint8Array(SCRATCH_BYTES);
const encoder = new TextEncoder();

/** The text's UTF-8 bytes; valid until the next call (`fromBuffer` copies them into wasm memory at once). */
function utf8Bytes(text: string): Uint8Array {
  if (text.length <= SCRATCH_BYTES) {
    const { read, written } = encoder.encodeInto(text, scratch);
    if (read === text.length) return scratch.subarray(0, written);
  }
  return Buffer.from(text, 'utf8');
}

function problemsOf(error: unknown): ValidationProblem[] {
  if (!(error instanceof XmlLibError)) throw error;
  return problemsOfDetails(
    error.details.length ? error.details : [{ message: error.message, level: 3, line: 0, col: 0 }],
  );
}

function problemsOfDetails(details: readonly ErrorDetail[]): ValidationProblem[] {
  return details.map((detail) => {
    const element = detail.xpath
      ?.split('/')
      .pop()
      ?.replace(/\[\d+\]$/, '');
    return {
      message: withoutValues(detail.message.trim()),
      ...(detail.line ? { line: detail.line } : {}),
      ...(detail.col ? { column: detail.col } : {}),
      ...(element ? { element } : {}),
    };
  });
}
