/**
 * Building the queued operations' requests the way an information system does: each signed block (SMEV 3's
 * element for the operation) with an Id, signed into CallerInformationSystemSignature beside it; and reading
 * what the gateway hands out.
 */
import { DOMImplementation, type Document } from '@xmldom/xmldom';
import { v1 as uuidv1 } from 'uuid';
import { NS } from '../soap/namespaces.js';
import type { SoapVersion } from '../soap/version.js';
import { signTree } from '../signature/tree-signer.js';
import type { SigningKey } from '../signature/xml-signature.js';
import type { MessageType } from '../providers/contract.js';
import { childElements, firstChildElement, parseDom, type Element } from '../xml/dom.js';

export const CALLER_BLOCK_ID = 'SIGNED_BY_CALLER';

/** The request as a tree: signed on the tree and serialised once (no re-parse per signature). */
class Message {
  readonly doc: Document;
  readonly op: Element;
  constructor(version: SoapVersion, operation: string) {
    this.doc = new DOMImplementation().createDocument(version.envelopeNs, 'soap:Envelope', null);
    const envelope = this.doc.documentElement as Element;
    envelope.appendChild(this.doc.createElementNS(version.envelopeNs, 'soap:Header'));
    const body = this.add(envelope, version.envelopeNs, 'soap:Body');
    this.op = this.add(body, NS.types, `ns2:${operation}Request`);
  }

  add(parent: Element, ns: string, name: string, text?: string): Element {
    const element = this.doc.createElementNS(ns, name);
    if (text !== undefined) element.appendChild(this.doc.createTextNode(text));
    parent.appendChild(element);
    return element;
  }

  block(ns: string, name: string): Element {
    const block = this.add(this.op, ns, name);
    block.setAttribute('Id', CALLER_BLOCK_ID);
    return block;
  }

  content(parent: Element, payload: string): void {
    const element = parseDom(payload).documentElement;
    if (!element) throw new Error('the payload holds no element');
    this.add(parent, NS.basic, 'ns3:MessagePrimaryContent').appendChild(this.doc.importNode(element, true));
  }

  /**
   * Headers into the signed block, contents beside it: call after the block's payload and before signing, so the
   * content list precedes CallerInformationSystemSignature.
   */
  attachments(block: Element, files: readonly Attachment[]): void {
    if (files.length === 0) return;
    const headers = this.add(block, NS.basic, 'ns3:AttachmentHeaderList');
    const contents = this.add(this.op, NS.basic, 'ns3:AttachmentContentList');
    for (const file of files) {
      const header = this.add(headers, NS.basic, 'ns3:AttachmentHeader');
      this.add(header, NS.basic, 'ns3:contentId', file.contentId);
      this.add(header, NS.basic, 'ns3:MimeType', file.mimeType);
      const content = this.add(contents, NS.basic, 'ns3:AttachmentContent');
      this.add(content, NS.basic, 'ns3:Id', file.contentId);
      this.add(content, NS.basic, 'ns3:Content', file.content.toString('base64'));
    }
  }

  /** RefAttachmentHeaderList into the signed block: files of the gateway's attachment store, by uuid. */
  fileRefs(block: Element, refs: readonly FileReference[]): void {
    if (refs.length === 0) return;
    const list = this.add(block, NS.basic, 'ns3:RefAttachmentHeaderList');
    for (const ref of refs) {
      const header = this.add(list, NS.basic, 'ns3:RefAttachmentHeader');
      this.add(header, NS.basic, 'ns3:uuid', ref.uuid);
      this.add(header, NS.basic, 'ns3:Hash', ref.hash);
      this.add(header, NS.basic, 'ns3:MimeType', ref.mimeType);
    }
  }

  sign(block: Element, key: SigningKey): string {
    const container = this.add(this.op, NS.types, 'ns2:CallerInformationSystemSignature');
    return signTree(this.doc, [{ target: block, container }], key);
  }
}

/** A file sent inline: named in the signed AttachmentHeaderList, carried in AttachmentContentList. */
export interface Attachment {
  /** An xs:ID: a letter or underscore first, no spaces or colons. */
  readonly contentId: string;
  readonly mimeType: string;
  readonly content: Buffer;
}

