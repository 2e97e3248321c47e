/** The signing certificates of a system: checked against the trust store when added, withdrawn by the operator. */
import { X509Certificate } from 'node:crypto';
import { CONTROL_CHARACTER } from '../core/control-characters.js';
import type { TrustStore } from '../signature/pki/trust-store.js';
import { isGatewayFault } from '../core/faults.js';
import { conflict, invalid, notFound } from './errors.js';
import { CertificateInput, parseInput } from './inputs.js';
import { seenSystemRow, systemRow } from './rows.js';
import { runChange } from './transaction.js';
import { requireRole, type Actor, type RegistryContext } from './types.js';

export class Certificates {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly trust: TrustStore,
  ) {}

  async add(actor: Actor, mnemonic: string, body: unknown) {
    requireRole(actor, 'operator');
    const { pem } = parseInput(CertificateInput, body);
    let checked;
    try {
      checked = this.trust.check(pem, this.ctx.clock());
    } catch (error) {
      if (isGatewayFault(error)) throw invalid('pem', `${error.reason ?? error.code}: ${error.message}`);
      throw error;
    }
    // The subject is listed on screens (systems, certificates ending): refused as any other text with them would be.
    // Node writes a name one attribute a line: the line breaks are its own, the attributes are checked.
    const { subject, issuer } = new X509Certificate(checked.pem);
    if ([...subject.split('\n'), ...issuer.split('\n')].some((part) => CONTROL_CHARACTER.test(part))) {
      throw invalid(
        'pem',
        "the certificate's subject or issuer must not contain control characters (C0, C1, DEL, line separators, " +
          'bidirectional overrides); ask the CA for one that names its holder plainly',
      );
    }
    const row = {
      thumbprint: checked.thumbprint,
      subject: checked.subject,
      serial: checked.serial,
      not_before: checked.notBefore.getTime(),
      not_after: checked.notAfter.getTime(),
      pem: checked.pem,
      status: 'active' as const,
      added_at: this.ctx.clock().getTime(),
    };
    return runChange(this.ctx, actor, 'certificate.add', 'certificate', checked.thumbprint, async (trx) => {
      const system = await systemRow(trx, mnemonic);
      if (
        await trx
          .selectFrom('system_certificates')
          .select('thumbprint')
          .where('thumbprint', '=', row.thumbprint)
          .executeTakeFirst()
      ) {
        throw conflict('this certificate is already registered');
      }
      const full = { ...row, system_id: system.id };
      await trx.insertInto('system_certificates').values(full).execute();
      const after = { ...present(full), system: mnemonic };
      return { before: undefined, after, result: after };
    });
  }

  async withdraw(actor: Actor, mnemonic: string, thumbprint: string) {
    requireRole(actor, 'operator');
    return runChange(this.ctx, actor, 'certificate.withdraw', 'certificate', thumbprint, async (trx) => {
      const system = await systemRow(trx, mnemonic);
      const before = await trx
        .selectFrom('system_certificates')
        .selectAll()
        .where('thumbprint', '=', thumbprint)
        .where('system_id', '=', system.id)
        .executeTakeFirst();
      if (!before) throw notFound(`certificate ${thumbprint} of ${mnemonic}`);
      if (before.status !== 'active') throw conflict('the certificate is already withdrawn');
      await trx
        .updateTable('system_certificates')
        .set({ status: 'withdrawn' })
        .where('thumbprint', '=', thumbprint)
        .execute();
      const after = { ...present(before), status: 'withdrawn' };
      return { before: present(before), after, result: after };
    });
  }

  async list(viewer: Actor, mnemonic: string) {
    const system = await seenSystemRow(this.ctx.db, viewer, mnemonic);
    const rows = await this.ctx.db
      .selectFrom('system_certificates')
      .selectAll()
      .where('system_id', '=', system.id)
      .orderBy('added_at')
      .execute();
    return rows.map(present);
  }
}

function present(row: {
  thumbprint: string;
  subject: string;
  serial: string;
  not_before: number;
  not_after: number;
  status: string;
}) {
  return {
    thumbprint: row.thumbprint,
    subject: row.subject,
    serial: row.serial,
    notBefore: new Date(row.not_before).toISOString(),
    notAfter: new Date(row.not_after).toISOString(),
    status: row.status,
  };
}
