/**
 * The reference-books service over SOAP, signed as a sample participant, on SQLite and PostgreSQL: a book's
 * current version and entries, an earlier version as it stood, and the refusals for an unknown book or version.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCallAnswer, type CallAnswer } from '../../../src/client/answer.js';
import { loadTrustStore } from '../../../src/signature/setup.js';
import { post, signedCall, useGateway } from '../../support/gateway.js';
import { STORES } from '../../support/store.js';

const NS = 'urn://smev-gateway/services/reference-books/1.0';
const operator = { name: 'test', role: 'operator' as const };

const request = (book: string, version?: number) =>
  `<rb:ReferenceBookRequest xmlns:rb="${NS}"><rb:Book>${book}</rb:Book>` +
  (version === undefined ? '' : `<rb:Version>${version}</rb:Version>`) +
  '</rb:ReferenceBookRequest>';

function schemaProblems(payload: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'books-xsd-'));
  try {
    const file = join(dir, 'payload.xml');
    writeFileSync(file, payload);
    execFileSync('xmllint', ['--noout', '--schema', 'xsd/reference-books-1.0.xsd', file], { stdio: 'pipe' });
    return '';
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Code, title and active of each entry of an answer, in order. */
function entries(payload: string): Array<[string, string, string]> {
  return [
    ...payload.matchAll(
      /<(?:\w+:)?Code>([^<]*)<\/(?:\w+:)?Code><(?:\w+:)?Title>([^<]*)<\/(?:\w+:)?Title><(?:\w+:)?Active>([^<]*)</g,
    ),
  ].map((m) => [m[1] ?? '', m[2] ?? '', m[3] ?? '']);
}
const field = (payload: string, name: string) =>
  new RegExp(`<(?:\\w+:)?${name}>([^<]*)</`).exec(payload)?.[1];

for (const store of STORES) {
  describe(`reference-books service over SOAP (${store})`, function () {
    this.timeout(60_000);
    const call = async (payload: string, system = 'PORTAL_26'): Promise<CallAnswer> => {
      const response = await post(gateway, signedCall({ system, payload }).xml);
      return readCallAnswer(response.body, loadTrustStore(gateway.config));
    };
    const answer = async (payload: string) => {
      const got = await call(payload);
      if (got.kind !== 'answer' || !got.payload)
        throw new Error(`expected an answer: ${JSON.stringify(got)}`);
      return got.payload;
    };

    const gateway = useGateway({ store });

    it('answers the current version of a book with its entries, and the answer fits the schema', async () => {
      const payload = await answer(request('connection-points'));
      expect(payload).to.contain('ReferenceBookResponse');
      expect(field(payload, 'Book')).to.equal('connection-points');
      expect(field(payload, 'Version')).to.equal('1');
      expect(field(payload, 'CurrentVersion')).to.equal('1');
      expect(entries(payload)).to.deep.equal([
        ['app', 'Мобильное приложение', 'true'],
        ['portal', 'Региональный портал государственных услуг', 'true'],
      ]);
      expect(schemaProblems(payload)).to.equal('');
    });

    it('answers a version the participant names as the book stood then, after the operator edits it', async () => {
      const books = gateway.registry.books;
      await books.setEntry(operator, 'regions', '27', { title: 'Хабаровский край' }); // v2
      await books.setEntry(operator, 'regions', '59', { title: 'Пермский край (изм.)' }); // v3
      await books.setEntry(operator, 'regions', '27', { title: 'Хабаровский край', active: false }); // v4

      const current = await answer(request('regions'));
      expect([field(current, 'Version'), field(current, 'CurrentVersion')]).to.deep.equal(['4', '4']);
      expect(entries(current)).to.deep.include.members([
        ['27', 'Хабаровский край', 'false'],
        ['59', 'Пермский край (изм.)', 'true'],
      ]);
      const first = await answer(request('regions', 1));
      expect([field(first, 'Version'), field(first, 'CurrentVersion')]).to.deep.equal(['1', '4']);
      expect(entries(first).map((e) => e[0])).to.deep.equal(['26', '28', '47', '59']);
      expect(entries(first)).to.deep.include(['59', 'Пермский край', 'true']);
      const second = await answer(request('regions', 2));
      expect(entries(second)).to.deep.include(['27', 'Хабаровский край', 'true']);
      expect(entries(second)).to.deep.include(['59', 'Пермский край', 'true']);
      const third = await answer(request('regions', 3));
      expect(entries(third)).to.deep.include(['59', 'Пермский край (изм.)', 'true']);
      expect(entries(third)).to.deep.include(['27', 'Хабаровский край', 'true']);
      expect(schemaProblems(third)).to.equal('');
    });

    it('refuses an unknown book and a version the book never had as NO_DATA, with Russian texts', async () => {
      const book = await call(request('planets'));
      expect(book.kind === 'rejected' && book.rejection?.code).to.equal('NO_DATA');
      expect(book.kind === 'rejected' && book.rejection?.description).to.match(
        /^BOOK_NOT_FOUND: справочник не найден/,
      );
      const version = await call(request('spheres', 999));
      expect(version.kind === 'rejected' && version.rejection?.description).to.match(
        /^BOOK_VERSION_NOT_FOUND: такой версии справочника нет/,
      );
    });

    it('refuses a request that breaks the schema with InvalidContent', async () => {
      const got = await call(request('Connection Points'));
      expect(got.kind === 'fault' && got.element).to.equal('InvalidContent');
    });

    it('answers the example, sent by another sample participant', async () => {
      const got = await call(
        readFileSync('examples/reference-books/ReferenceBookRequest.xml', 'utf8'),
        'SOCCARD_28',
      );
      expect(got.kind, JSON.stringify(got)).to.equal('answer');
    });
  });
}
