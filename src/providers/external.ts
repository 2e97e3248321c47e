/**
 * Third-party providers as modules. A service written outside the gateway is an ES module that exports
 *
 *   export const codec = { namespace, requests: ['SomeRequest', …], decode(element) { … }, encode(answer) { … } };
 *   export function createProvider(context) { return { async handle(request) { … } }; }
 *
 * — the same shape as a built-in service (`BuiltinService`): `decode` gets the business element (an
 * @xmldom/xmldom Element), `encode` returns the answer as one serialised element in the service namespace,
 * `handle` returns `{ kind: 'answer', body }` or refuses by throwing a ProviderRejection (`smev-gateway/provider`,
 * src/providers/module.ts; a returned `{ kind: 'rejected', code, description }` is accepted too).
 *
 * It is registered in the configuration as a section of `services` with a `module` key:
 *
 *   "services": { "weather": { "module": "./examples/provider-module/weather.mjs", …its own settings… } }
 *
 * and routed like a built-in one, `builtin:weather` (it runs in-process). Its XSD must be added to the schema set
 * (xsd/gateway.xsd), as for any service. See examples/provider-module/README.md.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BUILTIN_ALIASES,
  builtinMessageTypes,
  type BuiltinService,
  type HostedService,
  type ServiceContext,
} from './builtin.js';
import type { Provider, ServiceCodec } from './contract.js';

/** Names a route can select (`builtin:<name>`, as the registry accepts). */
const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;
/** Sections of `services` that are not modules. */
const RESERVED = new Set(['remote']);

export class ProviderModuleError extends Error {
  override name = 'ProviderModuleError';
}

/** The URL `import()` gets: relative paths from the working directory, bare names as packages. */
export function moduleUrl(specifier: string, baseDir = process.cwd()): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier) && !/^[a-z]:[\\/]/i.test(specifier)) return specifier; // file:, data:, node:
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href;
  if (
    specifier.startsWith('./') ||
    specifier.startsWith('../') ||
    specifier.startsWith('.\\') ||
    specifier.startsWith('..\\')
  ) {
    return pathToFileURL(resolve(baseDir, specifier)).href;
  }
  return specifier;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Import a provider module and check that it exports `codec` and `createProvider`. Throws ProviderModuleError. */
export async function loadProviderModule(specifier: string, baseDir?: string): Promise<BuiltinService> {
  const where = `provider module ${specifier}`;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(moduleUrl(specifier, baseDir))) as Record<string, unknown>;
  } catch (error) {
    throw new ProviderModuleError(`${where} cannot be loaded: ${(error as Error).message}`, { cause: error });
  }
  // Named exports, or (a CommonJS module) the same names on its default export.
  const exports = 'codec' in loaded || !isObject(loaded.default) ? loaded : loaded.default;
  const { codec, createProvider } = exports;
  const problems = codecProblems(codec);
  if (typeof createProvider !== 'function') problems.push('createProvider (a function) is not exported');
  if (!isCodec(codec, problems) || typeof createProvider !== 'function')
    throw new ProviderModuleError(`${where} is not a provider module: ${problems.join('; ')}`);
  return {
    codec,
    createProvider(context: ServiceContext): Provider {
      const provider: unknown = createProvider(context);
      if (!isProvider(provider)) {
        throw new ProviderModuleError(
          `${where}: createProvider() must return an object with a handle(request) method`,
        );
      }
      return provider;
    },
  };
}

/** What is wrong with a module's `codec` export; empty when it is a codec. */
function codecProblems(codec: unknown): string[] {
  if (!isObject(codec)) return ['codec (an object) is not exported'];
  const problems: string[] = [];
  if (typeof codec.namespace !== 'string' || codec.namespace === '')
    problems.push('codec.namespace must be a non-empty string');
  if (
    !Array.isArray(codec.requests) ||
    codec.requests.length === 0 ||
    !codec.requests.every((name) => typeof name === 'string' && /^[A-Za-z_][\w.-]*$/.test(name))
  ) {
    problems.push('codec.requests must be a non-empty array of element local names');
  }
  if (typeof codec.decode !== 'function') problems.push('codec.decode must be a function');
  if (typeof codec.encode !== 'function') problems.push('codec.encode must be a function');
  return problems;
}

/** The module's codec, once codecProblems() found nothing wrong with it (the decoded body is the module's own). */
const isCodec = (codec: unknown, problems: readonly string[]): codec is ServiceCodec =>
  isObject(codec) && problems.length === 0;

const isProvider = (value: unknown): value is Provider =>
  isObject(value) && typeof value.handle === 'function';

/**
 * The module services of a configuration: every section of `services` with a `module` key. The rest of the
 * section is the service's own settings. Names must be route names and must not shadow a hosted service (pass
 * the built-in ones as `hosted`), nor may two services answer the same namespace.
 */
export async function externalServices(
  sections: Record<string, unknown>,
  context: Omit<ServiceContext, 'settings'>,
  options: { readonly hosted?: readonly HostedService[]; readonly baseDir?: string } = {},
): Promise<HostedService[]> {
  const taken = new Map<string, string>(builtinMessageTypes().map((type) => [type.namespace, type.service]));
  for (const service of options.hosted ?? []) taken.set(service.codec.namespace, service.name);
  const builtin = new Set([...taken.values(), ...Object.keys(BUILTIN_ALIASES)]);
  const baseDir = options.baseDir;
  const services: HostedService[] = [];
  for (const [name, section] of Object.entries(sections)) {
    if (!isObject(section) || !('module' in section) || RESERVED.has(name)) continue;
    const { module: specifier, ...settings } = section;
    if (typeof specifier !== 'string' || specifier === '') {
      throw new ProviderModuleError(`services.${name}.module must be a module path`);
    }
    if (!SERVICE_NAME.test(name))
      throw new ProviderModuleError(`services.${name}: a module service name must match ${SERVICE_NAME}`);
    if (builtin.has(name))
      throw new ProviderModuleError(`services.${name}: the name of a built-in service cannot be reused`);
    const service = await loadProviderModule(specifier, baseDir);
    const clash = taken.get(service.codec.namespace);
    if (clash)
      throw new ProviderModuleError(
        `services.${name}: namespace ${service.codec.namespace} is already served by ${clash}`,
      );
    taken.set(service.codec.namespace, name);
    services.push({
      name,
      codec: service.codec,
      provider: service.createProvider({ ...context, log: context.log.child({ service: name }), settings }),
    });
  }
  return services;
}
