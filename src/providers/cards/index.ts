/**
 * The cards service: the regional social card system (Amur region). A Mir payment card issued by a bank is
 * connected to the system at a connection point and so gets the social card status; the system keeps the
 * register of such cards. Tables: store migration 0004_cards (src/store/schema-cards.ts); schema:
 * xsd/cards-1.0.xsd; samples: examples/cards/ (the sample cards are seeded by the provider on its first start
 * when no secret is configured). Settings: `services.cards` (./settings.ts).
 */
import { defineService } from '../service.js';
import { cardsCodec } from './codec.js';
import { cardsDb } from './db.js';
import { CardsProvider } from './provider.js';
import { parseCardsSettings } from './settings.js';

export { CARDS_NS } from './codec.js';
export type { CardsAnswer, CardsRequest } from './codec.js';
export {
  ListCardsQuery,
  listCards,
  getCard,
  type CardsPage,
  type ListCardsOptions,
  type RegisterCard,
} from './register.js';

export const cardsService = defineService({
  codec: cardsCodec,
  createProvider: ({ store, log, settings, clock }) => {
    const provider = new CardsProvider(cardsDb(store), parseCardsSettings(settings), clock, log);
    provider.start();
    return provider;
  },
});
