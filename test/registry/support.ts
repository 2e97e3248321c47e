/** Admin API helpers shared by the registry tests: sample applications and a JSON client with role tokens. */
import { innWithCheckDigit, ogrnWithCheckDigit } from '../../src/registry/seed.js';
import { randomUUID } from 'node:crypto';
import type { Store } from '../../src/store/store.js';
import type { TestGateway } from '../support/gateway.js';

let counter = 0;

/** A valid application with a fresh OGRN and INN (`base` keeps test files apart). */
export function sampleApplication(base: number, overrides: Record<string, unknown> = {}) {
  counter++;
  const n = base + counter;
  return {
    fullName: 'Test Organisation',
    shortName: `ORG ${n}`,
    legalForm: 'state institution',
    ogrn: ogrnWithCheckDigit(`1027700${String(n).padStart(5, '0')}`),
    inn: innWithCheckDigit(`7700${String(n).padStart(5, '0')}`),
    address: 'Test address',
    head: 'Test Head',
    contact: {
      name: 'Contact',
      position: 'officer',
      phone: '+7 (912) 345-67-89',
      email: 'contact@example.org',
    },
    ...overrides,
  };
}

export interface ApiAnswer {
  status: number;
  // The answer's shape depends on the resource; each test reads the fields it asserts.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body of any resource
  body: any;
}

/** Calls `/api/v1<path>` with the token of `role` (a key of `tokens`, or a raw token). */
export function apiClient(gateway: () => TestGateway, tokens: Record<string, string>) {
  return async (
    method: string,
    path: string,
    role: string | undefined,
    body?: unknown,
  ): Promise<ApiAnswer> => {
    const response = await fetch(`${gateway().url}/api/v1${path}`, {
      method,
      headers: {
        ...(role ? { authorization: `Bearer ${tokens[role] ?? role}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (a file): kept as text
    }
    return { status: response.status, body: parsed as ApiAnswer['body'] };
  };
}

/** YYYY-MM-DD of the day `days` before `now`. */
export function dayBefore(now: Date, days: number): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A route application of PORTAL_26 written straight into the store, as an older gateway (or anyone with write
 * access) could have stored it: what the registry would refuse today is there to be read, listed or approved.
 */
export async function storeRouteApplication(
  store: Store,
  fields: { id?: string; namespace: string; localName: string; appliedBy?: string },
): Promise<string> {
  const { participant_id } = await store.db
    .selectFrom('information_systems')
    .select('participant_id')
    .where('mnemonic', '=', 'PORTAL_26')
    .executeTakeFirstOrThrow();
  const id = fields.id ?? randomUUID();
  await store.db
    .insertInto('route_applications')
    .values({
      id,
      participant_id,
      consumer: 'PORTAL_26',
      namespace: fields.namespace,
      local_name: fields.localName,
      recipient: 'SMEV_GATEWAY',
      provider: 'queue',
      status: 'applied',
      applied_by: fields.appliedBy ?? 'participant',
      applied_at: Date.now(),
      decided_by: null,
      decided_at: null,
      reason: null,
      route_id: null,
    })
    .execute();
  return id;
}
