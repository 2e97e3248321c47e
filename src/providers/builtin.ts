/**
 * The services hosted in the gateway, by name: `builtin:<name>` in a route selects one. Adding a service is one
 * entry here (and its schema in xsd/gateway.xsd, its tables in store/migrations).
 */
import type { GatewayConfig } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import type { Store } from '../store/store.js';
import { defineService, type BuiltinService, type HostedService, type ServiceSignatures } from './service.js';
import { cardsService } from './cards/index.js';
import { certificatesService } from './certificates/index.js';
import { documentsService } from './documents/index.js';
import { pingCodec } from './ping/codec.js';
import { pingProvider } from './ping/provider.js';
import { referenceBooksService } from './reference-books/index.js';
import { labResultsService } from './lab-results/index.js';

// What a provider module implements (examples/provider-module) is named here too.
export type { BuiltinService, HostedService, ServiceContext, ServiceSignatures } from './service.js';

const BUILTIN: Record<string, BuiltinService> = {
  ping: defineService({ codec: pingCodec, createProvider: () => pingProvider }),
  certificates: certificatesService,
  cards: cardsService,
  'lab-results': labResultsService,
  documents: documentsService,
  'reference-books': referenceBooksService,
};

/**
 * Former names of built-in services, still accepted where installs already use them: in a route
 * (`builtin:tests`, what earlier versions seeded) and as the settings section (`services.tests`). The
 * lab-results service was named `tests` before; the new name is the documented one.
 */
export const BUILTIN_ALIASES: Readonly<Record<string, string>> = { tests: 'lab-results' };

const aliasesOf = (name: string): string[] =>
  Object.entries(BUILTIN_ALIASES).flatMap(([alias, to]) => (to === name ? [alias] : []));

export function builtinServices(
  store: Store,
  config: GatewayConfig,
  log: Logger,
  clock = () => new Date(),
  signatures?: ServiceSignatures,
): HostedService[] {
  const sections = config.services as Record<string, unknown>;
  return Object.entries(BUILTIN).map(([name, service]) => ({
    name,
    aliases: aliasesOf(name),
    codec: service.codec,
    provider: service.createProvider({
      store,
      log: log.child({ service: name }),
      settings:
        sections[name] ??
        aliasesOf(name)
          .map((alias) => sections[alias])
          .find(Boolean) ??
        {},
      clock,
      signatures,
    }),
  }));
}

/** Every request element each built-in service answers, for the sample routes of a fresh install. */
export function builtinMessageTypes(): Array<{ service: string; namespace: string; localName: string }> {
  return Object.entries(BUILTIN).flatMap(([name, { codec }]) =>
    codec.requests.map((localName) => ({ service: name, namespace: codec.namespace, localName })),
  );
}
