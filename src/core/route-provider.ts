/**
 * The stored text of a route's provider, read and written in one place: `builtin:<service>` (a hosted service,
 * lowercase name), `remote:<url>` (http or https, no spaces) or `queue`. The routes table and the queue keep the
 * text; code that acts on a provider reads it here and switches on its kind.
 */
import type { RouteProvider } from './model.js';

const HOSTED = /^builtin:([a-z][a-z0-9-]*)$/;
const REMOTE = /^remote:(https?:\/\/\S+)$/;

/** The provider a stored text names, or undefined when it names none. */
export function parseRouteProvider(text: string): RouteProvider | undefined {
  if (text === 'queue') return { kind: 'queue' };
  const hosted = HOSTED.exec(text);
  if (hosted) return { kind: 'hosted', service: hosted[1] ?? '' };
  const remote = REMOTE.exec(text);
  if (remote) return { kind: 'remote', url: remote[1] ?? '' };
  return undefined;
}

export function formatRouteProvider(provider: RouteProvider): string {
  switch (provider.kind) {
    case 'hosted':
      return `builtin:${provider.service}`;
    case 'remote':
      return `remote:${provider.url}`;
    case 'queue':
      return 'queue';
  }
}
