/**
 * Tables of the certificates service (electronic certificates for social support) and the sample certificates
 * a fresh install answers for, so that examples/certificates/ works out of the box.
 *
 * - social_certificates: the issued certificates; the balance never goes below zero nor above the nominal
 *   value (check constraint), whatever a query does.
 * - social_certificate_postings: accepted postings of works; (organisation, transaction_id) is unique, which
 *   makes a posting idempotent per sending organisation.
 * - social_certificate_registries / _lines: the latest daily registry per organisation and day: one row per
 *   (organisation, day), upserted, so concurrent registries for one day serialise on that row.
 */
import { sql, type Kysely, type Migration } from 'kysely';

/** The sample certificates (numbers carry a Luhn digit; SNILS numbers carry their control number). */
export const SAMPLE_CERTIFICATES = [
  {
    number: '470000000013',
    holder_surname: 'Иванов',
    holder_name: 'Иван',
    holder_patronymic: 'Петрович',
    holder_snils: '11223344595',
    measure_code: 'HOUSING_REPAIR',
    measure_name: 'Ремонт жилого помещения',
    nominal: 15_000_000,
    balance: 15_000_000,
    valid_from: '2026-01-01',
    valid_to: '2030-12-31',
    status: 'ACTIVE',
  },
  {
    number: '470000000021',
    holder_surname: 'Петрова',
    holder_name: 'Мария',
    holder_patronymic: 'Сергеевна',
    holder_snils: '12345674552',
    measure_code: 'REHAB_MEANS',
    measure_name: 'Обеспечение техническими средствами реабилитации',
    nominal: 3_000_000,
    balance: 1_250_050,
    valid_from: '2026-01-01',
    valid_to: '2030-12-31',
    status: 'ACTIVE',
  },
  {
    number: '470000000039',
    holder_surname: 'Сидоров',
    holder_name: 'Алексей',
    holder_patronymic: null,
    holder_snils: '98765434591',
    measure_code: 'HOUSING_REPAIR',
    measure_name: 'Ремонт жилого помещения',
    nominal: 5_000_000,
    balance: 500_000,
    valid_from: '2024-01-01',
    valid_to: '2025-12-31',
    status: 'ACTIVE',
  },
  {
    number: '470000000047',
    holder_surname: 'Кузнецова',
    holder_name: 'Ольга',
    holder_patronymic: 'Викторовна',
    holder_snils: '55566674542',
    measure_code: 'REHAB_MEANS',
    measure_name: 'Обеспечение техническими средствами реабилитации',
    nominal: 2_000_000,
    balance: 0,
    valid_from: '2026-01-01',
    valid_to: '2030-12-31',
    status: 'ACTIVE',
  },
  {
    number: '470000000054',
    holder_surname: 'Смирнов',
    holder_name: 'Дмитрий',
    holder_patronymic: 'Андреевич',
    holder_snils: '24681354584',
    measure_code: 'HOUSING_REPAIR',
    measure_name: 'Ремонт жилого помещения',
    nominal: 1_000_000,
    balance: 800_000,
    valid_from: '2026-01-01',
    valid_to: '2030-12-31',
    status: 'BLOCKED',
  },
  {
    number: '470000000062',
    holder_surname: 'Морозов',
    holder_name: 'Николай',
    holder_patronymic: 'Иванович',
    holder_snils: '13579244587',
    measure_code: 'REHAB_MEANS',
    measure_name: 'Обеспечение техническими средствами реабилитации',
    nominal: 5_000_000,
    balance: 5_000_000,
    valid_from: '2026-01-01',
    valid_to: '2030-12-31',
    status: 'ACTIVE',
  },
] as const;

