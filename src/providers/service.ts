/**
 * What a built-in service is to the gateway: its codec and how its provider is made (the services' index files
 * implement it; builtin.ts lists them), and a service as hosted.
 */
import type { Logger } from '../logging/logger.js';
import type { TrustStore } from '../signature/pki/trust-store.js';
import type { SigningKey } from '../signature/signing-key.js';
import type { SystemDirectory } from '../signature/systems.js';
import type { Store } from '../store/store.js';
import type { Provider, ServiceCodec } from './contract.js';

export interface HostedService {
  readonly name: string;
  /** Former names a route may still select it by (`builtin:<alias>`). */
  readonly aliases?: readonly string[];
  readonly codec: ServiceCodec;
  readonly provider: Provider;
}

/** What a built-in service is built from. `settings` is its own section of `services` in the configuration. */
export interface ServiceContext {
  readonly store: Store;
  readonly log: Logger;
  readonly settings: unknown;
  readonly clock: () => Date;
  /** The gateway's trust store, registered systems and key, for services that verify or sign XML themselves. */
  readonly signatures?: ServiceSignatures | undefined;
}

export interface ServiceSignatures {
  readonly trust: TrustStore;
  readonly systems: SystemDirectory;
  readonly gatewayKey: SigningKey;
}

/** A built-in service: its codec (static) and how to make its provider. */
export interface BuiltinService {
  readonly codec: ServiceCodec;
  createProvider(context: ServiceContext): Provider;
}

/** A service as written: a codec and a provider that agree on the request body and the answer. */
export interface ServiceDefinition<Body, Answer> {
  readonly codec: ServiceCodec<Body, Answer>;
  createProvider(context: ServiceContext): Provider<Body, Answer>;
}

/**
 * A service, checked once where it is written: the provider must take what the codec decodes and answer what
 * it encodes. What comes out is the service as the gateway holds it, its types no longer needed.
 */
export function defineService<Body, Answer>(definition: ServiceDefinition<Body, Answer>): BuiltinService {
  return definition;
}
