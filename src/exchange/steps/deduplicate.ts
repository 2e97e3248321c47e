/** Step 5, deduplicate: MessageID is a fresh version-1 UUID never accepted before. */
import { need, type Exchange } from '../context.js';
import type { ReplayGuard } from '../../core/ports.js';

export async function deduplicate(exchange: Exchange, guard: ReplayGuard): Promise<void> {
  const request = need(exchange.request, 'request');
  await guard.accept(request.messageId, need(exchange.sender, 'sender').mnemonic, exchange.receivedAt);
}