/**
 * A file placed in the gateway's attachment store (`POST /attachments`), named in the signed
 * RefAttachmentHeaderList by the uuid and hash the upload answered with.
 */
export interface FileReference {
  readonly uuid: string;
  /** GOST R 34.11-2012 (256-bit) of the file, base64. */
  readonly hash: string;
  readonly mimeType: string;
}

/** Where a recipient fetches a stored file (FSAttachmentsList/FSAttachment). */
export interface FsAttachmentInfo {
  readonly uuid: string;
  readonly userName: string;
  readonly password: string;
  readonly fileName: string;
}

export interface SendRequestOptions {
  readonly payload: string;
  readonly attachments?: readonly Attachment[];
  /** Files of the attachment store the request names. */
  readonly fileRefs?: readonly FileReference[];
  readonly messageId?: string;
  readonly endOfLife?: Date;
  readonly testMessage?: boolean;
  /** Echoed by the gateway as OriginalTransactionCode in the answer. */
  readonly transactionCode?: string;
  /** Send an (empty) BusinessProcessMetadata, as the official schema allows. */
  readonly businessProcessMetadata?: boolean;
}

export function sendRequestXml(
  version: SoapVersion,
  key: SigningKey,
  options: SendRequestOptions,
): { xml: string; messageId: string } {
  const messageId = options.messageId ?? uuidv1();
  const m = new Message(version, 'SendRequest');
  const data = m.block(NS.types, 'ns2:SenderProvidedRequestData');
  m.add(data, NS.types, 'ns2:MessageID', messageId);
  if (options.transactionCode !== undefined)
    m.add(data, NS.types, 'ns2:TransactionCode', options.transactionCode);
  if (options.endOfLife) m.add(data, NS.types, 'ns2:EOL', options.endOfLife.toISOString());
  m.content(data, options.payload);
  m.attachments(data, options.attachments ?? []);
  m.fileRefs(data, options.fileRefs ?? []);
  if (options.businessProcessMetadata) m.add(data, NS.types, 'ns2:BusinessProcessMetadata');
  if (options.testMessage) m.add(data, NS.types, 'ns2:TestMessage');
  return { xml: m.sign(data, key), messageId };
}

export type ResponseContent =
  | {
      readonly kind: 'answer';
      readonly payload: string;
      readonly attachments?: readonly Attachment[];
      readonly fileRefs?: readonly FileReference[];
    }
  | { readonly kind: 'rejected'; readonly code: string; readonly description: string }
  | { readonly kind: 'status'; readonly code: number; readonly description: string };

export function sendResponseXml(
  version: SoapVersion,
  key: SigningKey,
  to: string,
  content: ResponseContent,
  messageId = uuidv1(),
): { xml: string; messageId: string } {
  const m = new Message(version, 'SendResponse');
  const data = m.block(NS.types, 'ns2:SenderProvidedResponseData');
  m.add(data, NS.types, 'ns2:MessageID', messageId);
  m.add(data, NS.types, 'ns2:To', to);
  if (content.kind === 'answer') {
    m.content(data, content.payload);
    m.attachments(data, content.attachments ?? []);
    m.fileRefs(data, content.fileRefs ?? []);
  } else if (content.kind === 'rejected') {
    const rejected = m.add(data, NS.types, 'ns2:RequestRejected');
    m.add(rejected, NS.types, 'ns2:RejectionReasonCode', content.code);
    m.add(rejected, NS.types, 'ns2:RejectionReasonDescription', content.description);
  } else {
    const status = m.add(data, NS.types, 'ns2:RequestStatus');
    m.add(status, NS.types, 'ns2:StatusCode', String(content.code));
    m.add(status, NS.types, 'ns2:StatusDescription', content.description);
  }
  return { xml: m.sign(data, key), messageId };
}

