/** Posting a SOAP message to the gateway over HTTP, with the headers of its SOAP version. */
import type { SoapVersion } from '../soap/version.js';

export async function postSoap(
  url: string,
  xml: string,
  version: SoapVersion,
  action: string,
): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> =
    version.name === '1.1'
      ? { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"` }
      : { 'content-type': `application/soap+xml; charset=utf-8; action="${action}"` };
  const response = await fetch(url, { method: 'POST', headers, body: xml });
  return { status: response.status, body: await response.text() };
}
