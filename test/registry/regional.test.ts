/**
 * The regional registry duties over the admin API on SQLite and PostgreSQL: interaction agreements before a state
 * body becomes active, changes reported within three days, routes applied for by participants, coordinators
 * scoped to spheres, and reference books edited by the operator.
 */
import { expect } from 'chai';
import { useGateway } from '../support/gateway.js';
import { STORES } from '../support/store.js';
import { apiClient, dayBefore, sampleApplication } from './support.js';

const seedActor = { name: 'test', role: 'operator' as const };
const PDF = Buffer.from('%PDF-1.4\n% signed interaction agreement\n%%EOF\n');

for (const store of STORES) {
  describe(`regional registry duties (${store})`, function () {
    this.timeout(60_000);
    const tokens: Record<string, string> = {};
    const api = apiClient(() => gateway, tokens);
    const application = (overrides: Record<string, unknown> = {}) =>
      sampleApplication(store === 'sqlite' ? 2000 : 3000, overrides);

    /** Apply, check and register; returns the participant id. */
    async function registered(overrides: Record<string, unknown> = {}): Promise<string> {
      const id = (await api('POST', '/applications', 'operator', application(overrides))).body.id as string;
      expect((await api('POST', `/participants/${id}/check`, 'coordinator')).status).to.equal(200);
      expect((await api('POST', `/participants/${id}/register`, 'operator')).status).to.equal(200);
      return id;
    }

    const gateway = useGateway({ store });
    before(async () => {
      for (const role of ['operator', 'coordinator', 'auditor'] as const) {
        tokens[role] = (await gateway.registry.createToken(seedActor, `test ${role}`, role)).token;
      }
      tokens.health = (
        await gateway.registry.createToken(seedActor, 'health coordinator', 'coordinator', {
          spheres: ['health'],
        })
      ).token;
    });

    describe('interaction agreements', () => {
      const agreement = (overrides: Record<string, unknown> = {}) => ({
        number: '15-2026/СМЭВ',
        signedOn: '2026-11-02',
        fileName: 'agreement.pdf',
        mediaType: 'application/pdf',
        contentBase64: PDF.toString('base64'),
        ...overrides,
      });

      it('keeps a state body from becoming active until its agreement is recorded, and lists it meanwhile', async () => {
        const id = await registered({ kind: 'state-body' });
        const refused = await api('POST', `/participants/${id}/activate`, 'operator');
        expect(refused.status).to.equal(409);
        expect(refused.body.error).to.contain('interaction agreement');
        const missing = await api('GET', '/agreements/missing', 'operator');
        expect(missing.body.map((p: { id: string }) => p.id)).to.include(id);

        const recorded = await api('PUT', `/participants/${id}/agreement`, 'operator', agreement());
        expect(recorded.status).to.equal(200);
        expect(recorded.body.number).to.equal('15-2026/СМЭВ');
        expect(recorded.body.sha256).to.match(/^[0-9a-f]{64}$/);
        const file = await fetch(`${gateway.url}/api/v1/participants/${id}/agreement/file`, {
          headers: { authorization: `Bearer ${tokens.auditor}` },
        });
        expect(file.headers.get('content-type')).to.equal('application/pdf');
        expect(Buffer.from(await file.arrayBuffer()).equals(PDF)).to.equal(true);
        expect(
          (await api('GET', '/agreements/missing', 'operator')).body.map((p: { id: string }) => p.id),
        ).to.not.include(id);
        expect((await api('POST', `/participants/${id}/activate`, 'operator')).body.status).to.equal(
          'active',
        );
      });

      it('keeps an active participant reported as a state body, or resumed as one, active only with its agreement', async () => {
        const first = application();
        const id = (await api('POST', '/applications', 'operator', first)).body.id as string;
        expect((await api('POST', `/participants/${id}/check`, 'coordinator')).status).to.equal(200);
        expect((await api('POST', `/participants/${id}/register`, 'operator')).status).to.equal(200);
        expect((await api('POST', `/participants/${id}/activate`, 'operator')).status).to.equal(200);
        const report = { ...first, kind: 'state-body', changedOn: dayBefore(new Date(), 1) };
        const refused = await api('PUT', `/participants/${id}`, 'operator', report);
        expect(refused.status).to.equal(409);
        expect(refused.body.error).to.match(/record the agreement first/);
        const shown = await api('GET', `/participants/${id}`, 'operator');
        expect(shown.body).to.include({ kind: 'organisation', status: 'active' });
        expect(
          (await api('GET', '/agreements/missing', 'operator')).body.map((p: { id: string }) => p.id),
        ).not.to.include(id);

        // Suspended, it may be reported as a state body; it resumes only once the agreement is recorded.
        const suspend = { reason: 'reorganised' };
        expect((await api('POST', `/participants/${id}/suspend`, 'operator', suspend)).status).to.equal(200);
        expect((await api('PUT', `/participants/${id}`, 'operator', report)).status).to.equal(200);
        const notResumed = await api('POST', `/participants/${id}/resume`, 'operator');
        expect(notResumed.status).to.equal(409);
        expect(notResumed.body.error).to.match(/record the agreement first/);
        expect((await api('PUT', `/participants/${id}/agreement`, 'operator', agreement())).status).to.equal(
          200,
        );
        expect((await api('POST', `/participants/${id}/resume`, 'operator')).body.status).to.equal('active');
      });

      it('activates an organisation (no agreement needed) as before', async () => {
        const id = await registered();
        expect((await api('POST', `/participants/${id}/activate`, 'operator')).body.status).to.equal(
          'active',
        );
      });

      it('refuses a document that is not what it claims, a bad date, a path as name, and a non-operator', async () => {
        const id = await registered({ kind: 'local-government' });
        const notPdf = await api(
          'PUT',
          `/participants/${id}/agreement`,
          'operator',
          agreement({ contentBase64: Buffer.from('<html>').toString('base64') }),
        );
        expect([notPdf.status, notPdf.body.field]).to.deep.equal([400, 'contentBase64']);
        const badDate = await api(
          'PUT',
          `/participants/${id}/agreement`,
          'operator',
          agreement({ signedOn: '2026-02-30' }),
        );
        expect([badDate.status, badDate.body.field]).to.deep.equal([400, 'signedOn']);
        const path = await api(
          'PUT',
          `/participants/${id}/agreement`,
          'operator',
          agreement({ fileName: '../../etc/passwd' }),
        );
        expect([path.status, path.body.field]).to.deep.equal([400, 'fileName']);
        const base64 = await api(
          'PUT',
          `/participants/${id}/agreement`,
          'operator',
          agreement({ contentBase64: 'not base64!' }),
        );
        expect([base64.status, base64.body.field]).to.deep.equal([400, 'contentBase64']);
        expect(
          (await api('PUT', `/participants/${id}/agreement`, 'coordinator', agreement())).status,
        ).to.equal(403);
        // The role is checked before the (up to 8 MB) body is read: a body that is no JSON is not even parsed.
        const unread = await fetch(`${gateway.url}/api/v1/participants/${id}/agreement`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${tokens.coordinator}`, 'content-type': 'application/json' },
          body: `{"contentBase64": "${'A'.repeat(1_000_000)}`,
        });
        expect([unread.status, ((await unread.json()) as { error: string }).error]).to.deep.equal([
          403,
          'this needs the operator role; the token is coordinator',
        ]);
        expect((await api('GET', `/participants/${id}/agreement`, 'auditor')).status).to.equal(404);
        expect(
          (await api('PUT', '/participants/no-such-id/agreement', 'operator', agreement())).status,
        ).to.equal(404);
      });
    });

    describe('applying again after a decline', () => {
      it('checks the application as a first one: its sphere is in the reference book', async () => {
        const first = application();
        const id = (await api('POST', '/applications', 'operator', first)).body.id as string;
        const reason = { reason: 'OGRN does not match the EGRUL record' };
        expect((await api('POST', `/participants/${id}/decline`, 'coordinator', reason)).status).to.equal(
          200,
        );
        const refused = await api('POST', '/applications', 'operator', {
          ...first,
          sphere: 'no-such-sphere',
        });
        expect(refused.status).to.equal(400);
        expect(refused.body).to.include({ field: 'sphere' });
        expect((await api('GET', `/participants/${id}`, 'operator')).body.status).to.equal('declined');
        const again = await api('POST', '/applications', 'operator', { ...first, sphere: 'health' });
        expect(again.status).to.equal(201);
        expect(again.body).to.include({ id, status: 'submitted', sphere: 'health' });
      });
    });

    describe('changes reported within three days', () => {
      it('marks a report after the third day late and lists it for the operator', async () => {
        const first = application();
        const id = (await api('POST', '/applications', 'operator', first)).body.id as string;
        const now = new Date();
        const onTime = await api('PUT', `/participants/${id}`, 'operator', {
          ...first,
          address: 'Second address',
          changedOn: dayBefore(now, 2),
        });
        expect(onTime.status).to.equal(200);
        expect(onTime.body.change).to.deep.equal({ changedOn: dayBefore(now, 2), late: false });
        const late = await api('PUT', `/participants/${id}`, 'operator', {
          ...first,
          address: 'Third address',
          changedOn: dayBefore(now, 5),
        });
        expect(late.body.change).to.deep.equal({ changedOn: dayBefore(now, 5), late: true });

        const lateOnes = await api('GET', `/participant-changes?late=true&participant=${id}`, 'operator');
        expect(lateOnes.body).to.have.length(1);
        expect(lateOnes.body[0]).to.include({ participantId: id, changedOn: dayBefore(now, 5), late: true });
        const all = await api('GET', `/participant-changes?participant=${id}`, 'auditor');
        expect(all.body).to.have.length(2);
        expect((await api('GET', '/participant-changes', 'coordinator')).status).to.equal(403);
      });

      it('refuses a change without its day or with a day after the report', async () => {
        const first = application();
        const id = (await api('POST', '/applications', 'operator', first)).body.id as string;
        const missing = await api('PUT', `/participants/${id}`, 'operator', first);
        expect([missing.status, missing.body.field]).to.deep.equal([400, 'changedOn']);
        const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
        const future = await api('PUT', `/participants/${id}`, 'operator', { ...first, changedOn: tomorrow });
        expect([future.status, future.body.field]).to.deep.equal([400, 'changedOn']);
        const noDate = await api('PUT', `/participants/${id}`, 'operator', {
          ...first,
          changedOn: 'yesterday',
        });
        expect([noDate.status, noDate.body.field]).to.deep.equal([400, 'changedOn']);
      });
    });

    describe('routes applied for by participants', () => {
      let participantId: string;
      let otherId: string;
      const namespace = 'urn://smev-gateway/services/ping/1.0';

      before(async () => {
        participantId = await registered();
        await api('POST', `/participants/${participantId}/activate`, 'operator');
        otherId = await registered();
        const suffix = store === 'sqlite' ? 'S' : 'P';
        expect(
          (
            await api('POST', `/participants/${participantId}/systems`, 'operator', {
              mnemonic: `ROUTE_APP_${suffix}`,
              name: 'App',
            })
          ).status,
        ).to.equal(201);
        expect(
          (
            await api('POST', `/participants/${otherId}/systems`, 'operator', {
              mnemonic: `OTHER_SYS_${suffix}`,
              name: 'Other',
            })
          ).status,
        ).to.equal(201);
        tokens.participant = (
          await gateway.registry.createToken(seedActor, 'participant', 'participant', { participantId })
        ).token;
      });

      it('lets a participant apply and the operator approve, which enters the route', async () => {
        const suffix = store === 'sqlite' ? 'S' : 'P';
        const applied = await api('POST', '/route-applications', 'participant', {
          consumer: `ROUTE_APP_${suffix}`,
          namespace,
          localName: 'PingRequest',
          recipient: 'SOCPROTECT_47',
        });
        expect(applied.status).to.equal(201);
        expect(applied.body.status).to.equal('applied');
        const again = await api('POST', '/route-applications', 'participant', {
          consumer: `ROUTE_APP_${suffix}`,
          namespace,
          localName: 'PingRequest',
          recipient: 'SOCPROTECT_47',
        });
        expect(again.status).to.equal(409);
        expect(
          (await api('POST', `/route-applications/${applied.body.id}/approve`, 'participant', {})).status,
        ).to.equal(403);
        const approved = await api('POST', `/route-applications/${applied.body.id}/approve`, 'operator', {
          provider: 'builtin:ping',
        });
        expect(approved.body).to.include({ status: 'approved', provider: 'builtin:ping' });
        const routes = (await api('GET', '/routes', 'auditor')).body as Array<{
          id: string;
          consumer: string;
        }>;
        expect(routes.find((r) => r.id === approved.body.routeId)?.consumer).to.equal(`ROUTE_APP_${suffix}`);
        expect(
          (await api('POST', `/route-applications/${applied.body.id}/decline`, 'operator', { reason: 'x' }))
            .status,
        ).to.equal(409);
      });

      it("answers a participant naming another's system as consumer as if there were no such system", async () => {
        const suffix = store === 'sqlite' ? 'S' : 'P';
        const applyFor = (consumer: string) =>
          api('POST', '/route-applications', 'participant', {
            consumer,
            namespace,
            localName: 'ForeignRequest',
            recipient: 'SOCPROTECT_47',
          });
        const foreign = await applyFor(`OTHER_SYS_${suffix}`);
        const missing = await applyFor('NOPE_SYS');
        expect([foreign.status, missing.status]).to.deep.equal([404, 404]);
        expect(foreign.body.error).to.equal(`information system OTHER_SYS_${suffix} was not found`);
        expect(missing.body.error).to.equal('information system NOPE_SYS was not found');
      });

      it('declines only with a reason, and shows a participant its own applications only', async () => {
        const suffix = store === 'sqlite' ? 'S' : 'P';
        const applied = await api('POST', '/route-applications', 'operator', {
          consumer: `OTHER_SYS_${suffix}`,
          namespace,
          localName: 'OtherRequest',
          recipient: 'SOCPROTECT_47',
        });
        expect(applied.status).to.equal(201);
        expect(
          (await api('POST', `/route-applications/${applied.body.id}/decline`, 'operator', {})).body.field,
        ).to.equal('reason');
        const declined = await api('POST', `/route-applications/${applied.body.id}/decline`, 'operator', {
          reason: 'no agreement with the recipient',
        });
        expect(declined.body).to.include({ status: 'declined', reason: 'no agreement with the recipient' });
        const own = (await api('GET', '/route-applications', 'participant')).body as Array<{
          participantId: string;
        }>;
        expect(own.length).to.be.greaterThan(0);
        expect(own.every((a) => a.participantId === participantId)).to.equal(true);
        const all = (await api('GET', '/route-applications', 'operator')).body as Array<{ id: string }>;
        expect(all.map((a) => a.id)).to.include(applied.body.id as string);
      });

      it("refuses a participant another participant's system and every resource but its own", async () => {
        const suffix = store === 'sqlite' ? 'S' : 'P';
        const foreign = await api('POST', '/route-applications', 'participant', {
          consumer: `OTHER_SYS_${suffix}`,
          namespace,
          localName: 'PingRequest',
          recipient: 'SOCPROTECT_47',
        });
        expect(foreign.status).to.equal(404);
        for (const path of [
          '/participants',
          `/participants/${otherId}`,
          '/routes',
          '/systems',
          '/agreements/missing',
        ]) {
          expect((await api('GET', path, 'participant')).status, path).to.equal(403);
        }
        expect((await api('POST', '/applications', 'participant', application())).status).to.equal(403);
        const unknown = await api('POST', '/route-applications', 'participant', {
          consumer: `ROUTE_APP_${suffix}`,
          namespace,
          localName: 'PingRequest',
          recipient: 'NO_SUCH_SYSTEM',
        });
        expect(unknown.status).to.equal(404);
        const bad = await api('POST', '/route-applications', 'participant', {
          consumer: `ROUTE_APP_${suffix}`,
          namespace,
          localName: '1bad name',
          recipient: 'SOCPROTECT_47',
        });
        expect([bad.status, bad.body.field]).to.deep.equal([400, 'localName']);
      });
    });

    describe('coordinators by sphere', () => {
      it("lets a sphere's coordinator check its sphere's applications only, and list only those", async () => {
        const health = (await api('POST', '/applications', 'operator', application({ sphere: 'health' })))
          .body;
        const trade = (await api('POST', '/applications', 'operator', application({ sphere: 'trade' }))).body;
        expect(health.sphere).to.equal('health');
        // Another sphere's application is out of sight: not found, as one that does not exist.
        const refused = await api('POST', `/participants/${trade.id}/check`, 'health');
        expect(refused.status).to.equal(404);
        expect(refused.body.error).to.not.contain('trade');
        expect(
          (await api('POST', `/participants/${trade.id}/decline`, 'health', { reason: 'x' })).status,
        ).to.equal(404);
        expect((await api('POST', `/participants/${health.id}/check`, 'health')).body.status).to.equal(
          'checked',
        );
        const listed = (await api('GET', '/participants', 'health')).body as Array<{ sphere: string }>;
        expect(listed.length).to.be.greaterThan(0);
        expect(listed.every((p) => p.sphere === 'health')).to.equal(true);
        // A coordinator with no spheres checks every sphere, as before.
        expect((await api('POST', `/participants/${trade.id}/check`, 'coordinator')).body.status).to.equal(
          'checked',
        );
      });

      it('refuses a sphere that is not in the reference book, and a token scoped to one', async () => {
        const bad = await api('POST', '/applications', 'operator', application({ sphere: 'astrology' }));
        expect([bad.status, bad.body.field]).to.deep.equal([400, 'sphere']);
        let error: unknown;
        try {
          await gateway.registry.createToken(seedActor, 'bad', 'coordinator', { spheres: ['astrology'] });
        } catch (e) {
          error = e;
        }
        expect((error as Error).message).to.contain('astrology');
      });
    });

    it('describes the new resources in its OpenAPI document', async () => {
      const doc = (await api('GET', '/openapi.json', undefined)).body;
      for (const path of [
        '/participants/{id}/agreement',
        '/agreements/missing',
        '/participant-changes',
        '/route-applications',
        '/route-applications/{id}/approve',
        '/reference-books/{book}/{code}',
      ])
        expect(doc.paths, path).to.have.property(path);
      expect(
        doc.paths['/participants/{id}'].put.requestBody.content['application/json'].schema.required,
      ).to.include('changedOn');
    });

    describe('reference books', () => {
      it('serves the books to every role, a participant included, and lets the operator edit them with a new version', async () => {
        const books = (await api('GET', '/reference-books', 'participant')).body as Array<{
          book: string;
          version: number;
        }>;
        expect(books.map((b) => b.book)).to.include.members([
          'spheres',
          'connection-points',
          'document-types',
          'regions',
        ]);
        const before = await api('GET', '/reference-books/spheres', 'auditor');
        expect((before.body.entries as Array<{ code: string }>).map((e) => e.code)).to.include('education');
        expect(
          (await api('PUT', '/reference-books/spheres/tourism', 'coordinator', { title: 'Туризм' })).status,
        ).to.equal(403);
        const added = await api('PUT', '/reference-books/spheres/tourism', 'operator', { title: 'Туризм' });
        expect(added.body).to.include({ code: 'tourism', version: (before.body.version as number) + 1 });
        expect(
          (await api('POST', '/applications', 'operator', application({ sphere: 'tourism' }))).status,
        ).to.equal(201);
        await api('PUT', '/reference-books/spheres/tourism', 'operator', { title: 'Туризм', active: false });
        const after = await api('GET', '/reference-books/spheres', 'participant');
        expect(after.body.version).to.equal((before.body.version as number) + 2);
        expect((after.body.entries as Array<{ code: string }>).map((e) => e.code)).to.not.include('tourism');
        expect(
          (await api('POST', '/applications', 'operator', application({ sphere: 'tourism' }))).body.field,
        ).to.equal('sphere');
        expect((await api('GET', '/reference-books/no-such-book', 'auditor')).status).to.equal(404);
        expect(
          (await api('PUT', '/reference-books/spheres/Bad Code', 'operator', { title: 'x' })).body.field,
        ).to.equal('code');
      });

      it('answers a book as it stood at an earlier version', async () => {
        const start = (await api('GET', '/reference-books/document-types', 'participant')).body;
        const v = start.version as number;
        await api('PUT', '/reference-books/document-types/birth-certificate', 'operator', {
          title: 'Свидетельство о рождении',
        });
        await api('PUT', '/reference-books/document-types/passport', 'operator', {
          title: 'Паспорт',
          active: false,
        });
        const codes = (book: { entries: Array<{ code: string; active: boolean }> }) =>
          book.entries.map((e) => `${e.code}:${e.active}`);
        const then = await api('GET', `/reference-books/document-types?version=${v}`, 'participant');
        expect(then.body).to.include({ version: v, currentVersion: v + 2 });
        expect(codes(then.body)).to.deep.equal(codes(start));
        const middle = await api('GET', `/reference-books/document-types?version=${v + 1}`, 'participant');
        expect(codes(middle.body)).to.deep.equal(['birth-certificate:true', 'passport:true', 'snils:true']);
        const now = await api('GET', `/reference-books/document-types?version=${v + 2}`, 'participant');
        expect(codes(now.body)).to.deep.equal(['birth-certificate:true', 'passport:false', 'snils:true']);
        expect(
          (await api('GET', `/reference-books/document-types?version=${v + 3}`, 'participant')).status,
        ).to.equal(404);
        expect(
          (await api('GET', '/reference-books/document-types?version=0', 'participant')).body.field,
        ).to.equal('version');
      });
    });
  });
}
