/** The in-process echo provider: answers a ping with its own text, so the whole way works end to end. */
import type { Provider } from '../contract.js';
import type { PingAnswer, PingRequest } from './codec.js';

export const pingProvider: Provider<PingRequest, PingAnswer> = {
  async handle(request) {
    return { kind: 'answer', body: { text: request.body.text, receivedAt: new Date() } };
  },
};
