/**
 * XSD validation that reads at most a bounded number of libxml2's problems. libxml2-wasm's own collector takes
 * every problem and, for each, the path of its element (`xmlGetNodePath`), which walks all the element's siblings
 * of the same name to number it: forty thousand bad siblings in one lax Header cost libxml2-wasm fourteen seconds,
 * before any signature is looked at. This collector keeps the first problems with their paths and only counts the
 * rest, so a message costs its validation and no more.
 *
 * libxml2-wasm publishes no way to pass a collector of one's own, so this uses its raw bindings (`lib/libxml2.mjs`,
 * the functions its XsdValidator calls) and the pointers its objects hold; the schema tests exercise it on every
 * version the lock file pins.
 */
import {
  XmlErrorStruct,
  xmlGetNodePath,
  xmlSchemaFreeValidCtxt,
  xmlSchemaNewValidCtxt,
  xmlSchemaSetValidStructuredErrors,
  xmlSchemaValidateDoc,
} from 'libxml2-wasm/lib/libxml2.mjs';
import * as raw from 'libxml2-wasm/lib/libxml2.mjs';
import type { ErrorDetail, XmlDocument, XsdValidator } from 'libxml2-wasm';

/** Problems read in full from one validation; the rest are counted. */
export const MAX_READ_PROBLEMS = 50;

export interface BoundedOutcome {
  /** Negative: libxml2 failed (not the document); 0: valid; positive: invalid. */
  readonly status: number;
  readonly details: readonly ErrorDetail[];
  /** Problems past the first MAX_READ_PROBLEMS, counted only. */
  readonly more: number;
}

/** The emscripten runtime's `addFunction`, which libxml2-wasm exports for its own modules (marked internal). */
const addFunction = (
  raw as unknown as { addFunction: (fn: (...args: number[]) => void, sig: string) => number }
).addFunction;

/** Where the collector writes during the one synchronous validation that runs at a time. */
let sink: { details: ErrorDetail[]; more: number } | undefined;

const collector = addFunction((_data: number, error: number) => {
  if (!sink) return;
  if (sink.details.length >= MAX_READ_PROBLEMS) {
    sink.more++;
    return;
  }
  const detail: ErrorDetail = {
    message: XmlErrorStruct.message(error),
    level: XmlErrorStruct.level(error),
    line: XmlErrorStruct.line(error),
    col: XmlErrorStruct.col(error),
  };
  const path = xmlGetNodePath(XmlErrorStruct.node(error));
  if (path !== null) detail.xpath = path;
  sink.details.push(detail);
}, 'vii');

const pointerOf = (object: XsdValidator | XmlDocument): number =>
  (object as unknown as { _ptr: number })._ptr;

/** Validate `doc` against `validator`, reading at most MAX_READ_PROBLEMS problems. */
export function validateBounded(validator: XsdValidator, doc: XmlDocument): BoundedOutcome {
  const context = xmlSchemaNewValidCtxt(pointerOf(validator));
  const collected = { details: [] as ErrorDetail[], more: 0 };
  sink = collected;
  try {
    xmlSchemaSetValidStructuredErrors(context, collector, 0);
    const status = xmlSchemaValidateDoc(context, pointerOf(doc));
    return { status, details: collected.details, more: collected.more };
  } finally {
    sink = undefined;
    xmlSchemaFreeValidCtxt(context);
  }
}
