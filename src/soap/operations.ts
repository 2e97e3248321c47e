/**
 * The operations the gateway serves, keyed by the qualified name of the body element that asks for them.
 * The WSDL declares the same set with the same SOAPAction values. The queued operations are in the types
 * namespace of the contract version the endpoint speaks; Call (the sync extension) only where that version
 * serves it.
 */
import { EXCHANGE_1_1, NS, type ExchangeNamespaces } from './namespaces.js';

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

/** The operations of one contract version: the 1.1 table with the queued ones in that version's namespace. */
function operationsOf(contract: ExchangeNamespaces): readonly Operation[] {
  const served = (op: Operation) =>
    (op.name !== 'Call' || contract.call) &&
    (op.name !== 'GetIncomingQueueStatistics' || contract.queueStatistics);
  return OPERATIONS.filter(served).map((op) =>
    op.requestNs === NS.types ? { ...op, requestNs: contract.types } : op,
  );
}

const byElement = new Map<ExchangeNamespaces, Map<string, Operation>>();

export function operationFor(
  namespace: string | null,
  localName: string,
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): Operation | undefined {
  let table = byElement.get(contract);
  if (!table) {
    table = new Map(operationsOf(contract).map((op) => [`{${op.requestNs}}${op.requestElement}`, op]));
    byElement.set(contract, table);
  }
  return table.get(`{${namespace ?? ''}}${localName}`);
}
