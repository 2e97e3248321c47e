/**
 * The messages of the queued operations, built as xmldom trees like the Call answer: what goes into the queue
 * (`Request` for the provider, `Response` for the consumer, each with the caller's own signature copied into
 * SenderInformationSystemSignature) and the answers that hand them out, whose gateway block (Id SIGNED_BY_SMEV)
 * the gateway signs into SMEVSignature when it hands them out.
 */
import { DOMImplementation, type Document, type Element } from '@xmldom/xmldom';
import { EXCHANGE_1_1, type ExchangeNamespaces } from '../soap/namespaces.js';
import type { SoapVersion } from '../soap/version.js';
import { childElements, importInto, parseDom, serializeNode } from '../xml/dom.js';
import type { FsAttachment, QueueStatistics, SignatureSlot, TakenMessage } from '../core/ports.js';
import { queueNameOf } from '../core/model.js';
import {
  adder,
  SMEV_BLOCK_ID,
  writeMetadata,
  writeGatewayResponse,
  type Add,
  type Metadata,
  type ResponseOutcome,
} from './blocks.js';

export type { Metadata } from './blocks.js';

/** A standalone queued element (`Request` or `Response`) around the caller's signed block, serialised. */
export function queuedElement(
  kind: 'Request' | 'Response',
  signedBlock: Element,
  callerSignature: Element | undefined,
  meta: Metadata,
  extra: {
    replyTo?: string;
    originalMessageId?: string;
    originalTransactionCode?: string | undefined;
    referenceMessageId?: string;
  },
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): string {
  const { types } = contract;
  const doc = new DOMImplementation().createDocument(types, `ns2:${kind}`, null);
  const root = doc.documentElement as Element;
  root.setAttribute('Id', SMEV_BLOCK_ID);
  const add = adder(doc);
  if (kind === 'Response') {
    if (extra.originalMessageId) add(root, contract.types, 'ns2:OriginalMessageId', extra.originalMessageId);
    // SMEV 3 echoes the request's TransactionCode in the answer.
    if (extra.originalTransactionCode)
      add(root, contract.types, 'ns2:OriginalTransactionCode', extra.originalTransactionCode);
    if (extra.referenceMessageId)
      add(root, contract.types, 'ns2:ReferenceMessageID', extra.referenceMessageId);
  }
  // The caller's block travels as received, so its signature still verifies for the party that takes it.
  root.appendChild(importInto(doc, signedBlock));
  writeMetadata(add, root, meta, undefined, contract);
  if (kind === 'Request') add(root, contract.types, 'ns2:ReplyTo', extra.replyTo ?? '');
  const signature = callerSignature ? childElements(callerSignature)[0] : undefined;
  if (signature) {
    add(root, contract.types, 'ns2:SenderInformationSystemSignature').appendChild(importInto(doc, signature));
  }
  return serializeNode(doc);
}

export function soapAnswer(
  version: SoapVersion,
  responseElement: string,
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): { doc: Document; operation: Element; add: Add } {
  const doc = new DOMImplementation().createDocument(version.envelopeNs, 'soap:Envelope', null);
  const envelope = doc.documentElement as Element;
  envelope.appendChild(doc.createElementNS(version.envelopeNs, 'soap:Header'));
  const body = doc.createElementNS(version.envelopeNs, 'soap:Body');
  envelope.appendChild(body);
  const add = adder(doc);
  const operation = add(body, contract.types, `ns2:${responseElement}`);
  return { doc, operation, add };
}

/** A written answer, the elements of it the gateway signs, and the attachment contents it carries. */
export interface WrittenAnswer {
  readonly doc: Document;
  readonly slots: readonly SignatureSlot[];
  /** The `Content` of each inline attachment the writer carried: what an MTOM answer may move into parts. */
  readonly attachments?: readonly Element[];
}

/** SendRequestResponse / SendResponseResponse: the gateway's MessageMetadata, to be signed. */
export function writeMetadataAnswer(
  version: SoapVersion,
  responseElement: string,
  meta: Metadata,
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): WrittenAnswer {
  const { doc, operation, add } = soapAnswer(version, responseElement, contract);
  const target = writeMetadata(add, operation, meta, SMEV_BLOCK_ID, contract);
  return { doc, slots: [{ target, container: add(operation, contract.types, 'ns2:SMEVSignature') }] };
}

/**
 * GetRequestResponse / GetResponseResponse: the queued element inside RequestMessage / ResponseMessage, with its
 * attachments after it (as SMEV 3 places them), or nothing for an empty queue. The queued element itself (the
 * gateway's `Request` or `Response`) is what the gateway signs.
 */
