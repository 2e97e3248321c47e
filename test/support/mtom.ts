/** Test support for MTOM/XOP: a multipart body as CXF and other clients generated from the official WSDL send it. */

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
