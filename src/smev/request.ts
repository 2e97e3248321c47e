/**
 * The consumer's request as the pipeline reads it: the signed block `SenderProvidedRequestData` and what it
 * holds. The schema has already checked the shape; this only picks the parts out of the very nodes that the
 * signature step verifies.
 */
import { EXCHANGE_1_1, type ExchangeNamespaces } from '../soap/namespaces.js';
import { transactionCodeOf } from './transaction-code.js';
import { GatewayFault } from '../core/faults.js';
import { childElements, childText, firstChildElement, type Element } from '../xml/dom.js';
import { readAttachments, readFileRefs } from './attachments.js';
import type { SenderRequest, SignedPart } from '../core/model.js';

export type { SenderRequest, SignedPart };

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
