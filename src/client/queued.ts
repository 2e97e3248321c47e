/**
 * Building the queued operations' requests the way an information system does: each signed block (SMEV 3's
 * element for the operation) with an Id, signed into CallerInformationSystemSignature beside it. What the gateway
 * hands out is read by src/smev/handed-out.ts, re-exported here for the client's users.
 */
import { newMessageId } from '../core/message-id.js';
import { DOMImplementation, type Document } from '@xmldom/xmldom';
import { EXCHANGE_1_1, type ExchangeNamespaces } from '../soap/namespaces.js';
import type { SoapVersion } from '../soap/version.js';
import { signTree } from '../signature/tree-signer.js';
import type { SigningKey } from '../signature/xml-signature.js';
import type { MessageType } from '../core/model.js';
import { importInto, parseDom, type Element } from '../xml/dom.js';
import { CALLER_BLOCK_ID } from '../smev/blocks.js';
import type { Attachment, FileReference } from '../smev/handed-out.js';

export { CALLER_BLOCK_ID } from '../smev/blocks.js';
export {
  readHandedOut,
  readQueueStatistics,
  type Attachment,
  type FileReference,
  type FsAttachmentInfo,
  type HandedOut,
} from '../smev/handed-out.js';

/**
 * The SOAP version, and the message-exchange contract version (1.1 when not said) the requests are written in:
 * `{ ...SOAP11, contract: EXCHANGE_1_2 }` for a gateway's `/ws/1.2`.
 */
export interface ClientVersion extends SoapVersion {
  readonly contract?: ExchangeNamespaces;
}

/** The request as a tree: signed on the tree and serialised once (no re-parse per signature). */
class Message {
  readonly doc: Document;
  readonly op: Element;
  readonly types: string;
  readonly basic: string;
  constructor(version: ClientVersion, operation: string) {
    ({ types: this.types, basic: this.basic } = version.contract ?? EXCHANGE_1_1);
    this.doc = new DOMImplementation().createDocument(version.envelopeNs, 'soap:Envelope', null);
    const envelope = this.doc.documentElement as Element;
    envelope.appendChild(this.doc.createElementNS(version.envelopeNs, 'soap:Header'));
    const body = this.add(envelope, version.envelopeNs, 'soap:Body');
    this.op = this.add(body, this.types, `ns2:${operation}Request`);
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
    this.add(parent, this.basic, 'ns3:MessagePrimaryContent').appendChild(importInto(this.doc, element));
  }

  /**
   * Headers into the signed block, contents beside it: call after the block's payload and before signing, so the
   * content list precedes CallerInformationSystemSignature.
   */
  attachments(block: Element, files: readonly Attachment[]): void {
    if (files.length === 0) return;
    const headers = this.add(block, this.basic, 'ns3:AttachmentHeaderList');
    const contents = this.add(this.op, this.basic, 'ns3:AttachmentContentList');
    for (const file of files) {
      const header = this.add(headers, this.basic, 'ns3:AttachmentHeader');
      this.add(header, this.basic, 'ns3:contentId', file.contentId);
      this.add(header, this.basic, 'ns3:MimeType', file.mimeType);
      const content = this.add(contents, this.basic, 'ns3:AttachmentContent');
      this.add(content, this.basic, 'ns3:Id', file.contentId);
      this.add(content, this.basic, 'ns3:Content', file.content.toString('base64'));
    }
  }

  /** RefAttachmentHeaderList into the signed block: files of the gateway's attachment store, by uuid. */
  fileRefs(block: Element, refs: readonly FileReference[]): void {
    if (refs.length === 0) return;
    const list = this.add(block, this.basic, 'ns3:RefAttachmentHeaderList');
    for (const ref of refs) {
      const header = this.add(list, this.basic, 'ns3:RefAttachmentHeader');
      this.add(header, this.basic, 'ns3:uuid', ref.uuid);
      this.add(header, this.basic, 'ns3:Hash', ref.hash);
      this.add(header, this.basic, 'ns3:MimeType', ref.mimeType);
    }
  }

  sign(block: Element, key: SigningKey): string {
    const container = this.add(this.op, this.types, 'ns2:CallerInformationSystemSignature');
    return signTree(this.doc, [{ target: block, container }], key);
  }
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
  /** The first message of the chain; message exchange 1.2 and later require it (the MessageID by default). */
  readonly referenceMessageId?: string;
}

