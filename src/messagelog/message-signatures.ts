/**
 * Checking a stored exchange's own XML signatures, as an auditor would with any XMLDSig tool: the caller's
 * signature on the request, and the gateway's signatures on the answer (or on a signed fault), with
 * certificates checked against the trust store at the time of the exchange.
 */
import { readCallAnswer } from '../client/answer.js';
import { readSenderRequest } from '../exchange/request.js';
import type { TrustStore } from '../signature/pki/trust-store.js';
import { readSignature } from '../signature/signature-element.js';
import { verifyDetached } from '../signature/xml-signature.js';
import { childElements, parseDom } from '../xml/dom.js';
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
      const request = readSenderRequest(operation);
      const signature = readSignature(doc, request.callerSignature, request.signedBlock);
      verifyDetached(signature, trust.check(signature.certificate, at).publicKey, request.signedBlock);
    } catch (error) {
      problems.push(`the request's signature does not verify: ${(error as Error).message}`);
    }
  }
  if (record.answer_xml !== null && (record.http_status === 200 || record.verification === 'verified')) {
    try {
      readCallAnswer(record.answer_xml, trust, at);
    } catch (error) {
      problems.push(`the answer's signatures do not verify: ${(error as Error).message}`);
    }
  }
  return problems;
}
