/**
 * The store-backed provider of the certificates service.
 *
 * - Status: by number or QR payload; the holder is shown masked only (initials and the last four SNILS digits).
 * - Posting: debits the balance with ONE conditional UPDATE (`balance = balance - cost WHERE balance >= cost`
 *   and the certificate usable today) in the same transaction as the posting insert, so concurrent postings
 *   can never overspend on SQLite or PostgreSQL. Idempotent by (sending organisation, transaction id): the
 *   unique key on the postings table settles races between retries; a retry gets the first answer back, a
 *   retry with other content is a TRANSACTION_CONFLICT. Rejected postings are not remembered.
 * - Daily registry: reconciled against the postings this organisation made that (Moscow) day; the latest
 *   registry for a day replaces the earlier one.
 * - `TestMessage`: every rule runs, nothing is written.
 *
 * Rejection descriptions start with a machine code (`INSUFFICIENT_BALANCE: …`), then say it in Russian, the
 * working language of the regional system.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Logger } from '../../logging/logger.js';
import type { Database } from '../../store/schema.js';
import { isCalendarDate } from '../../identifiers/calendar-date.js';
import { isUniqueViolation } from '../../store/errors.js';
import { inPieces } from '../../store/store.js';
import type {
  CertificatesTables,
  SocialCertificatePostingTable,
  SocialCertificateTable,
} from '../../store/schema-certificates.js';
import {
  ProviderRejection,
  type Provider,
  type ProviderOutcome,
  type ProviderRequest,
  type RejectionCode,
} from '../contract.js';
import type {
  CertificatesAnswer,
  CertificatesRequest,
  DifferingField,
  PostingAnswer,
  PostingRequest,
  RegistryAnswer,
  RegistryLine,
  RegistryRequest,
  StatusAnswer,
  StatusRequest,
} from './codec.js';
import {
  certificateStatus,
  checkCertificateNumber,
  formatRoubles,
  holderDisplay,
  initials,
  maskSnils,
  moscowDate,
  parseQrPayload,
} from './rules.js';

type Db = Kysely<Database & CertificatesTables>;
type Certificate = Selectable<SocialCertificateTable>;
type Posting = Selectable<SocialCertificatePostingTable>;
type Outcome = ProviderOutcome<CertificatesAnswer>;

const refuse = (reason: RejectionCode, code: string, text: string) =>
  new ProviderRejection(reason, code, text);

export class CertificatesProvider implements Provider<CertificatesRequest, CertificatesAnswer> {
  constructor(
    private readonly db: Db,
    private readonly clock: () => Date,
    private readonly log: Logger,
  ) {}

  async handle(request: ProviderRequest<CertificatesRequest>): Promise<Outcome> {
    const body = request.body;
    switch (body.kind) {
      case 'status':
        return this.status(body);
      case 'posting':
        return this.posting(request, body);
      case 'registry':
        return this.registry(request, body);
    }
  }

  private findCertificate(number: string): Promise<Certificate | undefined> {
    return this.db
      .selectFrom('social_certificates')
      .selectAll()
      .where('number', '=', number)
      .executeTakeFirst();
  }

  private findPosting(organisation: string, transactionId: string): Promise<Posting | undefined> {
    return this.db
      .selectFrom('social_certificate_postings')
      .selectAll()
      .where('organisation', '=', organisation)
      .where('transaction_id', '=', transactionId)
      .executeTakeFirst();
  }

  // --- status ---------------------------------------------------------------------------------------------

  private async status(body: StatusRequest): Promise<Outcome> {
    const check =
      body.lookup.by === 'qr' ? parseQrPayload(body.lookup.value) : checkCertificateNumber(body.lookup.value);
    if (!check.ok) throw refuse('UNKNOWN_REQUEST_DESCRIPTION', check.code, check.reason);
    const certificate = await this.findCertificate(check.number);
    if (!certificate) throw notFound(check.number);
    const holderInitials = initials(
      certificate.holder_surname,
      certificate.holder_name,
      certificate.holder_patronymic,
    );
    const holderSnilsMasked = maskSnils(certificate.holder_snils);
    const answer: StatusAnswer = {
      kind: 'status',
      certificateNumber: certificate.number,
      holderInitials,
      holderSnilsMasked,
      holderDisplay: holderDisplay(holderInitials, holderSnilsMasked),
      measureCode: certificate.measure_code,
      measureName: certificate.measure_name,
      nominal: Number(certificate.nominal),
      balance: Number(certificate.balance),
      validFrom: certificate.valid_from,
      validTo: certificate.valid_to,
      status: certificateStatus(certificate, moscowDate(this.clock())),
    };
    return { kind: 'answer', body: answer };
  }

  // --- posting --------------------------------------------------------------------------------------------

  private async posting(
    request: ProviderRequest<CertificatesRequest>,
    body: PostingRequest,
  ): Promise<Outcome> {
    const organisation = request.sender.mnemonic;
    const number = checkCertificateNumber(body.certificateNumber);
    if (!number.ok) throw refuse('UNKNOWN_REQUEST_DESCRIPTION', number.code, number.reason);
    if (
      !Number.isSafeInteger(body.cost) ||
      body.cost <= 0 ||
      !Number.isSafeInteger(body.quantity) ||
      body.quantity <= 0
    ) {
      throw refuse(
        'FAILURE',
        'INVALID_AMOUNT',
        'стоимость и количество работ должны быть целыми положительными числами',
      );
    }

    const earlier = await this.findPosting(organisation, body.transactionId);
    if (earlier) return replay(earlier, body);

    const now = this.clock();
    const today = moscowDate(now);
    const certificate = await this.findCertificate(body.certificateNumber);
    if (!certificate) throw notFound(body.certificateNumber);
    const refusal = postingRefusal(certificate, today, body.cost);
    if (refusal) throw refusal;

    if (request.testMessage) {
      // Every check above ran against live data; nothing is written.
      return {
        kind: 'answer',
        body: postingAnswer(randomUUID(), body, Number(certificate.balance) - body.cost, now),
      };
    }

    const postingId = randomUUID();
    let balanceAfter: number | undefined;
    try {
      balanceAfter = await this.db.transaction().execute(async (trx) => {
        const debited = await trx
          .updateTable('social_certificates')
          .set((eb) => ({ balance: eb('balance', '-', body.cost), updated_at: now.getTime() }))
          .where('number', '=', body.certificateNumber)
          .where('status', '=', 'ACTIVE')
          .where('valid_from', '<=', today)
          .where('valid_to', '>=', today)
          .where('balance', '>=', body.cost)
          .returning('balance')
          .executeTakeFirst();
        if (!debited) return undefined;
        const after = Number(debited.balance);
        await trx
          .insertInto('social_certificate_postings')
          .values({
            id: postingId,
            organisation,
            transaction_id: body.transactionId,
            certificate_number: body.certificateNumber,
            works_name: body.worksName,
            classifier_code: body.classifierCode,
            quantity: body.quantity,
            cost: body.cost,
            balance_after: after,
            posted_at: now.getTime(),
            posted_day: today,
            message_id: request.messageId,
          })
          .execute();
        return after;
      });
    } catch (error) {
      // A concurrent retry with the same transaction id won the unique key; our debit was rolled back.
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.findPosting(organisation, body.transactionId);
      if (!winner) throw error;
      return replay(winner, body);
    }

    if (balanceAfter === undefined) {
      // The certificate changed between the read and the debit (a concurrent posting, a block): say why now.
      const fresh = await this.findCertificate(body.certificateNumber);
      if (!fresh) throw notFound(body.certificateNumber);
      throw (
        postingRefusal(fresh, today, body.cost) ??
        refuse(
          'FAILURE',
          'INSUFFICIENT_BALANCE',
          `остаток сертификата меньше стоимости работ ${formatRoubles(body.cost)}`,
        )
      );
    }
    this.log.info('certificate posting accepted', {
      organisation,
      transactionId: body.transactionId,
      certificate: body.certificateNumber,
      cost: body.cost,
      balanceAfter,
    });
    return { kind: 'answer', body: postingAnswer(postingId, body, balanceAfter, now) };
  }

  // --- daily registry -------------------------------------------------------------------------------------

  private async registry(
    request: ProviderRequest<CertificatesRequest>,
    body: RegistryRequest,
  ): Promise<Outcome> {
    const organisation = request.sender.mnemonic;
    const now = this.clock();
    if (!isCalendarDate(body.date)) {
      throw refuse(
        'UNKNOWN_REQUEST_DESCRIPTION',
        'REGISTRY_DATE_INVALID',
        `дата реестра ${body.date} не является датой ГГГГ-ММ-ДД`,
      );
    }
    if (body.date > moscowDate(now)) {
      throw refuse(
        'FAILURE',
        'REGISTRY_DATE_IN_FUTURE',
        `реестр за ${body.date} нельзя направить раньше этого дня`,
      );
    }
    const seen = new Set<string>();
    for (const line of body.transactions) {
      if (seen.has(line.transactionId)) {
        throw refuse(
          'FAILURE',
          'REGISTRY_DUPLICATE_TRANSACTION',
          `транзакция ${line.transactionId} указана в реестре дважды`,
        );
      }
      seen.add(line.transactionId);
    }
    const listedTotal = body.transactions.reduce((sum, line) => sum + line.cost, 0);
    if (body.totalCount !== body.transactions.length || body.totalCost !== listedTotal) {
      throw refuse(
        'FAILURE',
        'REGISTRY_TOTALS_MISMATCH',
        `итоги реестра (${body.totalCount} транзакций на ${formatRoubles(body.totalCost)}) не совпадают с его строками ` +
          `(${body.transactions.length} транзакций на ${formatRoubles(listedTotal)})`,
      );
    }

    const postings = await this.db
      .selectFrom('social_certificate_postings')
      .select(['transaction_id', 'certificate_number', 'cost', 'posted_at'])
      .where('organisation', '=', organisation)
      .where('posted_day', '=', body.date)
      .orderBy('posted_at')
      .orderBy('transaction_id')
      .execute();
    const atGateway = new Map(
      postings.map((p) => [
        p.transaction_id,
        { transactionId: p.transaction_id, certificateNumber: p.certificate_number, cost: Number(p.cost) },
      ]),
    );

    const missing = [...atGateway.values()].filter((p) => !seen.has(p.transactionId));
    const unknown: RegistryLine[] = [];
    const differing: Array<{ transactionId: string; fields: DifferingField[] }> = [];
    for (const line of body.transactions) {
      const posted = atGateway.get(line.transactionId);
      if (!posted) {
        unknown.push(line);
        continue;
      }
      const fields: DifferingField[] = [];
      if (posted.certificateNumber !== line.certificateNumber) {
        fields.push({
          name: 'CertificateNumber',
          inRegistry: line.certificateNumber,
          atGateway: posted.certificateNumber,
        });
      }
      if (posted.cost !== line.cost)
        fields.push({ name: 'Cost', inRegistry: String(line.cost), atGateway: String(posted.cost) });
      if (fields.length > 0) differing.push({ transactionId: line.transactionId, fields });
    }
    const postedElsewhen = await this.postedDays(
      organisation,
      unknown.map((line) => line.transactionId),
    );
    const extra = unknown.map((line) => {
      const day = postedElsewhen.get(line.transactionId);
      return day ? { ...line, postedOn: day } : line;
    });

    const result =
      missing.length === 0 && extra.length === 0 && differing.length === 0 ? 'MATCHED' : 'MISMATCHED';
    const registryId = randomUUID();
    const replaced = request.testMessage
      ? (await this.findRegistry(organisation, body.date)) !== undefined
      : await this.storeRegistry(registryId, organisation, request.messageId, now, body, result);

    const answer: RegistryAnswer = {
      kind: 'registry',
      registryId,
      date: body.date,
      result,
      replaced,
      late: body.date < moscowDate(now),
      registryCount: body.transactions.length,
      registryTotal: listedTotal,
      gatewayCount: postings.length,
      gatewayTotal: postings.reduce((sum, p) => sum + Number(p.cost), 0),
      missing,
      extra,
      differing,
    };
    return { kind: 'answer', body: answer };
  }

  /** The days on which this organisation posted the given transactions (for registry lines on the wrong day). */
  private async postedDays(
    organisation: string,
    transactionIds: readonly string[],
  ): Promise<Map<string, string>> {
    const days = new Map<string, string>();
    for (const ids of inPieces(transactionIds)) {
      const rows = await this.db
        .selectFrom('social_certificate_postings')
        .select(['transaction_id', 'posted_day'])
        .where('organisation', '=', organisation)
        .where('transaction_id', 'in', ids)
        .execute();
      for (const row of rows) days.set(row.transaction_id, row.posted_day);
    }
    return days;
  }

  private findRegistry(organisation: string, day: string) {
    return this.db
      .selectFrom('social_certificate_registries')
      .select(['id'])
      .where('organisation', '=', organisation)
      .where('registry_day', '=', day)
      .executeTakeFirst();
  }

  /**
   * Stores the registry, replacing an earlier one for the same day; true when it replaced one. The header is
   * upserted first, so on PostgreSQL a concurrent registry for the same day waits on that row until this
   * transaction ends, and on SQLite transactions run one at a time anyway.
   */
  private async storeRegistry(
    submissionId: string,
    organisation: string,
    messageId: string,
    now: Date,
    body: RegistryRequest,
    result: 'MATCHED' | 'MISMATCHED',
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const header = {
        submission_id: submissionId,
        message_id: messageId,
        received_at: now.getTime(),
        result,
        line_count: body.transactions.length,
        total_cost: body.totalCost,
      };
      const row = await trx
        .insertInto('social_certificate_registries')
        .values({ id: randomUUID(), organisation, registry_day: body.date, replacements: 0, ...header })
        .onConflict((oc) =>
          oc.columns(['organisation', 'registry_day']).doUpdateSet((eb) => ({
            ...header,
            replacements: eb('social_certificate_registries.replacements', '+', 1),
          })),
        )
        .returning(['id', 'replacements'])
        .executeTakeFirstOrThrow();
      await trx.deleteFrom('social_certificate_registry_lines').where('registry_id', '=', row.id).execute();
      for (const lines of inPieces(body.transactions)) {
        await trx
          .insertInto('social_certificate_registry_lines')
          .values(
            lines.map((line) => ({
              registry_id: row.id,
              transaction_id: line.transactionId,
              certificate_number: line.certificateNumber,
              cost: line.cost,
            })),
          )
          .execute();
      }
      return Number(row.replacements) > 0;
    });
  }
}

