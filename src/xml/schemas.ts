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
  XmlLibError,
  XsdValidator,
  xmlRegisterInputProvider,
  type ErrorDetail,
} from 'libxml2-wasm';
import type { ValidationProblem } from '../core/faults.js';

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
      doc = XmlDocument.fromString(text, { option: SAFE_PARSE });
    } catch (error) {
      return problemsOf(error);
    }
    try {
      this.validator.validate(doc);
      return [];
    } catch (error) {
      return problemsOf(error);
    } finally {
      doc.dispose();
    }
  }

  dispose(): void {
    this.validator.dispose();
  }
}

function problemsOf(error: unknown): ValidationProblem[] {
  if (!(error instanceof XmlLibError)) throw error;
  const details: ErrorDetail[] = error.details.length
    ? error.details
    : [{ message: error.message, level: 3, line: 0, col: 0 }];
  return details.map((detail) => {
    const element = detail.xpath
      ?.split('/')
      .pop()
      ?.replace(/\[\d+\]$/, '');
    return {
      message: detail.message.trim(),
      ...(detail.line ? { line: detail.line } : {}),
      ...(detail.col ? { column: detail.col } : {}),
      ...(element ? { element } : {}),
    };
  });
}
