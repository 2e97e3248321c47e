/**
 * The operations the gateway serves, keyed by the qualified name of the body element that asks for them.
 * The WSDL declares the same set with the same SOAPAction values.
 */
import { NS } from './namespaces.js';

export type OperationName =
  | 'Call'
  | 'SendRequest'
  | 'GetRequest'
  | 'SendResponse'
  | 'GetResponse'
  | 'Ack'
  | 'GetStatus'
  | 'GetIncomingQueueStatistics';

export interface Operation {
  readonly name: OperationName;
  readonly requestNs: string;
  readonly requestElement: string;
  readonly responseElement: string;
  readonly soapAction: string;
}

const operation = (name: OperationName, ns: string): Operation => ({
  name,
  requestNs: ns,
  requestElement: `${name}Request`,
  responseElement: `${name}Response`,
  soapAction: `urn:${name}`,
});

export const OPERATIONS: readonly Operation[] = [
  operation('Call', NS.sync),
  operation('SendRequest', NS.types),
  operation('GetRequest', NS.types),
  operation('SendResponse', NS.types),
  operation('GetResponse', NS.types),
  operation('Ack', NS.types),
  operation('GetStatus', NS.types),
  operation('GetIncomingQueueStatistics', NS.types),
];

const byElement = new Map(OPERATIONS.map((op) => [`{${op.requestNs}}${op.requestElement}`, op]));

export function operationFor(namespace: string | null, localName: string): Operation | undefined {
  return byElement.get(`{${namespace ?? ''}}${localName}`);
}
