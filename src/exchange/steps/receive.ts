/** Step 1, receive: the body fits the size limit, its content coding was undone, and its media type names a SOAP version. */
import { GatewayFault } from '../../core/faults.js';
import { splitMtom, type MtomParts } from '../../soap/mtom.js';
import {
  readRequestHead,
  versionNamedBy,
  type SoapRequestHead,
  type SoapVersion,
} from '../../soap/version.js';
import type { IncomingMessage } from '../context.js';

export interface RequestHead {
  readonly version: SoapVersion;
  readonly action: string | undefined;
  /** An MTOM request's root part and the parts its xop:Include elements name. */
  readonly mtom: MtomParts | undefined;
}

/** `onVersion` learns the SOAP version as soon as the media type names it, so even a refusal is written in it. */
export function receive(
  incoming: IncomingMessage,
  maxBodyBytes: number,
  onVersion: (version: SoapVersion) => void,
): RequestHead {
  let head: SoapRequestHead;
  try {
    head = readRequestHead(incoming.contentType, incoming.soapAction);
  } catch (error) {
    // A head refused for its charset or a parameter: the refusal still speaks the version the media type names.
    const named = versionNamedBy(incoming.contentType);
    if (named) onVersion(named);
    throw error;
  }
  onVersion(head.version);
  if (incoming.tooLarge) {
    throw new GatewayFault('MessageTooLarge', `the message body exceeds ${maxBodyBytes} bytes`);
  }
  const coding = incoming.codingProblem;
  if (coding) throw new GatewayFault(coding.fault, coding.message);
  return {
    version: head.version,
    action: head.action,
    mtom: head.mtom ? splitMtom(incoming.body, head.mtom) : undefined,
  };
}
