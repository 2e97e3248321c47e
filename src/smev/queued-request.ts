/**
 * The signed blocks of the queued operations as the pipeline reads them. Each operation signs one element
 * (SMEV3-NOTES: SenderProvidedResponseData, MessageTypeSelector, AckTargetMessage, Timestamp), and the
 * caller's signature stands beside it in CallerInformationSystemSignature. The schema has already checked the
 * shapes; these pick the parts out of the very nodes that the verify step checks.
 */
import { createHash } from 'node:crypto';
import type { MessageType } from '../core/model.js';
import { GatewayFault } from '../core/faults.js';
import { contractOfTypesNs, EXCHANGE_1_1, type ExchangeNamespaces } from '../soap/namespaces.js';
import { childElements, childText, firstChildElement, type Element } from '../xml/dom.js';
import { readAttachments, readFileRefs } from './attachments.js';
import type { FileRef } from '../core/ports.js';
import { dateOf, readSenderRequest, type SignedPart } from './request.js';

export interface SenderResponse extends SignedPart {
  readonly messageId: string;
  /** The request's return address (its ReplyTo). */
  readonly to: string;
  /** `RequestStatus` is an intermediate status: the request stays open. */
  readonly final: boolean;
  /** The answer's business payload, when it carries one. */
  readonly payload: Element | undefined;
  /** The `AttachmentContentList` beside the signed block, serialised, after its headers were matched. */
  readonly attachments: string | undefined;
  /** The files of the attachment store the signed block names (RefAttachmentHeaderList). */
  readonly fileRefs: readonly FileRef[];
}

export interface TakeRequest extends SignedPart {
  /** Absent: any message type. */
  readonly messageType: MessageType | undefined;
  readonly signedAt: Date;
}

export interface AckRequest extends SignedPart {
  readonly targetMessageId: string;
  readonly accepted: boolean;
  readonly signedAt: Date | undefined;
}

function signedPart(
  operationElement: Element,
  ns: string,
  name: string,
  contract: ExchangeNamespaces,
): SignedPart {
  const signedBlock = firstChildElement(operationElement, ns, name);
  if (!signedBlock) throw new GatewayFault('PoorSOAPEnvelopeFormat', `${name} is missing`);
  return {
    signedBlock,
    signedBlockId: signedBlock.getAttribute('Id') ?? '',
    callerSignature: firstChildElement(operationElement, contract.types, 'CallerInformationSystemSignature'),
  };
}

export function readSenderResponse(
  operationElement: Element,
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): SenderResponse {
  const part = signedPart(operationElement, contract.types, 'SenderProvidedResponseData', contract);
  const block = part.signedBlock;
  const messageId = childText(block, contract.types, 'MessageID')?.trim();
  const to = childText(block, contract.types, 'To')?.trim();
  if (!messageId || !to) {
    throw new GatewayFault('PoorSOAPEnvelopeFormat', 'SenderProvidedResponseData lacks MessageID or To');
  }
  const content = firstChildElement(block, contract.basic, 'MessagePrimaryContent');
  return {
    ...part,
    messageId,
    to,
    // A status, the provider's (RequestStatus) or of its processing (AsyncProcessingStatus), keeps the request open.
    final:
      firstChildElement(block, contract.types, 'RequestStatus') === undefined &&
      firstChildElement(block, contract.types, 'AsyncProcessingStatus') === undefined,
    payload: content ? childElements(content)[0] : undefined,
    attachments: readAttachments(operationElement, block, contract.basic),
    fileRefs: readFileRefs(block, contract.basic),
  };
}

export function readTakeRequest(
  operationElement: Element,
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): TakeRequest {
  const part = signedPart(operationElement, contract.basic, 'MessageTypeSelector', contract);
  const namespace = childText(part.signedBlock, contract.basic, 'NamespaceURI')?.trim();
  const localName = childText(part.signedBlock, contract.basic, 'RootElementLocalName')?.trim();
  // A selector that names a type names all of it: half of one (or a blank half) is not "any type".
  if ((namespace !== undefined || localName !== undefined) && !(namespace && localName)) {
    throw new GatewayFault(
      'InvalidContent',
      'MessageTypeSelector names a message type only with both NamespaceURI and RootElementLocalName, neither blank',
    );
  }
  return {
    ...part,
    messageType: namespace && localName ? { namespace, localName } : undefined,
    signedAt: timestampOf(childText(part.signedBlock, contract.basic, 'Timestamp')),
  };
}

export function readAckRequest(
  operationElement: Element,
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): AckRequest {
  const part = signedPart(operationElement, contract.basic, 'AckTargetMessage', contract);
  const accepted = part.signedBlock.getAttribute('accepted')?.trim();
  return {
    ...part,
    targetMessageId: (part.signedBlock.textContent ?? '').trim(),
    accepted: accepted === 'true' || accepted === '1',
    signedAt: undefined,
  };
}

export function readStatusRequest(
  operationElement: Element,
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): TakeRequest {
  const part = signedPart(operationElement, contract.basic, 'Timestamp', contract);
  return { ...part, messageType: undefined, signedAt: timestampOf(part.signedBlock.textContent ?? '') };
}

function timestampOf(text: string | undefined): Date {
  const date = dateOf(text);
  if (!date) throw new GatewayFault('PoorSOAPEnvelopeFormat', 'the signed Timestamp is missing or invalid');
  return date;
}

/** The digest that identifies one signed request for replay protection: its SignatureValue's. */
export function signatureDigest(part: SignedPart): string {
  const signature = part.callerSignature ? childElements(part.callerSignature)[0] : undefined;
  const value = signature
    ? childElements(signature).find((e) => e.localName === 'SignatureValue')?.textContent
    : undefined;
  return createHash('sha256')
    .update((value ?? '').replace(/\s+/g, ''))
    .digest('hex');
}

/** The signed block of any operation, by its operation element (the message log checks stored requests). */
export function readSignedPart(operationElement: Element): SignedPart {
  // Its contract version is the namespace it is written in (Call's blocks are 1.1's).
  const contract = contractOfTypesNs(operationElement.namespaceURI) ?? EXCHANGE_1_1;
  switch (operationElement.localName) {
    case 'SendResponseRequest':
      return readSenderResponse(operationElement, contract);
    case 'GetRequestRequest':
    case 'GetResponseRequest':
      return readTakeRequest(operationElement, contract);
    case 'AckRequest':
      return readAckRequest(operationElement, contract);
    case 'GetStatusRequest':
    case 'GetIncomingQueueStatisticsRequest':
      return readStatusRequest(operationElement, contract);
    default:
      return readSenderRequest(operationElement, contract);
  }
}
