/**
 * Test support for MTOM/XOP: a multipart body as CXF and other clients generated from the official WSDL send it,
 * and a take (GetRequest, GetResponse) sent that way, its answer read back as the recipient reads it: the binary
 * parts, the root part as it came, and the XOP-decoded answer.
 */
import { expect } from 'chai';
import { MIMEType } from 'node:util';
import { parseMultipart } from '@mjackson/multipart-parser';
import { takeXml } from '../../src/client/queued.js';
import { decodeXop } from '../../src/soap/mtom.js';
import { SOAP11 } from '../../src/soap/version.js';
import { parseDom, serializeXml } from '../../src/xml/dom.js';
import { rawHttp } from '../foundation/helpers.js';
import { sampleKey } from './gateway.js';

export const XOP = 'http://www.w3.org/2004/08/xop/include';
export const BOUNDARY = 'uuid:6b1b0e2c-3d5a-4b8e-9f1a-2c3d4e5f6a7b';
export const ROOT_TYPE = 'application/xop+xml; charset=UTF-8; type="text/xml"';
export const MTOM_CONTENT_TYPE =
  `multipart/related; type="application/xop+xml"; boundary="${BOUNDARY}"; ` +
  `start="<root.message@cxf.apache.org>"; start-info="text/xml"`;

export interface Part {
  readonly id: string;
  readonly bytes: Buffer;
}

/** A CXF-style MTOM body: the root (application/xop+xml) first, then each binary part. */
export function mtomBody(root: string, parts: readonly Part[], rootType = ROOT_TYPE): Buffer {
  const chunks: Buffer[] = [
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Type: ${rootType}\r\n` +
        `Content-Transfer-Encoding: binary\r\nContent-ID: <root.message@cxf.apache.org>\r\n\r\n${root}\r\n`,
    ),
  ];
  for (const part of parts) {
    chunks.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n` +
          `Content-ID: <${part.id}>\r\n\r\n`,
      ),
      part.bytes,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

export interface MtomAnswer {
  /** Whether the answer came as multipart/related (MTOM) rather than plain SOAP. */
  readonly multipart: boolean;
  /** The root part (the whole answer when plain), as it came. */
  readonly root: string;
  /** The binary parts, in order. */
  readonly parts: readonly Buffer[];
  /** The answer as the recipient reads it: the root with each xop:Include replaced by its part's base64. */
  readonly decoded: string;
}

/** A take by `system` sent in MTOM (with no binary part), its answer decoded. */
export async function takeInMtom(
  endpoint: string,
  system: string,
  operation: 'GetRequest' | 'GetResponse',
  at = new Date(),
): Promise<MtomAnswer> {
  const answer = await rawHttp(endpoint, {
    chunks: [mtomBody(takeXml(SOAP11, sampleKey(system), operation, undefined, at), [])],
    headers: { 'content-type': MTOM_CONTENT_TYPE, soapaction: `"urn:${operation}"` },
  });
  expect(answer.status, answer.body).to.equal(200);
  const type = new MIMEType(String(answer.headers['content-type']));
  if (type.essence !== 'multipart/related') {
    return { multipart: false, root: answer.body, parts: [], decoded: answer.body };
  }
  const [root, ...rest] = [...parseMultipart(answer.bytes!, { boundary: type.params.get('boundary')! })];
  const parts = new Map(
    rest.map((part) => [
      (part.headers.get('content-id') ?? '').replace(/^<|>$/g, ''),
      Buffer.from(part.bytes),
    ]),
  );
  const rootText = Buffer.from(root!.bytes).toString('utf8');
  const doc = parseDom(rootText);
  decodeXop(doc, parts);
  return { multipart: true, root: rootText, parts: [...parts.values()], decoded: serializeXml(doc) };
}