export function takeXml(
  version: SoapVersion,
  key: SigningKey,
  operation: 'GetRequest' | 'GetResponse',
  messageType?: MessageType,
  at = new Date(),
): string {
  const m = new Message(version, operation);
  const selector = m.block(NS.basic, 'ns3:MessageTypeSelector');
  if (messageType) {
    m.add(selector, NS.basic, 'ns3:NamespaceURI', messageType.namespace);
    m.add(selector, NS.basic, 'ns3:RootElementLocalName', messageType.localName);
  }
  m.add(selector, NS.basic, 'ns3:Timestamp', at.toISOString());
  return m.sign(selector, key);
}

export function ackXml(version: SoapVersion, key: SigningKey, messageId: string, accepted = true): string {
  const m = new Message(version, 'Ack');
  const target = m.block(NS.basic, 'ns3:AckTargetMessage');
  target.setAttribute('accepted', String(accepted));
  target.appendChild(m.doc.createTextNode(messageId));
  return m.sign(target, key);
}

/** GetStatus and GetIncomingQueueStatistics sign a Timestamp and nothing else. */
function timestampedXml(
  version: SoapVersion,
  key: SigningKey,
  operation: string,
  at: Date,
  nodeId?: string,
): string {
  const m = new Message(version, operation);
  if (nodeId !== undefined) m.add(m.op, NS.types, 'ns2:NodeID', nodeId);
  const timestamp = m.block(NS.basic, 'ns3:Timestamp');
  timestamp.appendChild(m.doc.createTextNode(at.toISOString()));
  return m.sign(timestamp, key);
}

export function getStatusXml(version: SoapVersion, key: SigningKey, at = new Date()): string {
  return timestampedXml(version, key, 'GetStatus', at);
}

export function queueStatisticsXml(
  version: SoapVersion,
  key: SigningKey,
  at = new Date(),
  nodeId?: string,
): string {
  return timestampedXml(version, key, 'GetIncomingQueueStatistics', at, nodeId);
}

/** A GetIncomingQueueStatistics answer: each queue's name and its pending messages. */
export function readQueueStatistics(xml: string): { queueName: string; pending: number }[] {
  const root = parseDom(xml).documentElement as Element;
  return Array.from(root.getElementsByTagNameNS(NS.types, 'QueueStatistics')).map((element) => ({
    queueName: element.getAttribute('queueName') ?? '',
    pending: Number(element.getAttribute('pendingMessageNumber') ?? 0),
  }));
}

/** What a taker needs from an answer: the handed-out message's ids, return address, payload, status. */
export interface HandedOut {
  readonly messageId: string;
  readonly originalMessageId: string | undefined;
  readonly replyTo: string | undefined;
  readonly payload: Element | undefined;
  readonly rejected: string | undefined;
  readonly statusCode: string | undefined;
  readonly statusCategory: string | undefined;
  /** The files handed out with the message, each with the media type its signed header gives. */
  readonly attachments: readonly Attachment[];
  /** Where to fetch the stored files the message names (its FSAttachmentsList). */
  readonly fsAttachments: readonly FsAttachmentInfo[];
  /** The stored files as the sender's signed RefAttachmentHeaderList names them (their Hash to check). */
  readonly fileRefs: readonly FileReference[];
}

/** The child of `parent` at `path`, one element name per step, read by place: never a match deeper down. */
function at(parent: Element | undefined, ns: string, ...path: string[]): Element | undefined {
  let element = parent;
  for (const name of path) element = element && firstChildElement(element, ns, name);
  return element;
}

const textOf = (element: Element | undefined) => element?.textContent ?? undefined;

/**
 * Read a GetRequest/GetResponse/GetStatus answer; undefined when the queue was empty. Every element is taken at
 * the place the gateway writes it, so a `ReplyTo` or `RejectionReasonCode` inside the sender's payload is never
 * read as the gateway's.
 */
