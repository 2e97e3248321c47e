/** Posting a SOAP message to the gateway over HTTP, with the headers of its SOAP version. */
import type { SoapVersion } from '../soap/version.js';

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
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: 'POST', headers: soapHeaders(version, action), body: xml });
  return { status: response.status, body: await response.text() };
}
