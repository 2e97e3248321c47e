/**
 * Building a consumer's request the way an information system does: the business payload wrapped in
 * `SenderProvidedRequestData` (a fresh version-1 MessageID), signed into `CallerInformationSystemSignature`.
 */
import { newMessageId } from '../core/message-id.js';
import { create } from 'xmlbuilder2';
import { NS } from '../soap/namespaces.js';
import type { SoapVersion } from '../soap/version.js';
import { importInto, parseDom, serializeXml } from '../xml/dom.js';
import { signDetached, type SigningKey } from '../signature/xml-signature.js';
import { CONSUMER_BLOCK_ID } from '../smev/blocks.js';
import { xmlText } from '../xml/text.js';

export { CONSUMER_BLOCK_ID } from '../smev/blocks.js';

export interface RequestOptions {
  readonly version: SoapVersion;
  /** One business element, serialised. */
  readonly payload: string;
  readonly messageId?: string;
  readonly referenceMessageId?: string;
  readonly testMessage?: boolean;
}

export function buildCallRequest(options: RequestOptions): { xml: string; messageId: string } {
  const messageId = options.messageId ?? newMessageId();
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const envelope = doc.ele(options.version.envelopeNs, 'soap:Envelope');
  envelope.ele(options.version.envelopeNs, 'soap:Header');
  const call = envelope
    .ele(options.version.envelopeNs, 'soap:Body')
    .ele(NS.sync, 'sync:CallRequest')
    .att('xmlns:ns2', NS.types)
    .att('xmlns:ns3', NS.basic);
  const data = call.ele(NS.types, 'ns2:SenderProvidedRequestData').att('Id', CONSUMER_BLOCK_ID);
  data.ele(NS.types, 'ns2:MessageID').txt(xmlText(messageId));
  if (options.referenceMessageId)
    data.ele(NS.types, 'ns2:ReferenceMessageID').txt(xmlText(options.referenceMessageId));
  data.ele(NS.basic, 'ns3:MessagePrimaryContent');
  if (options.testMessage) data.ele(NS.types, 'ns2:TestMessage');
  call.ele(NS.types, 'ns2:CallerInformationSystemSignature');
  // The payload goes in as an xmldom tree: xmlbuilder2 would write a `&#65;` or `&name;` its parser decoded from
  // the payload's text back as it is (see xml/text.ts), changing the text or breaking the XML.
  const request = parseDom(doc.end());
  const content = request.getElementsByTagNameNS(NS.basic, 'MessagePrimaryContent')[0];
  const payload = parseDom(options.payload).documentElement;
  if (!content || !payload) throw new Error('the payload holds no element');
  content.appendChild(importInto(request, payload));
  return { xml: serializeXml(request), messageId };
}

export function signCallRequest(
  xml: string,
  key: SigningKey,
  profile: 'xmldsig' | 'smev' = 'xmldsig',
): string {
  return signDetached(xml, CONSUMER_BLOCK_ID, 'CallerInformationSystemSignature', key, profile);
}