function notFound(number: string): ProviderRejection {
  return refuse('NO_DATA', 'CERTIFICATE_NOT_FOUND', `электронный сертификат № ${number} не найден`);
}

/** Why a certificate cannot take a posting of `cost` today, or undefined when it can. */
export function postingRefusal(
  certificate: Certificate,
  today: string,
  cost: number,
): ProviderRejection | undefined {
  const number = certificate.number;
  if (certificate.status === 'BLOCKED') {
    return refuse('ACCESS_DENIED', 'CERTIFICATE_BLOCKED', `электронный сертификат № ${number} заблокирован`);
  }
  if (certificate.valid_to < today) {
    return refuse(
      'FAILURE',
      'CERTIFICATE_EXPIRED',
      `срок действия сертификата № ${number} истёк ${certificate.valid_to}`,
    );
  }
  if (certificate.valid_from > today) {
    return refuse(
      'FAILURE',
      'CERTIFICATE_NOT_YET_VALID',
      `сертификат № ${number} действует с ${certificate.valid_from}`,
    );
  }
  const balance = Number(certificate.balance);
  if (balance <= 0) {
    return refuse(
      'FAILURE',
      'CERTIFICATE_EXHAUSTED',
      `средства сертификата № ${number} израсходованы полностью`,
    );
  }
  if (balance < cost) {
    return refuse(
      'FAILURE',
      'INSUFFICIENT_BALANCE',
      `остаток сертификата № ${number} (${formatRoubles(balance)}) меньше стоимости работ (${formatRoubles(cost)})`,
    );
  }
  return undefined;
}

