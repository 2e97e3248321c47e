/**
 * Checking a stored exchange's own XML signatures, as an auditor would with any XMLDSig tool: the caller's
 * signature on the request, and the gateway's signatures on the answer (or on a signed fault), with
 * certificates checked against the trust store at the time of the exchange.
 */
import { readCallAnswer } from '../client/answer.js';
import { readSignedPart } from '../exchange/queued-request.js';
import { NS } from '../soap/namespaces.js';
import type { TrustStore } from '../signature/pki/trust-store.js';
import { readSignature } from '../signature/signature-element.js';
import { verifyDetached } from '../signature/xml-signature.js';
import { childElements, parseDom, type Element } from '../xml/dom.js';
import type { MessageRecord } from './record.js';

/** Problems with the record's message signatures; empty when every signature present verifies. */
export function messageSignatureProblems(record: MessageRecord, trust: TrustStore): string[] {
  const problems: string[] = [];
  const at = new Date(Number(record.received_at));
  if (record.request_xml !== null && record.verification === 'verified') {
    try {
      const doc = parseDom(record.request_xml);
      const body = childElements(doc.documentElement!).find((e) => e.localName === 'Body');
      const operation = body ? childElements(body)[0] : undefined;
      if (!operation) throw new Error('no operation element');
      const request = readSignedPart(operation);
      const signature = readSignature(doc, request.callerSignature, request.signedBlock);
      verifyDetached(signature, trust.check(signature.certificate, at).publicKey, request.signedBlock);
    } catch (error) {
      problems.push(`the request's signature does not verify: ${(error as Error).message}`);
    }
  }
  if (record.answer_xml !== null && (record.http_status === 200 || record.verification === 'verified')) {
    try {
      if (record.operation === 'Call' || record.http_status !== 200)
        readCallAnswer(record.answer_xml, trust, at);
      else checkGatewayBlock(record.answer_xml, trust, at);
    } catch (error) {
      problems.push(`the answer's signatures do not verify: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** A queued operation's answer: the gateway's block (Id SIGNED_BY_SMEV), when it has one, verifies. */
function checkGatewayBlock(xml: string, trust: TrustStore, at: Date): void {
  const doc = parseDom(xml);
  const container = doc.getElementsByTagNameNS(NS.types, 'SMEVSignature').item(0) as Element | null;
  if (!container) return; // empty queue, or Ack: nothing signed
  const all = doc.getElementsByTagNameNS('*', '*');
  for (let i = 0; i < all.length; i++) {
    const block = all.item(i) as Element;
    if (block.getAttribute('Id') !== 'SIGNED_BY_SMEV') continue;
    const signature = readSignature(doc, container, block);
    verifyDetached(signature, trust.check(signature.certificate, at).publicKey, block);
    return;
  }
  throw new Error('the answer has an SMEVSignature but no block it covers');
}
