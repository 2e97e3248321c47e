/**
 * MTOM/XOP requests (`multipart/related; type="application/xop+xml"`), as clients generated from the official
 * SMEV 3 WSDL send them, even with nothing binary: the root part is the envelope, and each `xop:Include` in it
 * stands for the bytes of the part its `href="cid:…"` names. The message is read as the XOP-decoded infoset (XOP
 * 1.0, section 3.2): each Include is replaced by the base64 text of its part, so schema validation and signatures
 * see exactly what the sender signed. Framing and part headers are read by multipart.ts, media types by
 * media-type.ts.
 */
import { randomUUID } from 'node:crypto';
import { GatewayFault } from '../core/faults.js';
import { parseMediaType, type MediaType } from './media-type.js';
import { multipartParts } from './multipart.js';
import { serializeXml, type Document, type Element } from '../xml/dom.js';

export const XOP_NS = 'http://www.w3.org/2004/08/xop/include';

export interface MtomParts {
  /** The root part: the SOAP envelope with its xop:Include elements. */
  readonly root: Buffer;
  /** The other parts by Content-ID (without the angle brackets). */
  readonly parts: ReadonlyMap<string, Buffer>;
}

/** Split an MTOM body into its root and the parts the root refers to; bounded by the body limit already read. */
export function splitMtom(body: Buffer, type: MediaType): MtomParts {
  const boundary = type.params.get('boundary');
  if (!boundary) throw new GatewayFault('UnsupportedMediaType', 'multipart/related without a boundary');
  const start = type.params.get('start');
  const parts = new Map<string, Buffer>();
  let root: Buffer | undefined;
  let rootType: { text: string; type: MediaType | undefined } = { text: '', type: undefined };
  const seen = new Set<string>();
  for (const part of multipartParts(body, boundary)) {
    const id = contentIdOf(part.headers.get('content-id'));
    const { bytes } = part;
    const contentType = part.headers.get('content-type') ?? '';
    // Malformed or ambiguous in any part: refused.
    const type = contentType === '' ? undefined : parseMediaType(contentType);
    requireBinary(part.headers.get('content-transfer-encoding'));
    // Two parts under one Content-ID would let this reader and another tool decode different messages.
    // Compared without case: a reader that folds the domain's case (RFC 5322 lets it) must find the same part.
    if (id !== '' && seen.has(id.toLowerCase())) {
      throw new GatewayFault(
        'MalformedXml',
        `two parts of the multipart body share Content-ID <${id.slice(0, 100)}>`,
      );
    }
    seen.add(id.toLowerCase());
    if (start !== undefined && `<${id}>` === start.trim()) root = bytes;
    else if (start === undefined && root === undefined) root = bytes;
    else if (id !== '') parts.set(id, bytes);
    if (root === bytes) rootType = { text: contentType, type };
  }
  if (!root) throw new GatewayFault('MalformedXml', 'the multipart body holds no root part');
  requireXopRoot(rootType);
  return { root, parts };
}

/**
 * A part's Content-ID without its angle brackets (RFC 2392), or '' for none. Spaces or brackets inside it are
 * refused: readers differ on whether `< p@x >` is `p@x`, so the part one names may not be the part another finds.
 */
function contentIdOf(header: string | undefined): string {
  if (header === undefined) return '';
  const id = header.startsWith('<') && header.endsWith('>') ? header.slice(1, -1) : header;
  if (/[\s<>]/.test(id)) {
    throw new GatewayFault(
      'MalformedXml',
      `a part's Content-ID is malformed: ${JSON.stringify(header.slice(0, 100))}`,
    );
  }
  return id;
}

/**
 * Parts are read as the bytes they carry (XOP packages them binary): a part that declares another transfer encoding
 * (base64, quoted-printable) would be one message to the gateway and another to a reader that decodes it.
 */
function requireBinary(encoding: string | undefined): void {
  if (encoding !== undefined && !/^(binary|8bit|7bit)$/i.test(encoding)) {
    throw new GatewayFault(
      'UnsupportedMediaType',
      `Content-Transfer-Encoding ${encoding.slice(0, 40)} is not accepted: parts are read as binary`,
    );
  }
}

/**
 * The root part is the envelope as XOP packages it (`application/xop+xml`), in UTF-8 like any request: it is read
 * as UTF-8, so a part that declares another charset would be one text to the gateway and another to a reader that
 * honours the declaration.
 */
