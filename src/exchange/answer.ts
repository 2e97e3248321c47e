/**
 * The answer to `Call`, shaped like SMEV 3's GetResponseResponse so SMEV client code reads it unchanged:
 * `Response @Id=SIGNED_BY_SMEV` holds the provider's signed `SenderProvidedResponseData` and the gateway's
 * `MessageMetadata`; `SMEVSignature` beside it covers the whole `Response`.
 */
import { DOMImplementation, type Document, type Element } from '@xmldom/xmldom';
import { NS } from '../soap/namespaces.js';
import type { SoapVersion } from '../soap/version.js';
import { parseDom } from '../xml/dom.js';
import { need, type Exchange } from './context.js';

export const PROVIDER_BLOCK_ID = 'SIGNED_BY_PROVIDER';
export const SMEV_BLOCK_ID = 'SIGNED_BY_SMEV';

export interface AnswerOptions {
  /** Emit the empty signature elements the signer fills in. */
  readonly signatureSlots: boolean;
}

/**
 * The answer is built as a tree (xmldom) because the signer signs that very tree and serialises it once.
 */
export function writeCallAnswer(exchange: Exchange, options: AnswerOptions): Document {
  const request = need(exchange.request, 'request');
  const sender = need(exchange.sender, 'sender');
  const route = need(exchange.route, 'route');
  const outcome = need(exchange.outcome, 'outcome');
  const answeredAt = (exchange.answeredAt ?? new Date()).toISOString();
  const answerId = need(exchange.answerMessageId, 'answer message id');
  const { doc, body } = soapEnvelope(exchange.version);
  const add = (parent: Element, ns: string, name: string, text?: string) => {
    const element = doc.createElementNS(ns, name);
    if (text !== undefined) element.appendChild(doc.createTextNode(text));
    parent.appendChild(element);
    return element;
  };
  const call = add(body, NS.sync, 'sync:CallResponse');
  call.setAttribute('xmlns:ns2', NS.types);
  call.setAttribute('xmlns:ns3', NS.basic);
  const response = add(call, NS.types, 'ns2:Response');
  response.setAttribute('Id', SMEV_BLOCK_ID);
  add(response, NS.types, 'ns2:OriginalMessageId', request.messageId);
  add(response, NS.types, 'ns2:ReferenceMessageID', request.referenceMessageId);

  const data = add(response, NS.types, 'ns2:SenderProvidedResponseData');
  data.setAttribute('Id', PROVIDER_BLOCK_ID);
  add(data, NS.types, 'ns2:MessageID', answerId);
  add(data, NS.types, 'ns2:To', sender.mnemonic);
  if (outcome.kind === 'answer') {
    const payload = parseDom(outcome.body).documentElement;
    if (!payload) throw new Error('the provider answer holds no element');
    add(data, NS.basic, 'ns3:MessagePrimaryContent').appendChild(doc.importNode(payload, true));
  } else {
    const rejection = add(data, NS.types, 'ns2:RequestRejected');
    add(rejection, NS.types, 'ns2:RejectionReasonCode', outcome.code);
    add(rejection, NS.types, 'ns2:RejectionReasonDescription', outcome.description);
  }

  const metadata = add(response, NS.types, 'ns2:MessageMetadata');
  metadata.setAttribute('Id', 'METADATA');
  add(metadata, NS.types, 'ns2:MessageId', answerId);
  add(metadata, NS.types, 'ns2:MessageType', 'RESPONSE');
  const from = add(metadata, NS.types, 'ns2:Sender');
  add(from, NS.types, 'ns2:Mnemonic', route.recipient.mnemonic);
  add(from, NS.types, 'ns2:HumanReadableName', route.recipient.humanReadableName);
  add(metadata, NS.types, 'ns2:SendingTimestamp', answeredAt);
  add(metadata, NS.types, 'ns2:DestinationName', route.provider);
  const to = add(metadata, NS.types, 'ns2:Recipient');
  add(to, NS.types, 'ns2:Mnemonic', sender.mnemonic);
  add(to, NS.types, 'ns2:HumanReadableName', sender.humanReadableName);
  add(add(metadata, NS.types, 'ns2:SupplementaryData'), NS.types, 'ns2:InteractionType', 'OIV2OIV');
  add(metadata, NS.types, 'ns2:DeliveryTimestamp', answeredAt);

  if (options.signatureSlots) {
    add(response, NS.types, 'ns2:SenderInformationSystemSignature');
    add(call, NS.types, 'ns2:SMEVSignature');
  }
  return doc;
}

function soapEnvelope(version: SoapVersion): { doc: Document; body: Element } {
  const doc = new DOMImplementation().createDocument(version.envelopeNs, 'soap:Envelope', null);
  const envelope = doc.documentElement as Element;
  envelope.appendChild(doc.createElementNS(version.envelopeNs, 'soap:Header'));
  const body = doc.createElementNS(version.envelopeNs, 'soap:Body');
  envelope.appendChild(body);
  return { doc, body };
}
