/** Step 6, authorize + route: the sender holds a route for this message type; it names recipient and provider. */
import { need, type Exchange } from '../context.js';
import type { Router } from '../../core/ports.js';

export async function route(exchange: Exchange, router: Router): Promise<void> {
  exchange.route = await router.route(
    need(exchange.sender, 'sender'),
    need(exchange.request, 'request').messageType,
  );
}