export function writeTakeAnswer(
  version: SoapVersion,
  operation: 'GetRequest' | 'GetResponse',
  taken: Pick<TakenMessage, 'body' | 'attachments'> | undefined,
  contract: ExchangeNamespaces = EXCHANGE_1_1,
  fsAttachments: readonly FsAttachment[] = [],
): WrittenAnswer {
  const answer = soapAnswer(version, `${operation}Response`, contract);
  if (taken === undefined) return { doc: answer.doc, slots: [] };
  const holder = answer.add(
    answer.operation,
    contract.types,
    operation === 'GetRequest' ? 'ns2:RequestMessage' : 'ns2:ResponseMessage',
  );
  const carry = (xml: string) => {
    const element = parseDom(xml).documentElement;
    if (!element) throw new Error('a queued message holds no element');
    return holder.appendChild(importInto(answer.doc, element)) as Element;
  };
  const target = carry(taken.body);
  const contentList = taken.attachments === undefined ? undefined : carry(taken.attachments);
  if (fsAttachments.length > 0) writeFsAttachments(answer.doc, answer.add, target, fsAttachments, contract);
  return {
    doc: answer.doc,
    slots: [{ target, container: answer.add(holder, contract.types, 'ns2:SMEVSignature') }],
    attachments: contentList ? attachmentContents(contentList, contract.basic) : [],
  };
}

/** The `Content` of each `AttachmentContent` in the list the writer carried, by place: never a match deeper down. */
function attachmentContents(list: Element, basic: string): Element[] {
  const children = (parent: Element, localName: string) =>
    childElements(parent).filter((e) => e.namespaceURI === basic && e.localName === localName);
  return children(list, 'AttachmentContent').flatMap((item) => children(item, 'Content'));
}

/**
 * FSAttachmentsList in the handed-out `Request` or `Response`, where the official schema places it: right after
 * MessageMetadata. It stands inside the gateway's signed block, so the credentials come signed by the gateway.
 */
function writeFsAttachments(
  doc: Document,
  add: Add,
  message: Element,
  files: readonly FsAttachment[],
  contract: ExchangeNamespaces,
): void {
  const { types, basic } = contract;
  const metadata = childElements(message).find(
    (e) => e.namespaceURI === types && e.localName === 'MessageMetadata',
  );
  if (!metadata) throw new Error('a queued message holds no MessageMetadata');
  const list = doc.createElementNS(basic, 'ns3:FSAttachmentsList');
  for (const file of files) {
    const item = add(list, basic, 'ns3:FSAttachment');
    add(item, basic, 'ns3:uuid', file.uuid);
    add(item, basic, 'ns3:UserName', file.userName);
    add(item, basic, 'ns3:Password', file.password);
    add(item, basic, 'ns3:FileName', file.fileName);
  }
  message.insertBefore(list, metadata.nextSibling);
}

/** GetStatusResponse: one status notice, or nothing. */
export function writeStatusAnswer(
  version: SoapVersion,
  notice: { originalMessageId: string; category: string; details: string } | undefined,
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): WrittenAnswer {
  const { doc, operation, add } = soapAnswer(version, 'GetStatusResponse', contract);
  if (!notice) return { doc, slots: [] };
  const message = add(operation, contract.types, 'ns2:SmevAsyncProcessingMessage');
  const data = add(message, contract.types, 'ns2:AsyncProcessingStatusData');
  data.setAttribute('Id', SMEV_BLOCK_ID);
  const status = add(data, contract.types, 'ns2:AsyncProcessingStatus');
  add(status, contract.types, 'ns2:OriginalMessageId', notice.originalMessageId);
  add(
    status,
    contract.types,
    'ns2:StatusCategory',
    contract.statusCategories[notice.category] ?? notice.category,
  );
  add(status, contract.types, 'ns2:StatusDetails', notice.details);
  return { doc, slots: [{ target: data, container: add(message, contract.types, 'ns2:SMEVSignature') }] };
}

/** GetIncomingQueueStatisticsResponse: one QueueStatistics per message type waiting for the caller. */
export function writeQueueStatisticsAnswer(
  version: SoapVersion,
  queues: readonly QueueStatistics[],
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): Document {
  const { doc, operation, add } = soapAnswer(version, 'GetIncomingQueueStatisticsResponse', contract);
  for (const queue of queues) {
    const element = add(operation, contract.types, 'ns2:QueueStatistics');
    element.setAttribute('queueName', queueNameOf(queue.messageType));
    element.setAttribute('pendingMessageNumber', String(queue.pending));
  }
  return doc;
}

/** AckResponse: empty. */
export function writeAckAnswer(version: SoapVersion, contract: ExchangeNamespaces = EXCHANGE_1_1): Document {
  return soapAnswer(version, 'AckResponse', contract).doc;
}

/**
 * The answer of a hosted provider as a queued `Response`: the gateway writes the provider's
 * SenderProvidedResponseData (Id SIGNED_BY_PROVIDER) and signs it on the provider's behalf, as for Call; the
 * returned document holds the Response in a ResponseMessage with both signature slots.
 */
export function writeHostedResponse(
  outcome: ResponseOutcome,
  answerId: string,
  request: {
    messageId: string;
    referenceMessageId: string;
    replyTo: string;
    transactionCode?: string | undefined;
  },
  meta: Metadata,
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): WrittenAnswer {
  const { types } = contract;
  const doc = new DOMImplementation().createDocument(types, 'ns2:ResponseMessage', null);
  const holder = doc.documentElement as Element;
  const add = adder(doc);
  const { response, data, providerSlot } = writeGatewayResponse(
    add,
    holder,
    request,
    { messageId: answerId, to: request.replyTo, outcome },
    meta,
    undefined,
    contract,
  );
  const slots = [
    { target: data, container: providerSlot },
    { target: response, container: add(holder, contract.types, 'ns2:SMEVSignature') },
  ];
  return { doc, slots };
}