export function readHandedOut(xml: string): HandedOut | undefined {
  const envelope = parseDom(xml).documentElement as Element;
  const body = childElements(envelope).find((e) => e.localName === 'Body');
  const operation = body ? childElements(body)[0] : undefined;
  const status = at(
    operation,
    NS.types,
    'SmevAsyncProcessingMessage',
    'AsyncProcessingStatusData',
    'AsyncProcessingStatus',
  );
  if (status) {
    const original = textOf(at(status, NS.types, 'OriginalMessageId')) ?? '';
    return {
      messageId: original,
      originalMessageId: original,
      replyTo: undefined,
      payload: undefined,
      rejected: undefined,
      statusCode: undefined,
      statusCategory: textOf(at(status, NS.types, 'StatusCategory')),
      attachments: [],
      fsAttachments: [],
      fileRefs: [],
    };
  }
  const requestHolder = at(operation, NS.types, 'RequestMessage');
  const holder = requestHolder ?? at(operation, NS.types, 'ResponseMessage');
  const message = requestHolder ? at(requestHolder, NS.types, 'Request') : at(holder, NS.types, 'Response');
  if (!holder || !message) return undefined;
  const block = at(
    message,
    NS.types,
    requestHolder ? 'SenderProvidedRequestData' : 'SenderProvidedResponseData',
  );
  const content = at(block, NS.basic, 'MessagePrimaryContent');
  return {
    messageId: textOf(at(block, NS.types, 'MessageID')) ?? '',
    originalMessageId: textOf(at(message, NS.types, 'OriginalMessageId')),
    replyTo: textOf(at(message, NS.types, 'ReplyTo')),
    payload: content ? childElements(content)[0] : undefined,
    rejected: textOf(at(block, NS.types, 'RequestRejected', 'RejectionReasonCode')),
    statusCode: textOf(at(block, NS.types, 'RequestStatus', 'StatusCode')),
    statusCategory: undefined,
    attachments: block ? attachmentsOf(holder, block) : [],
    fsAttachments: fsAttachmentsOf(message),
    fileRefs: block ? fileRefsOf(block) : [],
  };
}

/** The signed block's RefAttachmentHeaderList. */
function fileRefsOf(block: Element): FileReference[] {
  const list = at(block, NS.basic, 'RefAttachmentHeaderList');
  return (list ? childElements(list) : [])
    .filter((e) => e.localName === 'RefAttachmentHeader' && e.namespaceURI === NS.basic)
    .map((header) => ({
      uuid: textOf(at(header, NS.basic, 'uuid'))?.trim() ?? '',
      hash: textOf(at(header, NS.basic, 'Hash'))?.trim() ?? '',
      mimeType: textOf(at(header, NS.basic, 'MimeType'))?.trim() ?? '',
    }));
}

/** The FSAttachmentsList the gateway wrote into the handed-out Request or Response. */
function fsAttachmentsOf(message: Element): FsAttachmentInfo[] {
  const list = at(message, NS.basic, 'FSAttachmentsList');
  return (list ? childElements(list) : [])
    .filter((e) => e.localName === 'FSAttachment' && e.namespaceURI === NS.basic)
    .map((item) => ({
      uuid: textOf(at(item, NS.basic, 'uuid')) ?? '',
      userName: textOf(at(item, NS.basic, 'UserName')) ?? '',
      password: textOf(at(item, NS.basic, 'Password')) ?? '',
      fileName: textOf(at(item, NS.basic, 'FileName')) ?? '',
    }));
}

/** Headers from the signed block's AttachmentHeaderList, contents from the list beside the message. */
function attachmentsOf(holder: Element, block: Element): Attachment[] {
  const mimeTypes = new Map<string, string>();
  const headers = at(block, NS.basic, 'AttachmentHeaderList');
  for (const header of headers ? childElements(headers) : []) {
    if (header.localName !== 'AttachmentHeader' || header.namespaceURI !== NS.basic) continue;
    const id = textOf(at(header, NS.basic, 'contentId'))?.trim() ?? '';
    mimeTypes.set(id, textOf(at(header, NS.basic, 'MimeType'))?.trim() ?? '');
  }
  const list = at(holder, NS.basic, 'AttachmentContentList');
  return (list ? childElements(list) : [])
    .filter((e) => e.localName === 'AttachmentContent' && e.namespaceURI === NS.basic)
    .map((content) => {
      const contentId = textOf(at(content, NS.basic, 'Id'))?.trim() ?? '';
      return {
        contentId,
        mimeType: mimeTypes.get(contentId) ?? '',
        content: Buffer.from(textOf(at(content, NS.basic, 'Content')) ?? '', 'base64'),
      };
    });
}
