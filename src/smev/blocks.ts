/**
 * The blocks every answer is made of, written into an xmldom tree: the gateway's MessageMetadata and the
 * provider's SenderProvidedResponseData. Call answers and queued messages share them, so both read the same.
 */
import type { Document, Element } from '@xmldom/xmldom';
import { EXCHANGE_1_1, type ExchangeNamespaces } from '../soap/namespaces.js';
import { importInto, parseDom } from '../xml/dom.js';
import type { SystemRef } from '../core/ports.js';

/** The Ids of the signed blocks: the gateway's and a hosted provider's in answers, a caller's in its requests. */
export const PROVIDER_BLOCK_ID = 'SIGNED_BY_PROVIDER';
export const SMEV_BLOCK_ID = 'SIGNED_BY_SMEV';
export const CALLER_BLOCK_ID = 'SIGNED_BY_CALLER';
export const CONSUMER_BLOCK_ID = 'SIGNED_BY_CONSUMER';

export interface Metadata {
  readonly messageId: string;
  readonly type: 'REQUEST' | 'RESPONSE';
  readonly sender: SystemRef;
  readonly recipient: SystemRef;
  readonly sentAt: Date;
  readonly destination: string;
  readonly status?: string;
  /** When the message reached its recipient (Call answers). */
  readonly deliveredAt?: Date;
}

export type Add = (parent: Element, ns: string, name: string, text?: string) => Element;

export function adder(doc: Document): Add {
  return (parent, ns, name, text) => {
    const element = doc.createElementNS(ns, name);
    if (text !== undefined) element.appendChild(doc.createTextNode(text));
    parent.appendChild(element);
    return element;
  };
}

export function writeMetadata(
  add: Add,
  parent: Element,
  meta: Metadata,
  id?: string,
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): Element {
  const { types } = contract;
  const metadata = add(parent, types, 'ns2:MessageMetadata');
  if (id) metadata.setAttribute('Id', id);
  add(metadata, types, 'ns2:MessageId', meta.messageId);
  add(metadata, types, 'ns2:MessageType', meta.type);
  const from = add(metadata, types, 'ns2:Sender');
  add(from, types, 'ns2:Mnemonic', meta.sender.mnemonic);
  add(from, types, 'ns2:HumanReadableName', meta.sender.humanReadableName);
  add(metadata, types, 'ns2:SendingTimestamp', meta.sentAt.toISOString());
  // 1.3 routes by its own optional elements and has no DestinationName or SupplementaryData.
  if (contract.metadataRouting) add(metadata, types, 'ns2:DestinationName', meta.destination);
  const to = add(metadata, types, 'ns2:Recipient');
  add(to, types, 'ns2:Mnemonic', meta.recipient.mnemonic);
  add(to, types, 'ns2:HumanReadableName', meta.recipient.humanReadableName);
  if (contract.metadataRouting) {
    add(add(metadata, types, 'ns2:SupplementaryData'), types, 'ns2:InteractionType', 'OIV2OIV');
  }
  if (meta.deliveredAt) add(metadata, types, 'ns2:DeliveryTimestamp', meta.deliveredAt.toISOString());
  if (meta.status) add(metadata, types, 'ns2:Status', contract.statusCategories[meta.status] ?? meta.status);
  return metadata;
}

export type ResponseOutcome =
  | { readonly kind: 'answer'; readonly body: string }
  | { readonly kind: 'rejected'; readonly code: string; readonly description: string };

/** SenderProvidedResponseData (Id SIGNED_BY_PROVIDER): the provider's answer or its rejection. */
export function writeResponseData(
  add: Add,
  parent: Element,
  answerId: string,
  to: string,
  outcome: ResponseOutcome,
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): Element {
  const { types, basic } = contract;
  const doc = parent.ownerDocument as Document;
  const data = add(parent, types, 'ns2:SenderProvidedResponseData');
  data.setAttribute('Id', PROVIDER_BLOCK_ID);
  add(data, types, 'ns2:MessageID', answerId);
  add(data, types, 'ns2:To', to);
  if (outcome.kind === 'answer') {
    const payload = parseDom(outcome.body).documentElement;
    if (!payload) throw new Error('the provider answer holds no element');
    add(data, basic, 'ns3:MessagePrimaryContent').appendChild(importInto(doc, payload));
  } else {
    const rejection = add(data, types, 'ns2:RequestRejected');
    add(rejection, types, 'ns2:RejectionReasonCode', contract.rejectCodes[outcome.code] ?? outcome.code);
    add(rejection, types, 'ns2:RejectionReasonDescription', outcome.description);
  }
  return data;
}

/**
 * The gateway's `Response` (Id SIGNED_BY_SMEV) around a provider's answer, as Call answers and hosted providers'
 * queued answers carry it: the request's ids, the provider's SenderProvidedResponseData, the metadata, and the
 * provider's signature slot inside it. Returns both blocks to sign, the provider's first.
 */
export function writeGatewayResponse(
  add: Add,
  parent: Element,
  request: { messageId: string; referenceMessageId: string; transactionCode?: string | undefined },
  answer: { messageId: string; to: string; outcome: ResponseOutcome },
  meta: Metadata,
  metadataId: string | undefined,
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): { response: Element; data: Element; providerSlot: Element } {
  const { types } = contract;
  const response = add(parent, types, 'ns2:Response');
  response.setAttribute('Id', SMEV_BLOCK_ID);
  add(response, types, 'ns2:OriginalMessageId', request.messageId);
  if (request.transactionCode) add(response, types, 'ns2:OriginalTransactionCode', request.transactionCode);
  add(response, types, 'ns2:ReferenceMessageID', request.referenceMessageId);
  const data = writeResponseData(add, response, answer.messageId, answer.to, answer.outcome, contract);
  writeMetadata(add, response, meta, metadataId, contract);
  const providerSlot = add(response, types, 'ns2:SenderInformationSystemSignature');
  return { response, data, providerSlot };
}
