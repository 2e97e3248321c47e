/** Step 7, deliver: call the route's provider with a deadline; its answer or rejection becomes the outcome. */
import { v1 as uuidv1 } from 'uuid';
import { need, type Exchange } from '../context.js';
import type { Delivery } from '../../core/ports.js';

export async function deliver(exchange: Exchange, delivery: Delivery, timeoutMs: number): Promise<void> {
  exchange.outcome = await delivery.deliver({
    route: need(exchange.route, 'route'),
    request: need(exchange.request, 'request'),
    sender: need(exchange.sender, 'sender'),
    deadline: AbortSignal.timeout(timeoutMs),
  });
  exchange.answerMessageId = uuidv1();
}
