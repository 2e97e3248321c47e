/**
 * SOAP 1.1 and 1.2 as the gateway tells them apart (by media type) and answers in them. Everything that differs
 * between the versions lives in this one table.
 */
import { GatewayFault } from '../core/faults.js';
import { essenceOf, parseMediaType, type MediaType } from './media-type.js';
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
  readonly mtom?: MediaType;
}

/**
 * The SOAP version a Content-Type names, read leniently: its essence, or an MTOM package's start-info. A refusal of
 * the head itself (a charset other than UTF-8, a parameter given twice) is then written in the version the client
 * reads; undefined when it names neither, and the refusal speaks SOAP 1.1.
 */
export function versionNamedBy(contentType: string | undefined): SoapVersion | undefined {
  const essence = essenceOf(contentType ?? '');
  if (essence !== 'multipart/related') return BY_MEDIA_TYPE.get(essence);
  try {
    return BY_MEDIA_TYPE.get(
      essenceOf(parseMediaType(contentType ?? '').params.get('start-info') ?? 'text/xml'),
    );
  } catch {
    return SOAP11;
  }
}

const BY_MEDIA_TYPE: ReadonlyMap<string, SoapVersion> = new Map(
  [SOAP11, SOAP12].map((v) => [v.mediaType, v]),
);

/** Which SOAP version the request speaks, from its Content-Type, and the action it names. */
export function readRequestHead(
  contentType: string | undefined,
  soapActionHeader: string | undefined,
): SoapRequestHead {
  if (!contentType?.trim()) return soapHead({ essence: '', params: new Map() }, soapActionHeader);
  const type = parseMediaType(contentType);
  if (type.essence !== 'multipart/related') return soapHead(type, soapActionHeader);
  if ((type.params.get('type') ?? '').toLowerCase() !== 'application/xop+xml') {
    throw new GatewayFault(
      'UnsupportedMediaType',
      'multipart/related is accepted as MTOM only: type="application/xop+xml"',
    );
  }
  // start-info names the SOAP media type of the root part (SOAP 1.2 may carry its action beside it): a SOAP
  // media type, never a package nested in the package.
  const startInfo = parseMediaType(type.params.get('start-info') ?? 'text/xml');
  if (startInfo.essence === 'multipart/related') {
    throw new GatewayFault(
      'UnsupportedMediaType',
      'start-info must name the SOAP media type of the root part',
    );
  }
  const action = type.params.get('action');
  if (action !== undefined && startInfo.params.has('action'))
    throw new GatewayFault('UnsupportedMediaType', 'the content type gives the action parameter twice');
  const params = new Map(startInfo.params);
  if (action !== undefined) params.set('action', action);
  return { ...soapHead({ essence: startInfo.essence, params }, soapActionHeader), mtom: type };
}

function soapHead(type: MediaType, soapActionHeader: string | undefined): SoapRequestHead {
  const charset = type.params.get('charset');
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new GatewayFault('UnsupportedMediaType', `charset ${charset} is not accepted; send UTF-8`);
  }
  const version = BY_MEDIA_TYPE.get(type.essence);
  if (!version) {
    throw new GatewayFault(
      'UnsupportedMediaType',
      `content type "${type.essence || '(none)'}" is neither text/xml (SOAP 1.1) nor application/soap+xml (SOAP 1.2)`,
    );
  }
  // SOAP 1.2 names the action in the media type, SOAP 1.1 in the SOAPAction header.
  if (version === SOAP12) return { version, action: type.params.get('action') };
  return { version, action: soapActionHeader === undefined ? undefined : unquote(soapActionHeader) };
}

function unquote(value: string): string {
  const trimmed = value.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1)
    : trimmed;
}