function requireXopRoot({ text: contentType, type }: { text: string; type: MediaType | undefined }): void {
  if (type?.essence !== 'application/xop+xml') {
    throw new GatewayFault(
      'UnsupportedMediaType',
      `the root part must be application/xop+xml, not ${contentType.slice(0, 100) || 'untyped'}`,
    );
  }
  const charset = type.params.get('charset');
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new GatewayFault(
      'UnsupportedMediaType',
      `charset ${charset.slice(0, 40)} is not accepted; send UTF-8`,
    );
  }
}

/**
 * Replace each xop:Include with the base64 text of the part it names (the XOP-decoded infoset). Each part may be
 * named once: the decoded text is then at most 4/3 of the body the size limit already bounded, where a thousand
 * Includes naming one large part would have grown the message to gigabytes before its signature was looked at.
 */
export function decodeXop(doc: Document, parts: ReadonlyMap<string, Buffer>): void {
  const includes = Array.from(doc.getElementsByTagNameNS(XOP_NS, 'Include')) as Element[];
  const used = new Set<string>();
  for (const include of includes) {
    const href = include.getAttribute('href') ?? '';
    const id = href.startsWith('cid:') ? safeDecode(href.slice(4)) : undefined;
    const bytes = id === undefined ? undefined : parts.get(id);
    if (id === undefined || !bytes) {
      throw new GatewayFault(
        'InvalidContent',
        `xop:Include names no part of the message: ${href.slice(0, 100)}`,
      );
    }
    if (used.has(id)) {
      throw new GatewayFault(
        'InvalidContent',
        `two xop:Include elements name one part: ${href.slice(0, 100)}`,
      );
    }
    used.add(id);
    // The Include stands for the whole character content of an element: not the document root, no siblings,
    // nothing inside it that the decoded text would silently drop.
    const parent = include.parentNode;
    if (parent?.nodeType !== 1 || include.previousSibling || include.nextSibling || include.firstChild) {
      throw new GatewayFault(
        'InvalidContent',
        'xop:Include must be the only content of its element, and empty',
      );
    }
    parent.replaceChild(doc.createTextNode(bytes.toString('base64')), include);
  }
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * An answer in MTOM, for an MTOM request whose answer carries attachments: each `Content` its writer handed over
 * (the inline attachments it carried, never an element found by name, which caller content could imitate) becomes
 * a binary part named by an `xop:Include`, and the envelope the root part. Only a text that is exactly the
 * canonical base64 of its bytes is moved (XOP 1.0, section 3.2); any other stays inline. Undefined when nothing is
 * moved, so such answers stay plain. Signatures hold: `doc` is the tree as signed, and decoded it is that again.
 */
export function encodeMtom(
  doc: Document,
  contents: readonly Element[],
  soapMediaType: string,
): { body: Buffer; contentType: string } | undefined {
  const moved = contents.flatMap((content) => {
    const text = content.firstChild;
    if (!text || text !== content.lastChild || text.nodeType !== 3) return [];
    const bytes = Buffer.from(text.nodeValue ?? '', 'base64');
    return bytes.toString('base64') === text.nodeValue ? [{ content, text, bytes }] : [];
  });
  if (moved.length === 0) return undefined;
  const boundary = `uuid:${randomUUID()}`;
  const rootId = `root.${randomUUID()}@smev-gateway`;
  const binary: Buffer[] = [];
  for (const { content, text, bytes } of moved) {
    const id = `${randomUUID()}@smev-gateway`;
    const include = doc.createElementNS(XOP_NS, 'xop:Include');
    include.setAttribute('href', `cid:${id}`);
    content.replaceChild(include, text);
    binary.push(
      Buffer.from(
        `--${boundary}\r\nContent-Type: application/octet-stream\r\n` +
          `Content-Transfer-Encoding: binary\r\nContent-ID: <${id}>\r\n\r\n`,
      ),
      bytes,
      Buffer.from('\r\n'),
    );
  }
  const root = Buffer.from(
    `--${boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="${soapMediaType}"\r\n` +
      `Content-Transfer-Encoding: binary\r\nContent-ID: <${rootId}>\r\n\r\n${serializeXml(doc)}\r\n`,
  );
  return {
    body: Buffer.concat([root, ...binary, Buffer.from(`--${boundary}--\r\n`)]),
    contentType:
      `multipart/related; type="application/xop+xml"; boundary="${boundary}"; ` +
      `start="<${rootId}>"; start-info="${soapMediaType}"`,
  };
}
