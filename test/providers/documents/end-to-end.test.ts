/**
 * The documents service through the real endpoint, on SQLite and PostgreSQL: an issuing system publishes a
 * document it signed, the subject's portal opens access, a third party presents the QR code or short code, and
 * anyone checks authenticity. Expired, closed, revoked, replaced, forged, unknown and brute-forced codes are refused
 * with their own codes; the IIN is never in the store in plain.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readCallAnswer, type CallAnswer } from '../../../src/client/answer.js';
import { DOCUMENTS_NS } from '../../../src/providers/documents/index.js';
import type { DocumentsTables } from '../../../src/store/schema-documents.js';
import { loadTrustStore } from '../../../src/signature/setup.js';
import { signDetached } from '../../../src/signature/xml-signature.js';
import { post, sampleKey, signedCall, useGateway } from '../../support/gateway.js';
import { STORES } from '../../support/store.js';
import { startSmsSink, type SmsSink } from '../../support/sms-sink.js';

const TYPES_1_1 = 'urn://x-artefacts-smev-gov-ru/services/message-exchange/types/1.1';
const ISSUER = 'SOCPROTECT_47';
const PORTAL = 'PORTAL_26';
const THIRD = 'DEMO_CONSUMER';
const OTHER = 'SOCCARD_28';
const IIN = '870412300517';
/** A child of the subject's (for the legal representative test). */
const CHILD_IIN = '150101600123';

