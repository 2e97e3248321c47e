/**
 * The parts of a multipart body (RFC 2046 5.1.1) and their MIME headers, read strictly: what two readers could
 * read differently is refused, not guessed. A header given twice (one reader takes the first, another the last,
 * a third joins them), a folded header line (a continuation to one reader, a header of its own to another), a
 * line that is no header at all; and text before the first boundary, which the gateway does not read.
 */
import { GatewayFault } from '../core/faults.js';

export interface BodyPart {
  /** Headers by lower-case name, each given once. */
  readonly headers: ReadonlyMap<string, string>;
  readonly bytes: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEADER = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

const malformed = (why: string) =>
  new GatewayFault('MalformedXml', `the multipart body is malformed: ${why}`);

/** Each part of `body` in order, up to the close delimiter (the epilogue after it is not read). */
export function* multipartParts(body: Buffer, boundary: string): Generator<BodyPart> {
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
  const headers = new Map<string, string>();
  const lines = blank === 0 ? [] : part.subarray(0, blank).toString('latin1').split('\r\n');
  for (const line of lines) {
    const match = HEADER.exec(line);
    if (!match?.[1] || match[2] === undefined || CONTROL.test(match[2])) {
      const why = /^[ \t]/.test(line) ? 'a folded header line' : 'a line that is no header';
      throw malformed(`${why} in a part: ${JSON.stringify(line.slice(0, 60))}`);
    }
    const name = match[1].toLowerCase();
    if (headers.has(name)) throw malformed(`a part gives its ${match[1]} header twice`);
    headers.set(name, match[2]);
  }
  return { headers, bytes: part.subarray(blank === 0 ? 2 : blank + 4) };
}
