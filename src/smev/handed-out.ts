/**
 * What a taker reads from the gateway's answers to GetRequest, GetResponse, GetStatus and
 * GetIncomingQueueStatistics: the handed-out message, its files and status, read by place. An answer comes from
 * the network: it is read within the limits of an answer (xml/guard.ts).
 */
import type { FileRef } from '../core/model.js';
import type { FsAttachment } from '../core/ports.js';
import { contractOfTypesNs, EXCHANGE_1_1 } from '../soap/namespaces.js';
import { childElements, firstChildElement, type Element } from '../xml/dom.js';
import { answerLimits, DEFAULT_XML_LIMITS, parseWithinLimits } from '../xml/guard.js';
import { readFileRefs } from './attachments.js';

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
export type FileReference = FileRef;

/** Where a recipient fetches a stored file (FSAttachmentsList/FSAttachment). */
export type FsAttachmentInfo = FsAttachment;

const readAnswer = (xml: string) => parseWithinLimits(xml, answerLimits(DEFAULT_XML_LIMITS)).doc;

/** A GetIncomingQueueStatistics answer: each queue's name and its pending messages. */
export function readQueueStatistics(xml: string): { queueName: string; pending: number }[] {
  const root = readAnswer(xml).documentElement as Element;
  return Array.from(root.getElementsByTagNameNS('*', 'QueueStatistics')).map((element) => ({
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
  const envelope = readAnswer(xml).documentElement as Element;
  const body = childElements(envelope).find((e) => e.localName === 'Body');
  const operation = body ? childElements(body)[0] : undefined;
  // Read in the contract version the answer speaks.
  const { types, basic } = contractOfTypesNs(operation?.namespaceURI) ?? EXCHANGE_1_1;
  const status = at(
    operation,
    types,
    'SmevAsyncProcessingMessage',
    'AsyncProcessingStatusData',
    'AsyncProcessingStatus',
  );
  if (status) {
    const original = textOf(at(status, types, 'OriginalMessageId')) ?? '';
    return {
      messageId: original,
      originalMessageId: original,
      replyTo: undefined,
      payload: undefined,
      rejected: undefined,
      statusCode: undefined,
      statusCategory: textOf(at(status, types, 'StatusCategory')),
      attachments: [],
      fsAttachments: [],
      fileRefs: [],
    };
  }
  const requestHolder = at(operation, types, 'RequestMessage');
  const holder = requestHolder ?? at(operation, types, 'ResponseMessage');
  const message = requestHolder ? at(requestHolder, types, 'Request') : at(holder, types, 'Response');
  if (!holder || !message) return undefined;
  const block = at(
    message,
    types,
    requestHolder ? 'SenderProvidedRequestData' : 'SenderProvidedResponseData',
  );
  const content = at(block, basic, 'MessagePrimaryContent');
  return {
    messageId: textOf(at(block, types, 'MessageID')) ?? '',
    originalMessageId: textOf(at(message, types, 'OriginalMessageId')),
    replyTo: textOf(at(message, types, 'ReplyTo')),
    payload: content ? childElements(content)[0] : undefined,
    rejected: textOf(at(block, types, 'RequestRejected', 'RejectionReasonCode')),
    statusCode: textOf(at(block, types, 'RequestStatus', 'StatusCode')),
    statusCategory: textOf(at(block, types, 'AsyncProcessingStatus', 'StatusCategory')),
    attachments: block ? attachmentsOf(holder, block, basic) : [],
    fsAttachments: fsAttachmentsOf(message, basic),
    fileRefs: block ? readFileRefs(block, basic) : [],
  };
}

/** The FSAttachmentsList the gateway wrote into the handed-out Request or Response. */
function fsAttachmentsOf(message: Element, basic: string): FsAttachmentInfo[] {
  const list = at(message, basic, 'FSAttachmentsList');
  return (list ? childElements(list) : [])
    .filter((e) => e.localName === 'FSAttachment' && e.namespaceURI === basic)
    .map((item) => ({
      uuid: textOf(at(item, basic, 'uuid')) ?? '',
      userName: textOf(at(item, basic, 'UserName')) ?? '',
      password: textOf(at(item, basic, 'Password')) ?? '',
      fileName: textOf(at(item, basic, 'FileName')) ?? '',
    }));
}

/** Headers from the signed block's AttachmentHeaderList, contents from the list beside the message. */
function attachmentsOf(holder: Element, block: Element, basic: string): Attachment[] {
  const mimeTypes = new Map<string, string>();
  const headers = at(block, basic, 'AttachmentHeaderList');
  for (const header of headers ? childElements(headers) : []) {
    if (header.localName !== 'AttachmentHeader' || header.namespaceURI !== basic) continue;
    const id = textOf(at(header, basic, 'contentId'))?.trim() ?? '';
    mimeTypes.set(id, textOf(at(header, basic, 'MimeType'))?.trim() ?? '');
  }
  const list = at(holder, basic, 'AttachmentContentList');
  return (list ? childElements(list) : [])
    .filter((e) => e.localName === 'AttachmentContent' && e.namespaceURI === basic)
    .map((content) => {
      const contentId = textOf(at(content, basic, 'Id'))?.trim() ?? '';
      return {
        contentId,
        mimeType: mimeTypes.get(contentId) ?? '',
        content: Buffer.from(textOf(at(content, basic, 'Content')) ?? '', 'base64'),
      };
    });
}
