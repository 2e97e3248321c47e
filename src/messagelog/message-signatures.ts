/**
 * Checking a stored exchange's own XML signatures, as an auditor would with any XMLDSig tool: the caller's
 * signature on the request, and the gateway's signatures on the answer (or on a signed fault), with
 * certificates checked against the trust store at the time of the exchange. The bodies may come from an archive
 * anyone could have written: each is read within the SOAP endpoint's limits (xml/guard.ts), so a hostile one is a
 * named problem of its record, never a parse without end.
 */
import { readCallAnswer } from '../signature/call-answer.js';
import { readSignedPart } from '../smev/queued-request.js';
import { contractOfTypesNs } from '../soap/namespaces.js';
import type { TrustStore } from '../signature/pki/trust-store.js';
import { checkSignature } from '../signature/xml-signature.js';
import { childElements, type Element } from '../xml/dom.js';
import { answerLimits, DEFAULT_XML_LIMITS, parseWithinLimits, type XmlLimits } from '../xml/guard.js';
import type { MessageRecord } from './record.js';

/** Problems with the record's message signatures; empty when every signature present verifies. */
export function messageSignatureProblems(
  record: MessageRecord,
  trust: TrustStore,
  /** The endpoint's limits (`limits.*`) the request was received within; the answer may exceed them a little. */
  limits: XmlLimits = DEFAULT_XML_LIMITS,
): string[] {
  const problems: string[] = [];
  const at = new Date(Number(record.received_at));
  if (record.request_xml !== null && record.verification === 'verified') {
    try {
      const { doc } = parseWithinLimits(record.request_xml, limits);
      const body = childElements(doc.documentElement!).find((e) => e.localName === 'Body');
      const operation = body ? childElements(body)[0] : undefined;
      if (!operation) throw new Error('no operation element');
      const request = readSignedPart(operation);
      checkSignature(doc, request.callerSignature, request.signedBlock, trust, at);
    } catch (error) {
      problems.push(`the request's signature does not verify: ${(error as Error).message}`);
    }
  }
  if (record.answer_xml !== null && (record.http_status === 200 || record.verification === 'verified')) {
    try {
      if (record.operation === 'Call' || record.http_status !== 200)
        readCallAnswer(record.answer_xml, trust, at, answerLimits(limits));
      else checkGatewayBlock(record.answer_xml, trust, at, answerLimits(limits));
    } catch (error) {
      problems.push(`the answer's signatures do not verify: ${(error as Error).message}`);
    }
  }
  return problems;
}

/**
 * A queued operation's answer: the gateway's block, when it has one, verifies. Read by place, as the gateway
 * writes it: the SMEVSignature container of the answer and the block beside it with the gateway's Id.
 */
function checkGatewayBlock(xml: string, trust: TrustStore, at: Date, limits: XmlLimits): void {
  const { doc } = parseWithinLimits(xml, limits);
  const body = childElements(doc.documentElement!).find((e) => e.localName === 'Body');
  const operation = body ? childElements(body)[0] : undefined;
  const container = operation && findContainer(operation);
  if (!container) return; // empty queue, or Ack: nothing signed
  const parent = container.parentNode as Element;
  const block = childElements(parent).find((e) => e.getAttribute('Id') === 'SIGNED_BY_SMEV');
  if (!block) throw new Error('the answer has an SMEVSignature but no block it covers');
  checkSignature(doc, container, block, trust, at);
}

/** SMEVSignature in the operation element, or one level down (RequestMessage, SmevAsyncProcessingMessage). */
function findContainer(operation: Element): Element | undefined {
  const isContainer = (e: Element) =>
    e.localName === 'SMEVSignature' && contractOfTypesNs(e.namespaceURI) !== undefined;
  const own = childElements(operation).find(isContainer);
  if (own) return own;
  for (const child of childElements(operation)) {
    const found = childElements(child).find(isContainer);
    if (found) return found;
  }
  return undefined;
}