/** A retry: the first answer when the content is the same, a conflict when it is not. */
function replay(posting: Posting, body: PostingRequest): Outcome {
  const differences = [
    posting.certificate_number !== body.certificateNumber ? 'CertificateNumber' : undefined,
    posting.works_name !== body.worksName ? 'WorksName' : undefined,
    posting.classifier_code !== body.classifierCode ? 'ClassifierCode' : undefined,
    Number(posting.quantity) !== body.quantity ? 'Quantity' : undefined,
    Number(posting.cost) !== body.cost ? 'Cost' : undefined,
  ].filter((name): name is string => name !== undefined);
  if (differences.length > 0) {
    throw refuse(
      'FAILURE',
      'TRANSACTION_CONFLICT',
      `транзакция ${body.transactionId} уже проведена с другими данными (различаются: ${differences.join(', ')})`,
    );
  }
  return {
    kind: 'answer',
    body: postingAnswer(posting.id, body, Number(posting.balance_after), new Date(Number(posting.posted_at))),
  };
}

function postingAnswer(
  postingId: string,
  body: PostingRequest,
  balanceAfter: number,
  postedAt: Date,
): PostingAnswer {
  return {
    kind: 'posting',
    postingId,
    transactionId: body.transactionId,
    certificateNumber: body.certificateNumber,
    cost: body.cost,
    balanceAfter,
    postedAt,
  };
}
