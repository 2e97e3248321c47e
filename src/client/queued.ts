/**
 * Building the queued operations' requests the way an information system does: each signed block (SMEV 3's
 * element for the operation) with an Id, signed into CallerInformationSystemSignature beside it; and reading
 * what the gateway hands out.
 */
import { create } from 'xmlbuilder2';
import { v1 as uuidv1 } from 'uuid';
import { NS } from '../soap/namespaces.js';
import type { SoapVersion } from '../soap/version.js';
import { signDetached, type SigningKey } from '../signature/xml-signature.js';
import type { MessageType } from '../providers/contract.js';
import { parseDom, type Element } from '../xml/dom.js';

export const CALLER_BLOCK_ID = 'SIGNED_BY_CALLER';

type Builder = ReturnType<typeof create>;

function envelope(version: SoapVersion, operation: string): { doc: Builder; op: Builder } {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const env = doc.ele(version.envelopeNs, 'soap:Envelope');
  env.ele(version.envelopeNs, 'soap:Header');
  const op = env
    .ele(version.envelopeNs, 'soap:Body')
    .ele(NS.types, `ns2:${operation}Request`)
    .att('xmlns:ns2', NS.types)
    .att('xmlns:ns3', NS.basic);
  return { doc, op };
}

function signed(doc: Builder, op: Builder, key: SigningKey): string {
  op.ele(NS.types, 'ns2:CallerInformationSystemSignature');
  return signDetached(doc.end(), CALLER_BLOCK_ID, 'CallerInformationSystemSignature', key, 'xmldsig');
}

export interface SendRequestOptions {
  readonly payload: string;
  readonly messageId?: string;
  readonly endOfLife?: Date;
  readonly testMessage?: boolean;
}

export function sendRequestXml(
  version: SoapVersion,
  key: SigningKey,
  options: SendRequestOptions,
): { xml: string; messageId: string } {
  const messageId = options.messageId ?? uuidv1();
  const { doc, op } = envelope(version, 'SendRequest');
  const data = op.ele(NS.types, 'ns2:SenderProvidedRequestData').att('Id', CALLER_BLOCK_ID);
  data.ele(NS.types, 'ns2:MessageID').txt(messageId);
  if (options.endOfLife) data.ele(NS.types, 'ns2:EOL').txt(options.endOfLife.toISOString());
  data.ele(NS.basic, 'ns3:MessagePrimaryContent').import(create(options.payload));
  if (options.testMessage) data.ele(NS.types, 'ns2:TestMessage');
  return { xml: signed(doc, op, key), messageId };
}

export type ResponseContent =
  | { readonly kind: 'answer'; readonly payload: string }
  | { readonly kind: 'rejected'; readonly code: string; readonly description: string }
  | { readonly kind: 'status'; readonly code: number; readonly description: string };

export function sendResponseXml(
  version: SoapVersion,
  key: SigningKey,
  to: string,
  content: ResponseContent,
  messageId = uuidv1(),
): { xml: string; messageId: string } {
  const { doc, op } = envelope(version, 'SendResponse');
  const data = op.ele(NS.types, 'ns2:SenderProvidedResponseData').att('Id', CALLER_BLOCK_ID);
  data.ele(NS.types, 'ns2:MessageID').txt(messageId);
  data.ele(NS.types, 'ns2:To').txt(to);
  if (content.kind === 'answer') {
    data.ele(NS.basic, 'ns3:MessagePrimaryContent').import(create(content.payload));
  } else if (content.kind === 'rejected') {
    const rejected = data.ele(NS.types, 'ns2:RequestRejected');
    rejected.ele(NS.types, 'ns2:RejectionReasonCode').txt(content.code);
    rejected.ele(NS.types, 'ns2:RejectionReasonDescription').txt(content.description);
  } else {
    const status = data.ele(NS.types, 'ns2:RequestStatus');
    status.ele(NS.types, 'ns2:StatusCode').txt(String(content.code));
    status.ele(NS.types, 'ns2:StatusDescription').txt(content.description);
  }
  return { xml: signed(doc, op, key), messageId };
}

export function takeXml(
  version: SoapVersion,
  key: SigningKey,
  operation: 'GetRequest' | 'GetResponse',
  messageType?: MessageType,
  at = new Date(),
): string {
  const { doc, op } = envelope(version, operation);
  const selector = op.ele(NS.basic, 'ns3:MessageTypeSelector').att('Id', CALLER_BLOCK_ID);
  if (messageType) {
    selector.ele(NS.basic, 'ns3:NamespaceURI').txt(messageType.namespace);
    selector.ele(NS.basic, 'ns3:RootElementLocalName').txt(messageType.localName);
  }
  selector.ele(NS.basic, 'ns3:Timestamp').txt(at.toISOString());
  return signed(doc, op, key);
}

export function ackXml(version: SoapVersion, key: SigningKey, messageId: string, accepted = true): string {
  const { doc, op } = envelope(version, 'Ack');
  op.ele(NS.basic, 'ns3:AckTargetMessage')
    .att('Id', CALLER_BLOCK_ID)
    .att('accepted', String(accepted))
    .txt(messageId);
  return signed(doc, op, key);
}

export function getStatusXml(version: SoapVersion, key: SigningKey, at = new Date()): string {
  const { doc, op } = envelope(version, 'GetStatus');
  op.ele(NS.basic, 'ns3:Timestamp').att('Id', CALLER_BLOCK_ID).txt(at.toISOString());
  return signed(doc, op, key);
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
}

function first(root: Element, ns: string, name: string): Element | undefined {
  return (root.getElementsByTagNameNS(ns, name).item(0) as Element | null) ?? undefined;
}

/** Read a GetRequest/GetResponse/GetStatus answer; undefined when the queue was empty. */
export function readHandedOut(xml: string): HandedOut | undefined {
  const root = parseDom(xml).documentElement as Element;
  const request = first(root, NS.types, 'Request');
  const response = first(root, NS.types, 'Response');
  const status = first(root, NS.types, 'AsyncProcessingStatus');
  if (status) {
    const original = first(status, NS.types, 'OriginalMessageId')?.textContent ?? '';
    return {
      messageId: original,
      originalMessageId: original,
      replyTo: undefined,
      payload: undefined,
      rejected: undefined,
      statusCode: undefined,
      statusCategory: first(status, NS.types, 'StatusCategory')?.textContent ?? undefined,
    };
  }
  const message = request ?? response;
  if (!message) return undefined;
  const block = first(message, NS.types, request ? 'SenderProvidedRequestData' : 'SenderProvidedResponseData');
  const content = block && first(block, NS.basic, 'MessagePrimaryContent');
  let payload: Element | undefined;
  for (let node = content?.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1) {
      payload = node as Element;
      break;
    }
  }
  return {
    messageId: (block && first(block, NS.types, 'MessageID')?.textContent) ?? '',
    originalMessageId: first(message, NS.types, 'OriginalMessageId')?.textContent ?? undefined,
    replyTo: first(message, NS.types, 'ReplyTo')?.textContent ?? undefined,
    payload,
    rejected: (block && first(block, NS.types, 'RejectionReasonCode')?.textContent) ?? undefined,
    statusCode: (block && first(block, NS.types, 'StatusCode')?.textContent) ?? undefined,
    statusCategory: undefined,
  };
}
