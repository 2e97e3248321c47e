/**
 * The answer to `Call`, shaped like SMEV 3's GetResponseResponse so SMEV client code reads it unchanged:
 * `Response @Id=SIGNED_BY_SMEV` holds the provider's signed `SenderProvidedResponseData` and the gateway's
 * `MessageMetadata`; `SMEVSignature` beside it covers the whole `Response`.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { NS } from '../soap/namespaces.js';
import type { SoapVersion } from '../soap/version.js';
import { need, type Exchange } from './context.js';

export const PROVIDER_BLOCK_ID = 'SIGNED_BY_PROVIDER';
export const SMEV_BLOCK_ID = 'SIGNED_BY_SMEV';

export interface AnswerOptions {
  /** Emit the empty signature elements the signer fills in. */
  readonly signatureSlots: boolean;
}

export function soapEnvelope(version: SoapVersion): { doc: XMLBuilder; body: XMLBuilder } {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const envelope = doc.ele(version.envelopeNs, 'soap:Envelope');
  envelope.ele(version.envelopeNs, 'soap:Header');
  return { doc, body: envelope.ele(version.envelopeNs, 'soap:Body') };
}

export function writeCallAnswer(exchange: Exchange, options: AnswerOptions): string {
  const request = need(exchange.request, 'request');
  const sender = need(exchange.sender, 'sender');
  const route = need(exchange.route, 'route');
  const outcome = need(exchange.outcome, 'outcome');
  const answeredAt = exchange.answeredAt ?? new Date();
  const { doc, body } = soapEnvelope(exchange.version);

  const response = body
    .ele(NS.sync, 'sync:CallResponse')
    .att('xmlns:ns2', NS.types)
    .att('xmlns:ns3', NS.basic)
    .ele(NS.types, 'ns2:Response')
    .att('Id', SMEV_BLOCK_ID);
  response.ele(NS.types, 'ns2:OriginalMessageId').txt(request.messageId);
  response.ele(NS.types, 'ns2:ReferenceMessageID').txt(request.referenceMessageId);

  const data = response.ele(NS.types, 'ns2:SenderProvidedResponseData').att('Id', PROVIDER_BLOCK_ID);
  data.ele(NS.types, 'ns2:MessageID').txt(need(exchange.answerMessageId, 'answer message id'));
  data.ele(NS.types, 'ns2:To').txt(sender.mnemonic);
  if (outcome.kind === 'answer') {
    data.ele(NS.basic, 'ns3:MessagePrimaryContent').import(create(outcome.body));
  } else {
    const rejection = data.ele(NS.types, 'ns2:RequestRejected');
    rejection.ele(NS.types, 'ns2:RejectionReasonCode').txt(outcome.code);
    rejection.ele(NS.types, 'ns2:RejectionReasonDescription').txt(outcome.description);
  }

  const metadata = response.ele(NS.types, 'ns2:MessageMetadata').att('Id', 'METADATA');
  metadata.ele(NS.types, 'ns2:MessageId').txt(need(exchange.answerMessageId, 'answer message id'));
  metadata.ele(NS.types, 'ns2:MessageType').txt('RESPONSE');
  const from = metadata.ele(NS.types, 'ns2:Sender');
  from.ele(NS.types, 'ns2:Mnemonic').txt(route.recipient.mnemonic);
  from.ele(NS.types, 'ns2:HumanReadableName').txt(route.recipient.humanReadableName);
  metadata.ele(NS.types, 'ns2:SendingTimestamp').txt(answeredAt.toISOString());
  metadata.ele(NS.types, 'ns2:DestinationName').txt(route.provider);
  const to = metadata.ele(NS.types, 'ns2:Recipient');
  to.ele(NS.types, 'ns2:Mnemonic').txt(sender.mnemonic);
  to.ele(NS.types, 'ns2:HumanReadableName').txt(sender.humanReadableName);
  metadata.ele(NS.types, 'ns2:SupplementaryData').ele(NS.types, 'ns2:InteractionType').txt('OIV2OIV');
  metadata.ele(NS.types, 'ns2:DeliveryTimestamp').txt(answeredAt.toISOString());

  if (options.signatureSlots) {
    response.ele(NS.types, 'ns2:SenderInformationSystemSignature');
    response.up().ele(NS.types, 'ns2:SMEVSignature');
  }
  return doc.end();
}
