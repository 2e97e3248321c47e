/** Posting a SOAP message to the gateway over HTTP or HTTPS, with the headers of its SOAP version. */
import { request as httpsRequest } from 'node:https';
import type { SoapVersion } from '../soap/version.js';

/** PEM text for HTTPS: the CA that issued the gateway's certificate, and a client certificate for mutual TLS. */
export interface TlsClientMaterial {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** The HTTP headers that carry a SOAP version and its action. */
export function soapHeaders(version: SoapVersion, action: string): Record<string, string> {
  return version.name === '1.1'
    ? { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"` }
    : { 'content-type': `application/soap+xml; charset=utf-8; action="${action}"` };
}

export async function postSoap(
  url: string,
  xml: string,
  version: SoapVersion,
  action: string,
  tls?: TlsClientMaterial,
): Promise<{ status: number; body: string }> {
  const headers = soapHeaders(version, action);
  if (tls) return postOverTls(url, xml, headers, tls);
  try {
    const response = await fetch(url, { method: 'POST', headers, body: xml });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    throw unreachable(url, error);
  }
}

/** The gateway did not answer: say where we looked and why, as the system error puts it (ECONNREFUSED, …). */
export class GatewayUnreachableError extends Error {
  override name = 'GatewayUnreachableError';
}

function unreachable(url: string, error: unknown): GatewayUnreachableError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return new GatewayUnreachableError(
    `cannot reach the gateway at ${url} (${reason}): is it running there? --url, --config or PORT name another`,
    { cause: error },
  );
}

/** node:https, since fetch takes neither a CA nor a client certificate of its own. */
function postOverTls(
  url: string,
  xml: string,
  headers: Record<string, string>,
  tls: TlsClientMaterial,
): Promise<{ status: number; body: string }> {
  if (new URL(url).protocol !== 'https:')
    return Promise.reject(new Error(`TLS options need an https:// address, not ${url}`));
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(xml)) },
        ...(tls.ca ? { ca: tls.ca } : {}),
        ...(tls.cert ? { cert: tls.cert } : {}),
        ...(tls.key ? { key: tls.key } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', (error) => reject(unreachable(url, error)));
    request.end(xml);
  });
}
