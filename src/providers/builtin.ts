/**
 * The services hosted in the gateway, by name: `builtin:<name>` in a route selects one. Adding a service is one
 * entry here.
 */
import type { Provider, ServiceCodec } from './contract.js';
import { pingCodec } from './ping/codec.js';
import { pingProvider } from './ping/provider.js';

export interface HostedService {
  readonly name: string;
  readonly codec: ServiceCodec;
  readonly provider: Provider;
}

export function builtinServices(): HostedService[] {
  return [{ name: 'ping', codec: pingCodec as ServiceCodec, provider: pingProvider as Provider }];
}
