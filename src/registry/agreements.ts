/**
 * The interaction agreement between a state body (or local government) and the operator (Perm rules): number,
 * date and the signed document as a file. Without it such a participant cannot become active; the operator
 * lists who still lacks one. A later agreement replaces the earlier; the audit trail keeps both.
 */
import { createHash } from 'node:crypto';
import { conflict, invalid, notFound } from './errors.js';
import { AgreementInput, parseInput } from './inputs.js';
import { participantRow, seenParticipantRow } from './rows.js';
import { runChange } from './transaction.js';
import { requireRole, type Actor, type RegistryContext, type Trx } from './types.js';

const MAX_FILE = 5 * 1024 * 1024;
/** The first bytes each accepted media type starts with, so a file is what it says it is. */
const MAGIC: Record<string, (file: Buffer) => boolean> = {
  'application/pdf': (f) => f.subarray(0, 5).toString('latin1') === '%PDF-',
  'application/zip': (f) => f.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])),
  // CMS SignedData is a DER SEQUENCE.
  'application/pkcs7-mime': (f) => f[0] === 0x30,
  'application/pkcs7-signature': (f) => f[0] === 0x30,
};

export class Agreements {
  constructor(private readonly ctx: RegistryContext) {}

  async record(actor: Actor, participantId: string, body: unknown) {
    requireRole(actor, 'operator');
    const input = parseInput(AgreementInput, body);
    const file = Buffer.from(input.contentBase64, 'base64');
    if (file.length === 0 || file.length > MAX_FILE)
      throw invalid('contentBase64', 'the document must hold 1 byte to 5 MiB');
    if (!MAGIC[input.mediaType]?.(file))
      throw invalid('contentBase64', `the document is not ${input.mediaType}`);
    const row = {
      participant_id: participantId,
      number: input.number,
      signed_on: input.signedOn,
      file_name: input.fileName,
      media_type: input.mediaType,
      file_sha256: createHash('sha256').update(file).digest('hex'),
      file_base64: file.toString('base64'),
      recorded_by: actor.name,
      recorded_at: this.ctx.clock().getTime(),
    };
    return runChange(this.ctx, actor, 'participant.agreement', 'participant', participantId, async (trx) => {
      const participant = await participantRow(trx, participantId);
      if (participant.status === 'declined' || participant.status === 'withdrawn')
        throw conflict(`the participant is ${participant.status}`);
      const before = await trx
        .selectFrom('participant_agreements')
        .selectAll()
        .where('participant_id', '=', participantId)
        .executeTakeFirst();
      if (before)
        await trx.deleteFrom('participant_agreements').where('participant_id', '=', participantId).execute();
      await trx.insertInto('participant_agreements').values(row).execute();
      return { before: before && present(before), after: present(row), result: present(row) };
    });
  }

  async get(viewer: Actor, participantId: string) {
    const row = await this.row(viewer, participantId);
    return present(row);
  }

  /** The signed document itself. */
  async file(viewer: Actor, participantId: string) {
    const row = await this.row(viewer, participantId);
    return {
      name: row.file_name,
      mediaType: row.media_type,
      content: Buffer.from(row.file_base64, 'base64'),
    };
  }

  /** State bodies and local governments, not declined or withdrawn, with no agreement recorded. */
  async missing() {
    const rows = await this.ctx.db
      .selectFrom('participants as p')
      .leftJoin('participant_agreements as a', 'a.participant_id', 'p.id')
      .select(['p.id', 'p.short_name', 'p.kind', 'p.status', 'p.ogrn'])
      .where('p.kind', 'in', ['state-body', 'local-government'])
      .where('p.status', 'not in', ['declined', 'withdrawn'])
      .where('a.participant_id', 'is', null)
      .orderBy('p.submitted_at')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      shortName: r.short_name,
      kind: r.kind,
      status: r.status,
      ogrn: r.ogrn,
    }));
  }

  async exists(trx: Trx, participantId: string): Promise<boolean> {
    const row = await trx
      .selectFrom('participant_agreements')
      .select('participant_id')
      .where('participant_id', '=', participantId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The agreement of a participant `viewer` may see; of one out of its sight, as of one that does not exist. */
  private async row(viewer: Actor, participantId: string) {
    await seenParticipantRow(this.ctx.db, viewer, participantId);
    const row = await this.ctx.db
      .selectFrom('participant_agreements')
      .selectAll()
      .where('participant_id', '=', participantId)
      .executeTakeFirst();
    if (!row) throw notFound(`the interaction agreement of participant ${participantId}`);
    return row;
  }
}

function present(row: {
  participant_id: string;
  number: string;
  signed_on: string;
  file_name: string;
  media_type: string;
  file_sha256: string;
  recorded_by: string;
  recorded_at: number;
}) {
  return {
    participantId: row.participant_id,
    number: row.number,
    signedOn: row.signed_on,
    fileName: row.file_name,
    mediaType: row.media_type,
    sha256: row.file_sha256,
    recordedBy: row.recorded_by,
    recordedAt: new Date(Number(row.recorded_at)).toISOString(),
  };
}
