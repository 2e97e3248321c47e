/**
 * The consumer's request as the pipeline reads it: the signed block `SenderProvidedRequestData` and what it
 * holds. The schema has already checked the shape; this only picks the parts out of the very nodes that the
 * signature step verifies.
 */
import { EXCHANGE_1_1, type ExchangeNamespaces } from '../soap/namespaces.js';
import { transactionCodeOf } from './transaction-code.js';
import { GatewayFault } from '../soap/faults.js';
import { childElements, childText, firstChildElement, type Element } from '../xml/dom.js';
import type { MessageType } from '../providers/contract.js';
import { readAttachments, readFileRefs } from './attachments.js';
import type { FileRef } from './dependencies.js';

/** An operation's signed block and the signature beside it: what verification needs, for every operation. */
export interface SignedPart {
  /** The signed block itself: the signature reference must resolve to this node. */
  readonly signedBlock: Element;
  readonly signedBlockId: string;
  /** `CallerInformationSystemSignature`, the sibling holding `ds:Signature`; absent when unsigned. */
  readonly callerSignature: Element | undefined;
}

export interface SenderRequest extends SignedPart {
  readonly messageId: string;
  readonly referenceMessageId: string;
  readonly transactionCode: string | undefined;
  readonly testMessage: boolean;
  readonly payload: Element;
  readonly messageType: MessageType;
  /** `EOL`: the consumer's own limit of the message's lifetime. */
  readonly endOfLife: Date | undefined;
  /** The `AttachmentContentList` beside the signed block, serialised, after its headers were matched. */
  readonly attachments: string | undefined;
  /** The files of the attachment store the signed block names (RefAttachmentHeaderList). */
  readonly fileRefs: readonly FileRef[];
}

export function readSenderRequest(
  operationElement: Element,
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): SenderRequest {
  const { types, basic } = contract;
  const signedBlock = firstChildElement(operationElement, types, 'SenderProvidedRequestData');
  if (!signedBlock) {
    throw new GatewayFault('PoorSOAPEnvelopeFormat', 'SenderProvidedRequestData is missing');
  }
  const content = firstChildElement(signedBlock, basic, 'MessagePrimaryContent');
  const payload = content ? childElements(content)[0] : undefined;
  const messageId = childText(signedBlock, types, 'MessageID');
  if (!payload || messageId === undefined) {
    throw new GatewayFault(
      'PoorSOAPEnvelopeFormat',
      'SenderProvidedRequestData lacks MessageID or its payload',
    );
  }
  return {
    signedBlock,
    signedBlockId: signedBlock.getAttribute('Id') ?? '',
    messageId: messageId.trim(),
    referenceMessageId: childText(signedBlock, types, 'ReferenceMessageID')?.trim() ?? messageId.trim(),
    transactionCode: transactionCodeOf(signedBlock, types),
    testMessage: firstChildElement(signedBlock, types, 'TestMessage') !== undefined,
    endOfLife: dateOf(childText(signedBlock, types, 'EOL')),
    payload,
    messageType: { namespace: payload.namespaceURI ?? '', localName: payload.localName ?? '' },
    callerSignature: firstChildElement(operationElement, types, 'CallerInformationSystemSignature'),
    attachments: readAttachments(operationElement, signedBlock, basic),
    fileRefs: readFileRefs(signedBlock, basic),
  };
}

export function dateOf(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text.trim());
  return Number.isNaN(date.getTime()) ? undefined : date;
}