export function sendRequestXml(
  version: ClientVersion,
  key: SigningKey,
  options: SendRequestOptions,
): { xml: string; messageId: string } {
  const messageId = options.messageId ?? newMessageId();
  const m = new Message(version, 'SendRequest');
  const later = (version.contract ?? EXCHANGE_1_1) !== EXCHANGE_1_1;
  if (later && options.transactionCode === undefined) {
    throw new Error(`message exchange ${version.contract?.version} requires a TransactionCode`);
  }
  const data = m.block(m.types, 'ns2:SenderProvidedRequestData');
  m.add(data, m.types, 'ns2:MessageID', messageId);
  const reference = options.referenceMessageId ?? (later ? messageId : undefined);
  if (reference !== undefined) m.add(data, m.types, 'ns2:ReferenceMessageID', reference);
  if (options.transactionCode !== undefined)
    m.add(data, m.types, 'ns2:TransactionCode', options.transactionCode);
  if (options.endOfLife) m.add(data, m.types, 'ns2:EOL', options.endOfLife.toISOString());
  m.content(data, options.payload);
  m.attachments(data, options.attachments ?? []);
  m.fileRefs(data, options.fileRefs ?? []);
  if (options.businessProcessMetadata) m.add(data, m.types, 'ns2:BusinessProcessMetadata');
  if (options.testMessage) m.add(data, m.types, 'ns2:TestMessage');
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
  version: ClientVersion,
  key: SigningKey,
  to: string,
  content: ResponseContent,
  messageId = newMessageId(),
): { xml: string; messageId: string } {
  const m = new Message(version, 'SendResponse');
  const data = m.block(m.types, 'ns2:SenderProvidedResponseData');
  m.add(data, m.types, 'ns2:MessageID', messageId);
  m.add(data, m.types, 'ns2:To', to);
  if (content.kind === 'answer') {
    m.content(data, content.payload);
    m.attachments(data, content.attachments ?? []);
    m.fileRefs(data, content.fileRefs ?? []);
  } else if (content.kind === 'rejected') {
    const rejected = m.add(data, m.types, 'ns2:RequestRejected');
    m.add(rejected, m.types, 'ns2:RejectionReasonCode', content.code);
    m.add(rejected, m.types, 'ns2:RejectionReasonDescription', content.description);
  } else {
    const status = m.add(data, m.types, 'ns2:RequestStatus');
    m.add(status, m.types, 'ns2:StatusCode', String(content.code));
    m.add(status, m.types, 'ns2:StatusDescription', content.description);
  }
  return { xml: m.sign(data, key), messageId };
}

export function takeXml(
  version: ClientVersion,
  key: SigningKey,
  operation: 'GetRequest' | 'GetResponse',
  messageType?: MessageType,
  at = new Date(),
): string {
  const m = new Message(version, operation);
  const selector = m.block(m.basic, 'ns3:MessageTypeSelector');
  if (messageType) {
    m.add(selector, m.basic, 'ns3:NamespaceURI', messageType.namespace);
    m.add(selector, m.basic, 'ns3:RootElementLocalName', messageType.localName);
  }
  m.add(selector, m.basic, 'ns3:Timestamp', at.toISOString());
  return m.sign(selector, key);
}

export function ackXml(version: ClientVersion, key: SigningKey, messageId: string, accepted = true): string {
  const m = new Message(version, 'Ack');
  const target = m.block(m.basic, 'ns3:AckTargetMessage');
  target.setAttribute('accepted', String(accepted));
  target.appendChild(m.doc.createTextNode(messageId));
  return m.sign(target, key);
}

/** GetStatus and GetIncomingQueueStatistics sign a Timestamp and nothing else. */
function timestampedXml(
  version: ClientVersion,
  key: SigningKey,
  operation: string,
  at: Date,
  nodeId?: string,
): string {
  const m = new Message(version, operation);
  if (nodeId !== undefined) m.add(m.op, m.types, 'ns2:NodeID', nodeId);
  const timestamp = m.block(m.basic, 'ns3:Timestamp');
  timestamp.appendChild(m.doc.createTextNode(at.toISOString()));
  return m.sign(timestamp, key);
}

export function getStatusXml(version: ClientVersion, key: SigningKey, at = new Date()): string {
  return timestampedXml(version, key, 'GetStatus', at);
}

export function queueStatisticsXml(
  version: ClientVersion,
  key: SigningKey,
  at = new Date(),
  nodeId?: string,
): string {
  return timestampedXml(version, key, 'GetIncomingQueueStatistics', at, nodeId);
}
