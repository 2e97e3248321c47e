/**
 * The public authenticity check in Chromium: a document published and opened through the documents service is
 * checked by its short code and by its QR string (issuer, status, signature verified) without signing in; a
 * wrong code is refused with the service's own refusal code.
 */
import { expect } from 'chai';
import { readCallAnswer } from '../../src/client/answer.js';
import { DOCUMENTS_NS } from '../../src/providers/documents/index.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { signDetached } from '../../src/signature/xml-signature.js';
import { post, sampleKey, signedCall } from '../support/gateway.js';
import { startConsoleWorld, stopConsoleWorld, type ConsoleWorld } from './support.js';

const TYPES_1_1 = 'urn://x-artefacts-smev-gov-ru/services/message-exchange/types/1.1';
const ISSUER = 'SOCPROTECT_47';
const IIN = '870412300517';
const wrap = (name: string, inner: string) => `<d:${name} xmlns:d="${DOCUMENTS_NS}">${inner}</d:${name}>`;
const field = (payload: string | undefined, name: string) =>
  new RegExp(`<${name}>([^<]*)</${name}>`).exec(payload ?? '')?.[1] ?? '';

describe('console: the public document check', function () {
  this.timeout(120_000);
  let world: ConsoleWorld;
  let qr = '';
  let code = '';
  before(async () => {
    world = await startConsoleWorld();
    const call = async (payload: string, system: string) => {
      const response = await post(world.gateway, signedCall({ system, payload }).xml);
      const answer = readCallAnswer(response.body, loadTrustStore(world.gateway.config));
      if (answer.kind !== 'answer') throw new Error(`${answer.kind}: ${JSON.stringify(answer)}`);
      return answer.payload;
    };
    const signed = signDetached(
      `<d:SignedDocument xmlns:d="${DOCUMENTS_NS}"><d:Document Id="doc-1"><d:Type>DRIVING_LICENCE</d:Type>` +
        `<d:Content><d:Category>B</d:Category></d:Content></d:Document>` +
        `<t:PersonalSignature xmlns:t="${TYPES_1_1}"/></d:SignedDocument>`,
      'doc-1',
      'PersonalSignature',
      sampleKey(ISSUER),
    );
    const published = await call(
      wrap(
        'PublishDocumentRequest',
        `<d:Publish><d:DocumentNumber>DL-CONSOLE</d:DocumentNumber><d:Iin>${IIN}</d:Iin>` +
          `<d:SignedDocument>${Buffer.from(signed).toString('base64')}</d:SignedDocument></d:Publish>`,
      ),
      ISSUER,
    );
    const opened = await call(
      wrap(
        'OpenAccessRequest',
        `<d:Iin>${IIN}</d:Iin><d:DocumentId>${field(published, 'DocumentId')}</d:DocumentId>`,
      ),
      'PORTAL_26',
    );
    qr = field(opened, 'QrCode');
    code = field(opened, 'ShortCode');
    expect(code).to.match(/^\d{6}$/);
  });
  after(() => stopConsoleWorld(world));

  it('checks a document by short code and by QR string without signing in', async () => {
    const context = await world.browser.newContext();
    const page = await context.newPage();
    try {
      for (const credential of [code, qr]) {
        await page.goto(`${world.gateway.url}/console/check`);
        await page.getByLabel('QR-код или короткий код').fill(credential);
        await page.getByRole('button', { name: 'Найти' }).click();
        const result = await page.locator('#check-result').textContent();
        expect(result).to.contain(ISSUER).and.contain('DRIVING_LICENCE').and.contain('действителен');
        expect(result).to.contain('подпись проверена');
      }
      await page.goto(`${world.gateway.url}/console/check?lang=en`);
      await page.getByLabel('QR code or short code').fill(code === '000000' ? '000001' : '000000');
      await page.getByRole('button', { name: 'Find' }).click();
      expect(await page.locator('#check-result').textContent()).to.contain('CODE_UNKNOWN');
    } finally {
      await context.close();
    }
    // Each check is recorded by the documents service, under the address that asked.
    const views = await world.gateway.store.db
      .withTables<{ document_views: { viewer: string; purpose: string; result: string } }>()
      .selectFrom('document_views')
      .select(['viewer', 'purpose', 'result'])
      .execute();
    expect(views.filter((v) => v.viewer.startsWith('web:') && v.result === 'CHECKED')).to.have.length(2);
  });
});
