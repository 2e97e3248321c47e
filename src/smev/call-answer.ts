/**
 * The answer to `Call`, shaped like SMEV 3's GetResponseResponse so SMEV client code reads it unchanged:
 * `Response @Id=SIGNED_BY_SMEV` holds the provider's signed `SenderProvidedResponseData` and the gateway's
 * `MessageMetadata`; `SMEVSignature` beside it covers the whole `Response`.
 */
import { DOMImplementation, type Document, type Element } from '@xmldom/xmldom';
import type { ProviderOutcome, SenderRequest } from '../core/model.js';
import type { SignatureSlot, SystemRef } from '../core/ports.js';
import { NS } from '../soap/namespaces.js';
import type { SoapVersion } from '../soap/version.js';
import { adder, writeGatewayResponse } from './blocks.js';

export { PROVIDER_BLOCK_ID, SMEV_BLOCK_ID } from './blocks.js';

export interface CallAnswerParts {
  readonly version: SoapVersion;
  readonly request: Pick<SenderRequest, 'messageId' | 'referenceMessageId' | 'transactionCode'>;
  readonly sender: SystemRef;
  /** The route's recipient: the answer's sender. */
  readonly recipient: SystemRef;
  readonly outcome: ProviderOutcome<string>;
  readonly answerMessageId: string;
  readonly answeredAt: Date;
  /** Emit the empty signature elements the signer fills in. */
  readonly signatureSlots: boolean;
}

/**
 * The answer is built as a tree (xmldom) because the signer signs that very tree and serialises it once; the
 * slots are the elements written here, never looked up by Id.
 */
export function writeCallAnswer(parts: CallAnswerParts): { doc: Document; slots: SignatureSlot[] } {
  const { request, outcome, answeredAt, answerMessageId: answerId } = parts;
  const { doc, body } = soapEnvelope(parts.version);
  const add = adder(doc);
  const call = add(body, NS.sync, 'sync:CallResponse');
  call.setAttribute('xmlns:ns2', NS.types);
  call.setAttribute('xmlns:ns3', NS.basic);
  const metadata = {
    messageId: answerId,
    type: 'RESPONSE' as const,
    sender: parts.recipient,
    recipient: parts.sender,
    sentAt: answeredAt,
    // The answer goes to the consumer, as a queued answer does. Never the route's provider: a remote one's
    // address may carry the operator's credentials or key, and is no business of the consumer's.
    destination: parts.sender.mnemonic,
    deliveredAt: answeredAt,
  };
  const { response, data, providerSlot } = writeGatewayResponse(
    add,
    call,
    request,
    { messageId: answerId, to: parts.sender.mnemonic, outcome },
    metadata,
    'METADATA',
  );
  if (!parts.signatureSlots) {
    // Nothing will be signed: no empty signature container is left in the answer.
    response.removeChild(providerSlot);
    return { doc, slots: [] };
  }
  // In order: the provider's block first, since the gateway's Response holds it and its signature.
  const slots = [
    { target: data, container: providerSlot },
    { target: response, container: add(call, NS.types, 'ns2:SMEVSignature') },
  ];
  return { doc, slots };
}

function soapEnvelope(version: SoapVersion): { doc: Document; body: Element } {
  const doc = new DOMImplementation().createDocument(version.envelopeNs, 'soap:Envelope', null);
  const envelope = doc.documentElement as Element;
  envelope.appendChild(doc.createElementNS(version.envelopeNs, 'soap:Header'));
  const body = doc.createElementNS(version.envelopeNs, 'soap:Body');
  envelope.appendChild(body);
  return { doc, body };
}
