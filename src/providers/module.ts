/**
 * What a provider module writes against, published as `smev-gateway/provider` (package.json "exports", its
 * declarations built by tsconfig.provider.json): the provider contract, the one rejection type, and
 * defineService() to tie a codec to its provider. examples/provider-module/weather.mjs uses it.
 */
export { ProviderRejection, refusalTable } from './contract.js';
export type {
  MessageType,
  Provider,
  ProviderOutcome,
  ProviderRequest,
  RejectionCode,
  ServiceCodec,
} from './contract.js';
export { defineService } from './service.js';
export type { BuiltinService, ServiceContext, ServiceDefinition } from './service.js';
