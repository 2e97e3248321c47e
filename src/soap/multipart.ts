/**
 * The parts of a multipart body (RFC 2046 5.1.1) and their MIME headers, read strictly: what two readers could
 * read differently is refused, not guessed. A header given twice (one reader takes the first, another the last,
 * a third joins them), a folded header line (a continuation to one reader, a header of its own to another), a
 * line that is no header at all; and text before the first boundary, which the gateway does not read.
 */
import { GatewayFault } from '../core/faults.js';
import { trimmed } from '../core/trim.js';

export interface BodyPart {
  /** Headers by lower-case name, each given once. */
  readonly headers: ReadonlyMap<string, string>;
  readonly bytes: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A part's header block may be this long: a few headers of a line each (RFC 5322 allows 998 octets a line). */
const MAX_HEADER_BYTES = 8 * 1024;
/** RFC 2046 5.1.1: 1 to 70 characters, the last not a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

const malformed = (why: string) =>
  new GatewayFault('MalformedXml', `the multipart body is malformed: ${why}`);

/** Each part of `body` in order, up to the close delimiter (the epilogue after it is not read). */
export function* multipartParts(body: Buffer, boundary: string): Generator<BodyPart> {
  // A reader that trims a trailing space, or takes a longer boundary than RFC 2046 allows, would cut elsewhere.
  if (!BOUNDARY.test(boundary)) {
    throw new GatewayFault('UnsupportedMediaType', 'the multipart boundary is not one RFC 2046 allows');
  }
  const dashBoundary = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.concat([CRLF, dashBoundary]);
  if (!body.subarray(0, dashBoundary.length).equals(dashBoundary))
    throw malformed('missing initial boundary');
  let at = dashBoundary.length;
  for (;;) {
    if (body.subarray(at, at + 2).toString('latin1') === '--') return;
    while (body[at] === 0x20 || body[at] === 0x09) at += 1; // transport padding
    if (!body.subarray(at, at + 2).equals(CRLF))
      throw malformed('a boundary line goes on after the boundary');
    const end = body.indexOf(delimiter, at);
    if (end < 0) throw malformed('the closing boundary is missing');
    yield bodyPart(body.subarray(at + 2, end));
    at = end + delimiter.length;
  }
}

/** A part: its header lines up to the first empty line (none when it starts with one), then its bytes. */
function bodyPart(part: Buffer): BodyPart {
  const blank = part.subarray(0, 2).equals(CRLF) ? 0 : part.indexOf('\r\n\r\n');
  if (blank < 0) throw malformed('a part has no empty line after its headers');
  if (blank > MAX_HEADER_BYTES) throw malformed(`a part's headers are longer than ${MAX_HEADER_BYTES} bytes`);
  const headers = new Map<string, string>();
  const lines = blank === 0 ? [] : part.subarray(0, blank).toString('latin1').split('\r\n');
  for (const line of lines) {
    // Split at the first colon and trim: no pattern runs over the value, so a line costs its length.
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon);
    const value = trimmed(line.slice(colon + 1), ' \t');
    if (!HEADER_NAME.test(name) || CONTROL.test(value)) {
      const why = /^[ \t]/.test(line) ? 'a folded header line' : 'a line that is no header';
      throw malformed(`${why} in a part: ${JSON.stringify(line.slice(0, 60))}`);
    }
    const key = name.toLowerCase();
    if (headers.has(key)) throw malformed(`a part gives its ${name} header twice`);
    headers.set(key, value);
  }
  return { headers, bytes: part.subarray(blank === 0 ? 2 : blank + 4) };
}
