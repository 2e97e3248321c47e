/** Shared material for the certificates tests: the seeded samples, the provider with a settable clock. */
import { v1 as uuidv1 } from 'uuid';
import { createLogger } from '../../../src/logging/logger.js';
import { certificatesService, CERTIFICATES_NS } from '../../../src/providers/certificates/index.js';
import type { CertificatesAnswer, CertificatesRequest } from '../../../src/providers/certificates/index.js';
import { outcomeOf, type Provider, type ProviderOutcome } from '../../../src/providers/contract.js';
import type { CertificatesTables } from '../../../src/store/schema-certificates.js';
import type { Store } from '../../../src/store/store.js';

/** The sample certificates seeded by the migration. */
export const SAMPLES = {
  active: '470000000013',
  activeUsed: '470000000021',
  expired: '470000000039',
  exhausted: '470000000047',
  blocked: '470000000054',
  activeSmall: '470000000062',
} as const;

/** 2026-06-15 12:00 Moscow: every sample is within or past its term as its name says. */
export const NOON = new Date('2026-06-15T09:00:00Z');

export interface Harness {
  readonly provider: Provider<CertificatesRequest, CertificatesAnswer>;
  /** Move the provider's clock. */
  now: Date;
  call(
    body: CertificatesRequest,
    options?: { sender?: string; test?: boolean },
  ): Promise<ProviderOutcome<CertificatesAnswer>>;
  balance(number: string): Promise<number>;
  postings(): Promise<Array<{ transaction_id: string; cost: number; organisation: string }>>;
}

export function harness(store: Store, start = NOON): Harness {
  const state: { now: Date } = { now: start };
  const provider = certificatesService.createProvider({
    store,
    log: createLogger('error', { silent: true }),
    settings: {},
    clock: () => state.now,
  }) as Provider<CertificatesRequest, CertificatesAnswer>;
  const db = store.db.withTables<{ [T in keyof CertificatesTables]: CertificatesTables[T] }>();
  const messageType = { namespace: CERTIFICATES_NS, localName: 'x' };
  return {
    provider,
    get now() {
      return state.now;
    },
    set now(value: Date) {
      state.now = value;
    },
    // A refusal is thrown (ProviderRejection); the outcome is what delivery makes of it.
    call: (body, options = {}) =>
      outcomeOf(
        provider.handle({
          messageId: uuidv1(),
          referenceMessageId: '',
          transactionCode: undefined,
          testMessage: options.test ?? false,
          sender: { mnemonic: options.sender ?? 'SERVICE_ORG_1' },
          messageType,
          body,
          signal: new AbortController().signal,
        }),
      ),
    balance: async (number) =>
      Number(
        (
          await db
            .selectFrom('social_certificates')
            .select('balance')
            .where('number', '=', number)
            .executeTakeFirstOrThrow()
        ).balance,
      ),
    postings: async () =>
      (
        await db
          .selectFrom('social_certificate_postings')
          .select(['transaction_id', 'cost', 'organisation'])
          .orderBy('transaction_id')
          .execute()
      ).map((row) => ({ ...row, cost: Number(row.cost) })),
  };
}

export function posting(
  transactionId: string,
  cost: number,
  certificateNumber: string = SAMPLES.active,
  extra: Partial<{ worksName: string; classifierCode: string; quantity: number }> = {},
): CertificatesRequest {
  return {
    kind: 'posting',
    certificateNumber,
    worksName: extra.worksName ?? 'Замена оконного блока',
    classifierCode: extra.classifierCode ?? '43.32.10.110',
    quantity: extra.quantity ?? 1,
    cost,
    transactionId,
  };
}

export function registry(
  date: string,
  lines: Array<{ transactionId: string; certificateNumber: string; cost: number }>,
  totals: Partial<{ count: number; cost: number }> = {},
): CertificatesRequest {
  return {
    kind: 'registry',
    date,
    transactions: lines,
    totalCount: totals.count ?? lines.length,
    totalCost: totals.cost ?? lines.reduce((sum, line) => sum + line.cost, 0),
  };
}