/** A document signed by `system` as an issuing system signs it: d:Document and the PersonalSignature beside it. */
export function signedDocument(type: string, content: string, system = ISSUER): string {
  const xml =
    `<d:SignedDocument xmlns:d="${DOCUMENTS_NS}"><d:Document Id="doc-1"><d:Type>${type}</d:Type>` +
    `<d:Content>${content}</d:Content></d:Document>` +
    `<t:PersonalSignature xmlns:t="${TYPES_1_1}"/></d:SignedDocument>`;
  return signDetached(xml, 'doc-1', 'PersonalSignature', sampleKey(system));
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const wrap = (name: string, inner: string) => `<d:${name} xmlns:d="${DOCUMENTS_NS}">${inner}</d:${name}>`;
const field = (payload: string | undefined, name: string) =>
  new RegExp(`<${name}>([^<]*)</${name}>`).exec(payload ?? '')?.[1];

for (const store of STORES) {
  describe(`documents service end to end (${store})`, () => {
    let now = Date.now();
    let sms: SmsSink;
    let messages: SmsSink['messages'] = [];

    before(async () => {
      sms = await startSmsSink();
      ({ messages } = sms);
    });
    const gateway = useGateway(() => ({
      store,
      serviceClock: () => new Date(now),
      overrides: {
        'services.documents': {
          maxWrongCodes: 4,
          maxFailuresPerCode: 2,
          financialOrganisations: [OTHER],
          representationSources: [ISSUER],
          notifier: { kind: 'http', url: sms.url, timeoutMs: 2000 },
        },
      },
    }));
    after(() => sms.close());

    async function call(
      payload: string,
      system: string,
    ): Promise<CallAnswer & { kind: 'answer' | 'rejected' }> {
      const response = await post(gateway, signedCall({ system, payload }).xml);
      const answer = readCallAnswer(response.body, loadTrustStore(gateway.config));
      if (answer.kind === 'fault') throw new Error(`fault ${answer.code}: ${answer.message}`);
      return answer;
    }

    async function refused(payload: string, system: string, code: string): Promise<void> {
      const answer = await call(payload, system);
      expect(answer.kind, answer.payload).to.equal('rejected');
      expect(answer.rejection?.description).to.match(new RegExp(`^${code}: [а-яёa-z]`, 'i'));
    }

    async function publish(number: string, signed: string, iin = IIN): Promise<string> {
      const answer = await call(
        wrap(
          'PublishDocumentRequest',
          `<d:Publish><d:DocumentNumber>${number}</d:DocumentNumber><d:Iin>${iin}</d:Iin>` +
            `<d:SignedDocument>${b64(signed)}</d:SignedDocument></d:Publish>`,
        ),
        ISSUER,
      );
      expect(answer.kind, answer.rejection?.description).to.equal('answer');
      return field(answer.payload, 'DocumentId') ?? '';
    }

    async function openAccess(documentId: string, extra = '') {
      const answer = await call(
        wrap('OpenAccessRequest', `<d:Iin>${IIN}</d:Iin><d:DocumentId>${documentId}</d:DocumentId>${extra}`),
        PORTAL,
      );
      expect(answer.kind, answer.rejection?.description).to.equal('answer');
      return {
        accessId: field(answer.payload, 'AccessId') ?? '',
        qr: field(answer.payload, 'QrCode') ?? '',
        code: field(answer.payload, 'ShortCode') ?? '',
      };
    }

    const present = (inner: string, system = THIRD) => call(wrap('PresentDocumentRequest', inner), system);
    const byQr = (qr: string) => `<d:QrCode>${qr}</d:QrCode>`;
    const byCode = (code: string) => `<d:ShortCode>${code}</d:ShortCode>`;

    it('publishes a signed document, opens access, shows it by QR code and by short code with the issuer signature', async () => {
      const signed = signedDocument('DRIVING_LICENCE', '<d:Category>B</d:Category>');
      const documentId = await publish('DL-0001', signed);
      // The same Publish again is answered the same.
      expect(await publish('DL-0001', signed)).to.equal(documentId);

      const list = await call(wrap('ListDocumentsRequest', `<d:Iin>${IIN}</d:Iin>`), PORTAL);
      expect(field(list.payload, 'DocumentId')).to.equal(documentId);
      expect(field(list.payload, 'Status')).to.equal('VALID');
      expect(list.payload).not.to.contain('Category');

      const access = await openAccess(documentId, `<d:Viewer>${THIRD}</d:Viewer>`);
      expect(access.qr).to.match(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect(access.code).to.match(/^[0-9]{6}$/);
      const token = (
        JSON.parse(Buffer.from(access.qr.split('.')[0] ?? '', 'base64url').toString()) as { t: string }
      ).t;
      expect(Buffer.from(token, 'base64url')).to.have.length(16);

      for (const credential of [byQr(access.qr), byCode(access.code)]) {
        const shown = await present(credential);
        expect(shown.kind, shown.rejection?.description).to.equal('answer');
        expect(field(shown.payload, 'Issuer')).to.equal(ISSUER);
        expect(field(shown.payload, 'Type')).to.equal('DRIVING_LICENCE');
        expect(field(shown.payload, 'IssuerSignatureValid')).to.equal('true');
        expect(Buffer.from(field(shown.payload, 'SignedDocument') ?? '', 'base64').toString()).to.equal(
          signed,
        );
      }

      // Only the named third party; two refusals by others lock the code.
      await refused(wrap('PresentDocumentRequest', byCode(access.code)), OTHER, 'VIEWER_NOT_ALLOWED');
      await refused(wrap('PresentDocumentRequest', byCode(access.code)), OTHER, 'VIEWER_NOT_ALLOWED');
      await refused(wrap('PresentDocumentRequest', byCode(access.code)), THIRD, 'CODE_LOCKED');

      // View marks: the subject's portal sees every attempt on the document, a third party only its own.
      const marks = await call(
        wrap('ViewMarksRequest', `<d:Iin>${IIN}</d:Iin><d:DocumentId>${documentId}</d:DocumentId>`),
        PORTAL,
      );
      const seen = [
        ...(marks.payload ?? '').matchAll(/<Viewer>([^<]+)<\/Viewer>.*?<Result>([^<]+)<\/Result>/g),
      ]
        .map((m) => `${m[1]}:${m[2]}`)
        .sort();
      // The service clock stands still here, so the marks share one time: compared as a set.
      expect(seen).to.deep.equal(
        [
          `${THIRD}:SHOWN`,
          `${THIRD}:SHOWN`,
          `${OTHER}:VIEWER_NOT_ALLOWED`,
          `${OTHER}:VIEWER_NOT_ALLOWED`,
          `${THIRD}:CODE_LOCKED`,
        ].sort(),
      );
      const own = await call(wrap('ViewMarksRequest', ''), OTHER);
      expect(own.payload).to.contain('VIEWER_NOT_ALLOWED');
      expect(own.payload).not.to.contain(`<Viewer>${THIRD}</Viewer>`);
    });

    it('refuses a document whose signature does not verify, is not the sender’s, or carries the IIN', async () => {
      const tampered = signedDocument('ID_CARD', '<d:Name>A</d:Name>').replace('<d:Name>A<', '<d:Name>B<');
      const publishOf = (number: string, signed: string) =>
        wrap(
          'PublishDocumentRequest',
          `<d:Publish><d:DocumentNumber>${number}</d:DocumentNumber><d:Iin>${IIN}</d:Iin>` +
            `<d:SignedDocument>${b64(signed)}</d:SignedDocument></d:Publish>`,
        );
      await refused(publishOf('ID-1', tampered), ISSUER, 'ISSUER_SIGNATURE_INVALID');
      await refused(publishOf('ID-2', signedDocument('ID_CARD', 'x', OTHER)), ISSUER, 'SIGNER_NOT_ISSUER');
      await refused(
        publishOf('ID-3', signedDocument('ID_CARD', `<d:Iin>${IIN}</d:Iin>`)),
        ISSUER,
        'IIN_IN_DOCUMENT',
      );
      await refused(publishOf('ID-4', '<x/>'), ISSUER, 'DOCUMENT_MALFORMED');
      // A replacement is checked against the subject's hash too, though its request names no IIN.
      await publish('ID-5', signedDocument('ID_CARD', 'five'));
      await refused(
        wrap(
          'PublishDocumentRequest',
          `<d:Replace><d:DocumentNumber>ID-5</d:DocumentNumber><d:NewDocumentNumber>ID-6</d:NewDocumentNumber>` +
            `<d:SignedDocument>${b64(signedDocument('ID_CARD', `<d:Holder>0${IIN}</d:Holder>`))}</d:SignedDocument></d:Replace>`,
        ),
        ISSUER,
        'IIN_IN_DOCUMENT',
      );
    });

    it('refuses expired, closed, revoked, replaced, forged and unknown codes, each with its own code', async () => {
      const first = await publish('DIPLOMA-1', signedDocument('DIPLOMA', 'first'));
      const expiring = await openAccess(first, '<d:Minutes>5</d:Minutes>');
      const closing = await openAccess(first);
      const revoking = await openAccess(first);

      now += 6 * 60_000;
      await refused(wrap('PresentDocumentRequest', byQr(expiring.qr)), THIRD, 'CODE_EXPIRED');
      // After expiry the check still tells issuer and status, without the content.
      const checked = await call(wrap('CheckDocumentRequest', byCode(expiring.code)), OTHER);
      expect(field(checked.payload, 'Status')).to.equal('VALID');
      expect(field(checked.payload, 'AccessOpen')).to.equal('false');
      expect(field(checked.payload, 'IssuerSignatureValid')).to.equal('true');
      expect(checked.payload).not.to.contain('SignedDocument');

      const closed = await call(
        wrap('CloseAccessRequest', `<d:Iin>${IIN}</d:Iin><d:AccessId>${closing.accessId}</d:AccessId>`),
        PORTAL,
      );
      expect(closed.kind).to.equal('answer');
      await refused(wrap('PresentDocumentRequest', byCode(closing.code)), THIRD, 'ACCESS_CLOSED');

      const replaced = await call(
        wrap(
          'PublishDocumentRequest',
          `<d:Replace><d:DocumentNumber>DIPLOMA-1</d:DocumentNumber><d:NewDocumentNumber>DIPLOMA-2</d:NewDocumentNumber>` +
            `<d:SignedDocument>${b64(signedDocument('DIPLOMA', 'second'))}</d:SignedDocument></d:Replace>`,
        ),
        ISSUER,
      );
      expect(replaced.kind, replaced.rejection?.description).to.equal('answer');
      await refused(wrap('PresentDocumentRequest', byCode(revoking.code)), THIRD, 'DOCUMENT_REPLACED');
      const second = field(replaced.payload, 'DocumentId') ?? '';
      const access = await openAccess(second);
      const revoked = await call(
        wrap('PublishDocumentRequest', '<d:Revoke><d:DocumentNumber>DIPLOMA-2</d:DocumentNumber></d:Revoke>'),
        ISSUER,
      );
      expect(field(revoked.payload, 'Status')).to.equal('REVOKED');
      await refused(wrap('PresentDocumentRequest', byQr(access.qr)), THIRD, 'DOCUMENT_REVOKED');
      const check = await call(wrap('CheckDocumentRequest', byQr(access.qr)), THIRD);
      expect(field(check.payload, 'Status')).to.equal('REVOKED');
      await refused(
        wrap('OpenAccessRequest', `<d:Iin>${IIN}</d:Iin><d:DocumentId>${second}</d:DocumentId>`),
        PORTAL,
        'DOCUMENT_REVOKED',
      );

      // A QR string whose signature is not the gateway's.
      const [payload] = access.qr.split('.');
      await refused(
        wrap('PresentDocumentRequest', byQr(`${payload}.${'A'.repeat(342)}`)),
        OTHER,
        'CODE_FORGED',
      );
    });

    it('a financial organisation sees an identity document only through a desk access', async () => {
      const id = await publish('ID-CARD-1', signedDocument('ID_CARD', 'id'));
      const remote = await openAccess(id, `<d:Viewer>${OTHER}</d:Viewer>`);
      await refused(wrap('PresentDocumentRequest', byCode(remote.code)), OTHER, 'IDENTITY_IN_PERSON_ONLY');
      await refused(
        wrap(
          'OpenAccessRequest',
          `<d:Iin>${IIN}</d:Iin><d:DocumentId>${id}</d:DocumentId><d:Desk>true</d:Desk>`,
        ),
        PORTAL,
        'DESK_NEEDS_VIEWER',
      );
      await refused(
        wrap(
          'OpenAccessRequest',
          `<d:Iin>${IIN}</d:Iin><d:DocumentId>${id}</d:DocumentId><d:Viewer>NO_SUCH_SYSTEM</d:Viewer>`,
        ),
        PORTAL,
        'VIEWER_UNKNOWN',
      );
      const desk = await openAccess(id, `<d:Viewer>${OTHER}</d:Viewer><d:Desk>true</d:Desk>`);
      const shown = await present(byQr(desk.qr), OTHER);
      expect(shown.kind, shown.rejection?.description).to.equal('answer');
      // Other third parties are not financial organisations: an ordinary access shows them the document.
      expect((await present(byCode((await openAccess(id)).code))).kind).to.equal('answer');
    });

    it("a child's documents are open to a legal representative while the representation lasts", async () => {
      const child = CHILD_IIN;
      const representation = (action: string, inner: string, system = ISSUER) =>
        call(
          wrap(
            'RepresentationRequest',
            `<d:${action}><d:ChildIin>${child}</d:ChildIin><d:RepresentativeIin>${IIN}</d:RepresentativeIin>${inner}</d:${action}>`,
          ),
          system,
        );
      const refusedSource = await representation('Set', '<d:Until>2033-01-01</d:Until>', PORTAL);
      expect(refusedSource.rejection?.description).to.match(/^REPRESENTATION_SOURCE_NOT_ALLOWED: /);
      const set = await representation('Set', '<d:Until>2033-01-01</d:Until>');
      expect(field(set.payload, 'Status'), set.rejection?.description).to.equal('ACTIVE');

      const id = await publish('BIRTH-1', signedDocument('BIRTH_CERTIFICATE', 'b'), child);
      const list = await call(wrap('ListDocumentsRequest', `<d:Iin>${IIN}</d:Iin>`), PORTAL);
      expect(list.payload).to.contain(`<DocumentId>${id}</DocumentId>`);
      expect(list.payload).to.match(new RegExp(`<DocumentId>${id}</DocumentId>.*?<ForChild>true</ForChild>`));
      const access = await openAccess(id);
      expect(field((await present(byCode(access.code))).payload, 'Type')).to.equal('BIRTH_CERTIFICATE');

      const ended = await representation('End', '');
      expect(field(ended.payload, 'Status')).to.equal('ENDED');
      const after = await call(wrap('ListDocumentsRequest', `<d:Iin>${IIN}</d:Iin>`), PORTAL);
      expect(after.payload).not.to.contain(id);
      await refused(
        wrap('OpenAccessRequest', `<d:Iin>${IIN}</d:Iin><d:DocumentId>${id}</d:DocumentId>`),
        PORTAL,
        'DOCUMENT_NOT_FOUND',
      );
    });

    it("with the subject's phone, access opens only after the subject confirms the one-time SMS code", async () => {
      const id = await publish('RESIDENCE-1', signedDocument('RESIDENCE_PERMIT', 'r'));
      const opened = await call(
        wrap(
          'OpenAccessRequest',
          `<d:Iin>${IIN}</d:Iin><d:DocumentId>${id}</d:DocumentId><d:Viewer>${THIRD}</d:Viewer><d:Phone>+77011234567</d:Phone>`,
        ),
        PORTAL,
      );
      expect(opened.kind, opened.rejection?.description).to.equal('answer');
      expect(opened.payload).to.contain('<ConsentCodeExpiresAt>').and.not.to.contain('QrCode');
      const accessId = field(opened.payload, 'AccessId') ?? '';
      expect(messages.at(-1)?.phone).to.equal('+77011234567');
      expect(messages.at(-1)?.text).not.to.contain(IIN);
      const code = /\b([0-9]{6})\b/.exec(messages.at(-1)?.text ?? '')?.[1] ?? '';
      const confirm = (smsCode: string) =>
        call(
          wrap(
            'ConfirmAccessRequest',
            `<d:Iin>${IIN}</d:Iin><d:AccessId>${accessId}</d:AccessId><d:SmsCode>${smsCode}</d:SmsCode>`,
          ),
          PORTAL,
        );
      const wrongCode = code === '000000' ? '000001' : '000000';
      const wrong = await confirm(wrongCode);
      expect(wrong.rejection?.description).to.match(/^CONSENT_CODE_WRONG: /);
      const confirmed = await confirm(code);
      expect(confirmed.kind, confirmed.rejection?.description).to.equal('answer');
      const qr = field(confirmed.payload, 'QrCode') ?? '';
      const shown = await present(byQr(qr));
      expect(field(shown.payload, 'Type')).to.equal('RESIDENCE_PERMIT');
      expect((await confirm(code)).rejection?.description).to.match(/^CONSENT_CODE_EXPIRED: /);
    });

    it('locks a third party that tries short codes, and records every attempt', async () => {
      const id = await publish('PASSPORT-1', signedDocument('PASSPORT', 'p'));
      const access = await openAccess(id);
      const wrongCodes = ['000000', '111111', '222222', '333333', '444444'].filter((c) => c !== access.code);
      // OTHER already has one forged QR counted; three more wrong codes reach the limit of four.
      for (const code of wrongCodes.slice(0, 3))
        await refused(wrap('PresentDocumentRequest', byCode(code)), OTHER, 'CODE_UNKNOWN');
      await refused(wrap('PresentDocumentRequest', byCode(access.code)), OTHER, 'VIEWER_LOCKED');
      // Another third party is not locked.
      expect((await present(byCode(access.code))).kind).to.equal('answer');

      const views = await gateway.store.db
        .withTables<{ [T in keyof DocumentsTables]: DocumentsTables[T] }>()
        .selectFrom('document_views')
        .select(['viewer', 'result', 'method', 'purpose'])
        .where('at', '>=', now)
        .orderBy('at')
        .execute();
      const results = (viewer: string) => views.filter((v) => v.viewer === viewer).map((v) => v.result);
      expect(results(OTHER).slice(-4)).to.deep.equal([
        'CODE_UNKNOWN',
        'CODE_UNKNOWN',
        'CODE_UNKNOWN',
        'VIEWER_LOCKED',
      ]);
      expect(results(THIRD).at(-1)).to.equal('SHOWN');
    });

    if (store === 'sqlite') {
      it('the signed document a third party receives verifies offline with xmlsec1 against the sample CA', async () => {
        const signed = signedDocument('BIRTH_CERTIFICATE', '<d:Place>Astana</d:Place>');
        const access = await openAccess(await publish('BC-1', signed));
        const shown = await present(byQr(access.qr));
        const received = Buffer.from(field(shown.payload, 'SignedDocument') ?? '', 'base64').toString();
        const dir = mkdtempSync(join(tmpdir(), 'documents-xmlsec1-'));
        try {
          const path = join(dir, 'document.xml');
          const verify = (text: string) => {
            writeFileSync(path, text);
            const run = spawnSync(
              process.env.XMLSEC1 ?? 'xmlsec1',
              [
                '--verify',
                '--trusted-pem',
                'certs-sample/ca.crt.pem',
                '--id-attr:Id',
                `${DOCUMENTS_NS}:Document`,
                path,
              ],
              { encoding: 'utf8' },
            );
            if (run.error) throw run.error;
            return { status: run.status, output: `${run.stdout}${run.stderr}` };
          };
          const good = verify(received);
          expect(good.status, good.output).to.equal(0);
          expect(verify(received.replace('Astana', 'Almaty')).status).not.to.equal(0);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });

      it('keeps no IIN and no phone number in plain anywhere in the SQLite file', () => {
        const file = gateway.config.store.sqliteFile;
        let bytes = readFileSync(file);
        if (existsSync(`${file}-wal`)) bytes = Buffer.concat([bytes, readFileSync(`${file}-wal`)]);
        expect(bytes.includes(Buffer.from(IIN))).to.equal(false);
        expect(bytes.includes(Buffer.from(CHILD_IIN))).to.equal(false);
        // The phone the consent code went to (the SMS gateway saw it) is in no table and no logged body.
        expect(messages.some((m) => m.phone === '+77011234567')).to.equal(true);
        expect(bytes.includes(Buffer.from('77011234567'))).to.equal(false);
        expect(bytes.includes(Buffer.from('DRIVING_LICENCE'))).to.equal(true);
      });
    }
  });
}
