/** Test support for the lab-results service: a provider over a fresh in-memory store, a movable clock, captured SMS. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createLogger } from '../../../src/logging/logger.js';
import { outcomeOf, type ProviderOutcome } from '../../../src/providers/contract.js';
import type { LabResultsAnswer, LabResultsRequest } from '../../../src/providers/lab-results/codec.js';
import { createLabResultsProvider, type Notifier } from '../../../src/providers/lab-results/index.js';
import type { LabResultsProvider } from '../../../src/providers/lab-results/provider.js';
import type { Database, ParticipantStatus } from '../../../src/store/schema.js';
import type { TestsTables } from '../../../src/store/schema-tests.js';
import { openStore, type Store } from '../../../src/store/store.js';

export const VENUE = 'REG-TEST-VENUE-1';
export const OTHER_VENUE = 'REG-TEST-VENUE-2';
export const SUSPENDED_VENUE = 'REG-TEST-SUSPENDED';

export interface Harness {
  readonly store: Store;
  readonly provider: LabResultsProvider;
  readonly sent: Array<{ phone: string; text: string }>;
  now(): Date;
  advance(ms: number): void;
  call(
    body: LabResultsRequest,
    options?: { sender?: string; testMessage?: boolean },
  ): Promise<ProviderOutcome<LabResultsAnswer>>;
  /** The code of the last SMS sent. */
  lastCode(): string;
  db(): Kysely<Database & TestsTables>;
  close(): Promise<void>;
}

let ogrnCounter = 1_000_000_000_000;

async function addVenue(store: Store, code: string, status: ParticipantStatus): Promise<void> {
  const ogrn = String(ogrnCounter++);
  await store.db
    .insertInto('participants')
    .values({
      id: randomUUID(),
      registry_code: code,
      full_name: `Venue ${code}`,
      short_name: code,
      legal_form: 'LLC',
      ogrn,
      inn: '7700000000',
      kpp: null,
      address: 'Test address',
      head_name: 'Head',
      contact_name: 'Contact',
      contact_position: 'officer',
      contact_phone: '+79000000000',
      contact_email: 'venue@example.org',
      kind: 'organisation',
      sphere: 'other',
      status,
      submitted_at: 0,
      coordinator_due: 0,
      operator_due: null,
      updated_at: 0,
      version: 1,
    })
    .execute();
}

export async function harness(options: { notifier?: Notifier; settings?: unknown } = {}): Promise<Harness> {
  const store = await openStore({ sqliteFile: ':memory:' });
  // The migration's sample visits belong to the examples; each test starts from no visits.
  await store.db
    .withTables<{ [T in keyof TestsTables]: TestsTables[T] }>()
    .deleteFrom('tests_entry_checks')
    .execute();
  await addVenue(store, VENUE, 'active');
  await addVenue(store, OTHER_VENUE, 'active');
  await addVenue(store, SUSPENDED_VENUE, 'suspended');
  let now = Date.now();
  const sent: Array<{ phone: string; text: string }> = [];
  const notifier: Notifier = options.notifier ?? {
    send: async (phone, text) => void sent.push({ phone, text }),
  };
  const provider = createLabResultsProvider(
    {
      store,
      log: createLogger('error', { silent: true }),
      settings: options.settings ?? {},
      clock: () => new Date(now),
    },
    { notifier },
  );
  return {
    store,
    provider,
    sent,
    now: () => new Date(now),
    advance: (ms) => void (now += ms),
    // A refusal is thrown (ProviderRejection); the outcome is what delivery makes of it.
    call: (body, { sender = 'PORTAL_26', testMessage = false } = {}) =>
      outcomeOf(
        provider.handle({
          messageId: randomUUID(),
          referenceMessageId: randomUUID(),
          transactionCode: undefined,
          testMessage,
          sender: { mnemonic: sender },
          messageType: { namespace: 'urn://smev-gateway/services/tests/1.0', localName: 'X' },
          body,
          signal: new AbortController().signal,
        }),
      ),
    lastCode: () => {
      const text = sent.at(-1)?.text ?? '';
      const match = /\b([0-9]{6})\b/.exec(text);
      if (!match?.[1]) throw new Error(`no code in the last SMS: ${text}`);
      return match[1];
    },
    db: () => store.db.withTables<{ [T in keyof TestsTables]: TestsTables[T] }>(),
    close: () => store.close(),
  };
}
