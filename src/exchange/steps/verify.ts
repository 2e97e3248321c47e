/** Step 4, verify: the caller's signature over the signed block, and who the caller is. */
import { need, type Exchange } from '../context.js';
import type { SignatureVerifier } from '../../core/ports.js';

export async function verify(exchange: Exchange, verifier: SignatureVerifier): Promise<void> {
  exchange.sender = await verifier.verifyRequest(
    need(exchange.doc, 'document'),
    need(exchange.text, 'message text'),
    need(exchange.signed, 'signed block'),
    exchange.receivedAt,
  );
}
