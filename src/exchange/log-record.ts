/** Step 9's record of an exchange, as the message log stores it. */
import type { BodyPolicy } from '../messagelog/body-policy.js';
import { sha256Hex, type RecordFields } from '../messagelog/record.js';
import type { Exchange } from './context.js';
import type { ExchangeResult } from './parts.js';

export function logRecordOf(exchange: Exchange, result: ExchangeResult, bodies: BodyPolicy): RecordFields {
  const answeredAt = new Date();
  const type = exchange.request?.messageType;
  // Every payload the exchange carried decides: the request's and any answer handed out. A request refused
  // before its signature was verified keeps its digest and size only.
  const namespaces = [...(type ? [type.namespace] : []), ...(exchange.payloadNamespaces ?? [])];
  const keepBodies = bodies.keeps(exchange.sender !== undefined, namespaces);
  const fault = exchange.fault;
  const verification = exchange.sender
    ? 'verified'
    : fault?.code === 'SignatureVerificationFault' || fault?.code === 'SenderIsNotRegistered'
      ? `refused: ${fault.reason ?? fault.code}`
      : 'not reached';
  return {
    request_id: exchange.id,
    operation: result.operation,
    message_id: (exchange.request?.messageId ?? exchange.messageId)?.slice(0, 36) ?? null,
    answer_message_id: exchange.answerMessageId ?? null,
    reference_message_id: exchange.request?.referenceMessageId.slice(0, 36) ?? null,
    sender: exchange.sender?.mnemonic ?? null,
    recipient: exchange.route?.recipient.mnemonic ?? exchange.counterpart ?? null,
    message_type: type ? `{${type.namespace}}${type.localName}`.slice(0, 800) : null,
    received_at: exchange.receivedAt.getTime(),
    answered_at: answeredAt.getTime(),
    duration_us: Math.round((answeredAt.getTime() - exchange.receivedAt.getTime()) * 1000),
    http_status: result.status,
    fault_code: result.faultCode ?? null,
    certificate: exchange.sender?.certificateThumbprint ?? null,
    verification,
    request_digest: sha256Hex(exchange.incoming.body),
    request_bytes: exchange.incoming.body.length,
    answer_digest: sha256Hex(Buffer.from(result.body, 'utf8')),
    // The request exactly as received: its text when it was UTF-8 (every accepted message is).
    request_xml: keepBodies ? receivedText(exchange) : null,
    answer_xml: keepBodies ? result.body : null,
  };
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The decoded body with the byte order mark the parse step dropped, so it hashes to `request_digest`. */
function receivedText(exchange: Exchange): string | null {
  if (exchange.text === undefined) return null;
  return exchange.incoming.body.subarray(0, 3).equals(BOM) ? `\uFEFF${exchange.text}` : exchange.text;
}
