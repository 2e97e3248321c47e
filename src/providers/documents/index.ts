/**
 * The documents service: digital documents shown by QR code or short code with the subject's consent (the rules
 * of the digital documents service). Issuing systems publish documents they signed; the subject's portal or app
 * opens temporary access to one; a third party sees it only with that access; anyone with a route checks a
 * document's authenticity by the code. Tables: store migration 0025_documents (src/store/schema-documents.ts);
 * schema: xsd/documents-1.0.xsd; settings: `services.documents` (./settings.ts); tour: docs/documents.md.
 */
import type { DocumentsTables } from '../../store/schema-documents.js';
import { defineService, type ServiceContext } from '../service.js';
import { documentsCodec } from './codec.js';
import { DocumentsProvider } from './provider.js';
import { QrSigner } from './rules.js';
import { notifierFrom, type Notifier } from '../lab-results/notifier.js';
import { parseDocumentsSettings } from './settings.js';

export { DOCUMENTS_NS } from './codec.js';
export type { DocumentsAnswer, DocumentsRequest } from './codec.js';
export { DOCUMENTS_REFUSAL_CODES } from './refusals.js';

/** The provider over a service context; `notifier` replaces the one the settings choose (tests use this). */
export function createDocumentsProvider(
  context: ServiceContext,
  overrides: { notifier?: Notifier } = {},
): DocumentsProvider {
  const settings = parseDocumentsSettings(context.settings);
  const signatures = context.signatures;
  if (!signatures) throw new Error('the documents service needs the gateway trust store and key');
  return new DocumentsProvider({
    db: context.store.db.withTables<{ [T in keyof DocumentsTables]: DocumentsTables[T] }>(),
    clock: context.clock,
    log: context.log,
    settings,
    trust: signatures.trust,
    systems: signatures.systems,
    qr: new QrSigner(signatures.gatewayKey),
    notifier: overrides.notifier ?? notifierFrom(settings, context.log),
  });
}

export const documentsService = defineService({
  codec: documentsCodec,
  createProvider: (context) => createDocumentsProvider(context),
});
