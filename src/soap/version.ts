/**
 * SOAP 1.1 and 1.2 as the gateway tells them apart (by media type) and answers in them. Everything that differs
 * between the versions lives in this one table.
 */
import { GatewayFault } from '../core/faults.js';
import type { MIMEType } from 'node:util';
import { multipartRelated } from './mtom.js';
import { NS } from './namespaces.js';

export interface SoapVersion {
  readonly name: '1.1' | '1.2';
  readonly envelopeNs: string;
  readonly mediaType: string;
  /** Fault codes for "the sender is at fault" and "we are at fault". */
  readonly clientCode: string;
  readonly serverCode: string;
  /** The header block attribute naming the node a block is for: `actor` (1.1) or `role` (1.2). */
  readonly targetAttribute: 'actor' | 'role';
  /** The roles the gateway plays, as the ultimate receiver; a block with no target attribute is for it too. */
  readonly rolesPlayed: readonly string[];
}

export const SOAP11: SoapVersion = {
  name: '1.1',
  envelopeNs: NS.soap11,
  mediaType: 'text/xml',
  clientCode: 'Client',
  serverCode: 'Server',
  targetAttribute: 'actor',
  rolesPlayed: ['http://schemas.xmlsoap.org/soap/actor/next'],
};

export const SOAP12: SoapVersion = {
  name: '1.2',
  envelopeNs: NS.soap12,
  mediaType: 'application/soap+xml',
  clientCode: 'Sender',
  serverCode: 'Receiver',
  targetAttribute: 'role',
  // Never `role/none`: no node plays it (SOAP 1.2 part 1, 2.2).
  rolesPlayed: [`${NS.soap12}/role/next`, `${NS.soap12}/role/ultimateReceiver`],
};

export interface SoapRequestHead {
  readonly version: SoapVersion;
  /** SOAPAction (1.1) or the `action` media-type parameter (1.2), unquoted; undefined when absent. */
  readonly action: string | undefined;
  /** An MTOM/XOP request: its multipart/related media type, whose root part holds the envelope. */
  readonly mtom?: MIMEType;
}

/** Which SOAP version the request speaks, from its Content-Type, and the action it names. */
export function readRequestHead(
  contentType: string | undefined,
  soapActionHeader: string | undefined,
): SoapRequestHead {
  const related = multipartRelated(contentType);
  if (related) {
    if ((related.params.get('type') ?? '').toLowerCase() !== 'application/xop+xml') {
      throw new GatewayFault(
        'UnsupportedMediaType',
        'multipart/related is accepted as MTOM only: type="application/xop+xml"',
      );
    }
    // start-info names the SOAP media type of the root part (SOAP 1.2 may carry its action beside it): a SOAP
    // media type, never a package nested in the package.
    const startInfo = related.params.get('start-info') ?? 'text/xml';
    if (multipartRelated(startInfo)) {
      throw new GatewayFault(
        'UnsupportedMediaType',
        'start-info must name the SOAP media type of the root part',
      );
    }
    const action = related.params.get('action');
    const inner = readRequestHead(action ? `${startInfo}; action="${action}"` : startInfo, soapActionHeader);
    return { ...inner, mtom: related };
  }
  const [mediaType = '', ...parameters] = (contentType ?? '').split(';').map((part) => part.trim());
  const parameter = (name: string) => {
    const found = parameters.filter((p) => p.toLowerCase().startsWith(`${name}=`));
    // Given twice, a reader that takes the first and one that takes the last would act on different values.
    if (found.length > 1)
      throw new GatewayFault('UnsupportedMediaType', `the content type gives the ${name} parameter twice`);
    return found[0] === undefined ? undefined : unquote(found[0].slice(name.length + 1));
  };
  const charset = parameter('charset');
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new GatewayFault('UnsupportedMediaType', `charset ${charset} is not accepted; send UTF-8`);
  }
  switch (mediaType.toLowerCase()) {
    case 'text/xml':
      return {
        version: SOAP11,
        action: soapActionHeader === undefined ? undefined : unquote(soapActionHeader),
      };
    case 'application/soap+xml':
      return { version: SOAP12, action: parameter('action') };
    default:
      throw new GatewayFault(
        'UnsupportedMediaType',
        `content type "${mediaType || '(none)'}" is neither text/xml (SOAP 1.1) nor application/soap+xml (SOAP 1.2)`,
      );
  }
}

function unquote(value: string): string {
  const trimmed = value.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1)
    : trimmed;
}
