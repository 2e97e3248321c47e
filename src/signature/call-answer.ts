/**
 * Reading and checking the gateway's answer as a client should: both signatures verify with certificates that
 * chain to the client's trust store, and the SMEV signature is the gateway's own. A fault is read into its code.
 */
import { faultCodeOf, faultText } from '../soap/fault-code.js';
import { NS } from '../soap/namespaces.js';
import type { TrustStore } from './pki/trust-store.js';
import { checkSignature } from './xml-signature.js';
import { childElements, childText, firstChildElement, serializeNode, type Element } from '../xml/dom.js';
import { answerLimits, DEFAULT_XML_LIMITS, parseWithinLimits, type XmlLimits } from '../xml/guard.js';

export type CallAnswer =
  | {
      readonly kind: 'answer' | 'rejected';
      readonly messageId: string;
      readonly payload: string | undefined;
      readonly rejection: { code: string; description: string } | undefined;
      readonly providerCertificate: string;
      readonly gatewayCertificate: string;
    }
  | {
      readonly kind: 'fault';
      readonly code: string;
      readonly element: string;
      readonly message: string;
      /** Thumbprint of the gateway certificate that signed the fault; undefined for unsigned faults. */
      readonly gatewayCertificate: string | undefined;
    };

export function readCallAnswer(
  xml: string,
  trust: TrustStore,
  at = new Date(),
  /** What the answer is read within: it comes from the network, or from an archive. */
  limits: XmlLimits = answerLimits(DEFAULT_XML_LIMITS),
): CallAnswer {
  const { doc } = parseWithinLimits(xml, limits);
  const body = childElements(doc.documentElement as Element).find((e) => e.localName === 'Body');
  const content = body ? childElements(body)[0] : undefined;
  if (!content) throw new Error('the answer has no body content');
  const check = (container: Element | undefined, block: Element) =>
    checkSignature(doc, container, block, trust, at).thumbprint;
  if (content.localName === 'Fault') return readFault(content, check);

  const response = firstChildElement(content, NS.types, 'Response');
  const data = response && firstChildElement(response, NS.types, 'SenderProvidedResponseData');
  if (!response || !data) throw new Error('the answer holds no Response/SenderProvidedResponseData');
  const providerCertificate = check(
    firstChildElement(response, NS.types, 'SenderInformationSystemSignature'),
    data,
  );
  const gatewayCertificate = check(firstChildElement(content, NS.types, 'SMEVSignature'), response);

  const primary = firstChildElement(data, NS.basic, 'MessagePrimaryContent');
  const rejected = firstChildElement(data, NS.types, 'RequestRejected');
  const payload = primary ? childElements(primary)[0] : undefined;
  return {
    kind: rejected ? 'rejected' : 'answer',
    messageId: childText(data, NS.types, 'MessageID') ?? '',
    payload: payload ? serializeNode(payload) : undefined,
    rejection: rejected
      ? {
          code: childText(rejected, NS.types, 'RejectionReasonCode') ?? '',
          description: childText(rejected, NS.types, 'RejectionReasonDescription') ?? '',
        }
      : undefined,
    providerCertificate,
    gatewayCertificate,
  };
}

type SignatureCheck = (container: Element | undefined, block: Element) => string;

function readFault(fault: Element, check: SignatureCheck): CallAnswer {
  const detailElement = childElements(fault).find(
    (e) => e.localName === 'detail' || e.localName === 'Detail',
  );
  const smevFault = detailElement ? childElements(detailElement)[0] : undefined;
  // A signed fault: the Body carries the Id, the SMEVSignature stands in the Header.
  const body = fault.parentNode as Element;
  const envelope = body.parentNode as Element;
  const header = childElements(envelope).find((e) => e.localName === 'Header');
  const signatureContainer = header && firstChildElement(header, NS.types, 'SMEVSignature');
  const message = faultText(fault);
  return {
    kind: 'fault',
    element: smevFault?.localName ?? 'unknown',
    code: faultCodeOf(smevFault, message),
    message,
    gatewayCertificate: signatureContainer ? check(signatureContainer, body) : undefined,
  };
}
