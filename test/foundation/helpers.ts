/**
 * Helpers shared by the foundation tests: raw HTTP (any headers, any bytes, chunked bodies, custom Host), reading a
 * SOAP fault into its parts, and building signed Call requests whose unsigned XML a test may reshape first.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { faultCodeOf } from '../../src/soap/fault-code.js';
import { CONTRACT_VERSIONS, NS } from '../../src/soap/namespaces.js';
import { SOAP11, type SoapVersion } from '../../src/soap/version.js';
import { childElements, parseDom, type Element } from '../../src/xml/dom.js';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The body as bytes (an MTOM answer's binary parts do not survive decoding as text). */
  readonly bytes?: Buffer;
  /** Milliseconds from sending the request to the end of the answer. */
  readonly ms: number;
}

export interface RawRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  /** A whole body (sent with Content-Length) or chunks (sent with Transfer-Encoding: chunked). */
  readonly body?: string | Buffer;
  readonly chunks?: ReadonlyArray<string | Buffer>;
}

/** One HTTP exchange with node:http, so that Host and every other header go out exactly as given. */
export function rawHttp(baseUrl: string, options: RawRequest): Promise<RawResponse> {
  const url = new URL(options.path ?? '/ws', baseUrl);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = httpRequest(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? 'POST',
        headers,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts).toString('utf8'),
            bytes: Buffer.concat(parts),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    // The server may answer (and close) before it has read an oversize body: a late write error is expected then.
    req.on('error', reject);
    if (options.chunks) {
      for (const chunk of options.chunks) req.write(chunk);
    } else if (options.body !== undefined) {
      req.write(options.body);
    }
    req.end();
  });
}

/** POST a SOAP message with the headers of its version (SOAPAction for 1.1, the action parameter for 1.2). */
export function postSoapRaw(
  endpoint: string,
  body: string | Buffer,
  version: SoapVersion = SOAP11,
  action = 'urn:Call',
  extraHeaders: Record<string, string> = {},
): Promise<RawResponse> {
  const headers: Record<string, string> =
    version.name === '1.1'
      ? { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"` }
      : { 'content-type': `application/soap+xml; charset=utf-8; action="${action}"` };
  return rawHttp(endpoint, { body, headers: { ...headers, ...extraHeaders } });
}

export interface ReadFault {
  /** Namespace of the answer's envelope. */
  readonly envelopeNs: string;
  /** SOAP 1.1 faultcode, or SOAP 1.2 Code/Value. */
  readonly soapCode: string;
  /** SOAP 1.2 Code/Subcode/Value (undefined in 1.1). */
  readonly subcode: string | undefined;
  /** faultstring or Reason/Text. */
  readonly reason: string;
  /** Local name of the element of the faults namespace in detail. */
  readonly element: string;
  /** The gateway's stable code: detail/*\/basic:Code, or the head of the fault string of an empty fault. */
  readonly code: string;
  readonly detail: Element;
}

const child = (node: Element, localName: string): Element | undefined =>
  childElements(node).find((e) => e.localName === localName);

/** Reads a SOAP 1.1 or 1.2 fault answer; throws when the body is not one. */
export function readFault(xml: string): ReadFault {
  const doc = parseDom(xml);
  const envelope = doc.documentElement as Element;
  const envelopeNs = envelope.namespaceURI ?? '';
  const body = child(envelope, 'Body');
  const fault = body && child(body, 'Fault');
  if (!fault) throw new Error(`not a SOAP fault: ${xml.slice(0, 300)}`);
  const v12 = envelopeNs === NS.soap12;
  const code = v12 ? child(fault, 'Code') : undefined;
  const soapCode = v12 ? (code && child(code, 'Value'))?.textContent : child(fault, 'faultcode')?.textContent;
  const subcodeElement = code && child(code, 'Subcode');
  const reasonElement = v12 ? child(fault, 'Reason') : child(fault, 'faultstring');
  const detailWrapper = child(fault, v12 ? 'Detail' : 'detail');
  const detail = detailWrapper ? childElements(detailWrapper)[0] : undefined;
  // The faults namespace of the contract version spoken (1.1 at /ws, 1.2 at /ws/1.2, …).
  if (!detail || !CONTRACT_VERSIONS.some((contract) => contract.faults === detail.namespaceURI))
    throw new Error(`the fault has no detail of the faults namespace: ${xml}`);
  return {
    envelopeNs,
    soapCode: (soapCode ?? '').trim(),
    subcode: subcodeElement ? (child(subcodeElement, 'Value')?.textContent ?? '').trim() : undefined,
    reason: (reasonElement?.textContent ?? '').trim(),
    element: detail.localName ?? '',
    code: faultCodeOf(detail, reasonElement?.textContent ?? ''),
    detail,
  };
}

/** Put header blocks into the (empty) `soap:Header` of a request built by buildCallRequest. */
export function withHeaderBlocks(xml: string, blocks: string): string {
  if (!xml.includes('<soap:Header/>')) throw new Error('the request has no empty soap:Header to fill');
  return xml.replace('<soap:Header/>', `<soap:Header>${blocks}</soap:Header>`);
}

/** Elements nested `levels` deep in a namespace of no service: `<h:n><h:n>…</h:n></h:n>`. */
export function nested(levels: number, name = 'h:n', ns = 'urn://example.test/hostile'): string {
  const open = `<${name}>`;
  const close = `</${name}>`;
  return `<${name} xmlns:${name.split(':')[0]}="${ns}">` + open.repeat(levels - 1) + close.repeat(levels);
}