/** When the samples were issued (2026-01-01T00:00:00+03:00), so a fresh install seeds the same rows. */
const SAMPLES_ISSUED_AT = Date.UTC(2025, 11, 31, 21, 0, 0);

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('social_certificates')
      .addColumn('number', 'varchar(12)', (c) => c.primaryKey())
      .addColumn('holder_surname', 'varchar(100)', (c) => c.notNull())
      .addColumn('holder_name', 'varchar(100)', (c) => c.notNull())
      .addColumn('holder_patronymic', 'varchar(100)')
      .addColumn('holder_snils', 'varchar(11)', (c) => c.notNull())
      .addColumn('measure_code', 'varchar(32)', (c) => c.notNull())
      .addColumn('measure_name', 'varchar(500)', (c) => c.notNull())
      .addColumn('nominal', 'bigint', (c) => c.notNull())
      .addColumn('balance', 'bigint', (c) => c.notNull())
      .addColumn('valid_from', 'varchar(10)', (c) => c.notNull())
      .addColumn('valid_to', 'varchar(10)', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('issued_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addCheckConstraint('social_certificates_balance', sql`balance >= 0 and balance <= nominal`)
      .addCheckConstraint('social_certificates_status', sql`status in ('ACTIVE', 'BLOCKED')`)
      .execute();

    await db.schema
      .createTable('social_certificate_postings')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('organisation', 'varchar(50)', (c) => c.notNull())
      .addColumn('transaction_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('certificate_number', 'varchar(12)', (c) =>
        c.notNull().references('social_certificates.number'),
      )
      .addColumn('works_name', 'varchar(500)', (c) => c.notNull())
      .addColumn('classifier_code', 'varchar(32)', (c) => c.notNull())
      .addColumn('quantity', 'bigint', (c) => c.notNull())
      .addColumn('cost', 'bigint', (c) => c.notNull())
      .addColumn('balance_after', 'bigint', (c) => c.notNull())
      .addColumn('posted_at', 'bigint', (c) => c.notNull())
      .addColumn('posted_day', 'varchar(10)', (c) => c.notNull())
      .addColumn('message_id', 'varchar(36)', (c) => c.notNull())
      .addUniqueConstraint('social_certificate_postings_transaction', ['organisation', 'transaction_id'])
      .addCheckConstraint('social_certificate_postings_cost', sql`cost > 0`)
      .execute();
    await db.schema
      .createIndex('social_certificate_postings_day')
      .on('social_certificate_postings')
      .columns(['organisation', 'posted_day'])
      .execute();
    await db.schema
      .createIndex('social_certificate_postings_certificate')
      .on('social_certificate_postings')
      .column('certificate_number')
      .execute();

    await db.schema
      .createTable('social_certificate_registries')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('organisation', 'varchar(50)', (c) => c.notNull())
      .addColumn('registry_day', 'varchar(10)', (c) => c.notNull())
      .addColumn('submission_id', 'varchar(36)', (c) => c.notNull().unique())
      .addColumn('message_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('result', 'varchar(16)', (c) => c.notNull())
      .addColumn('line_count', 'integer', (c) => c.notNull())
      .addColumn('total_cost', 'bigint', (c) => c.notNull())
      .addColumn('replacements', 'integer', (c) => c.notNull())
      .addUniqueConstraint('social_certificate_registries_day', ['organisation', 'registry_day'])
      .execute();
    await db.schema
      .createTable('social_certificate_registry_lines')
      .addColumn('registry_id', 'varchar(36)', (c) =>
        c.notNull().references('social_certificate_registries.id').onDelete('cascade'),
      )
      .addColumn('transaction_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('certificate_number', 'varchar(12)', (c) => c.notNull())
      .addColumn('cost', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('social_certificate_registry_lines_pk', ['registry_id', 'transaction_id'])
      .execute();

    await db
      .insertInto('social_certificates' as never)
      .values(
        SAMPLE_CERTIFICATES.map((certificate) => ({
          ...certificate,
          issued_at: SAMPLES_ISSUED_AT,
          updated_at: SAMPLES_ISSUED_AT,
        })) as never,
      )
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('social_certificate_registry_lines').execute();
    await db.schema.dropTable('social_certificate_registries').execute();
    await db.schema.dropTable('social_certificate_postings').execute();
    await db.schema.dropTable('social_certificates').execute();
  },
};
