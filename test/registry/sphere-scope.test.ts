/**
 * A coordinator scoped to spheres sees its spheres' participants and nothing of the others': not by id, not their
 * QR codes, agreements, transitions, systems, certificates or routes. Another sphere's participant answers as one
 * that does not exist (404, the same words), so its id is not even confirmed. Other roles see the whole registry.
 */
import { expect } from 'chai';
import { useGateway } from '../support/gateway.js';
import { STORES } from '../support/store.js';
import { apiClient, sampleApplication } from './support.js';

const seedActor = { name: 'test', role: 'operator' as const };
const PDF = Buffer.from('%PDF-1.4\n% agreement\n%%EOF\n');
const NO_SUCH = '00000000-0000-4000-8000-000000000000';

for (const store of STORES) {
  describe(`a sphere coordinator sees its spheres only (${store})`, function () {
    this.timeout(60_000);
    const tokens: Record<string, string> = {};
    const api = apiClient(() => gateway, tokens);
    const application = (overrides: Record<string, unknown> = {}) =>
      sampleApplication(store === 'sqlite' ? 7000 : 7500, overrides);
    let foreign: string;
    let own: string;

    const gateway = useGateway({ store });
    before(async () => {
      for (const role of ['operator', 'coordinator', 'auditor'] as const)
        tokens[role] = (await gateway.registry.createToken(seedActor, `test ${role}`, role)).token;
      tokens.health = (
        await gateway.registry.createToken(seedActor, 'health desk', 'coordinator', { spheres: ['health'] })
      ).token;
      // A registered state body in sphere other, with its agreement and a system; one application in health.
      foreign = (await api('POST', '/applications', 'operator', application({ kind: 'state-body' }))).body.id;
      await api('POST', `/participants/${foreign}/check`, 'coordinator');
      await api('POST', `/participants/${foreign}/register`, 'operator');
      const agreement = await api('PUT', `/participants/${foreign}/agreement`, 'operator', {
        number: '1-2026',
        signedOn: '2026-11-02',
        fileName: 'agreement.pdf',
        mediaType: 'application/pdf',
        contentBase64: PDF.toString('base64'),
      });
      expect(agreement.status).to.equal(200);
      const system = await api('POST', `/participants/${foreign}/systems`, 'operator', {
        mnemonic: `FOREIGN_${store.toUpperCase()}`,
        name: 'Foreign system',
      });
      expect(system.status).to.equal(201);
      own = (await api('POST', '/applications', 'operator', application({ sphere: 'health' }))).body.id;
    });

    /** The answer to a participant that does not exist, with the id it names replaced. */
    const missing = async (method: string, path: string, id: string, body?: unknown) => {
      const answer = await api(method, path.replace(':id', NO_SUCH), 'health', body);
      return { status: answer.status, body: JSON.stringify(answer.body).replaceAll(NO_SUCH, id) };
    };

    it("answers another sphere's participant and its sub-resources as one that does not exist", async () => {
      for (const [method, path, body] of [
        ['GET', '/participants/:id'],
        ['GET', '/participants/:id/qr.png'],
        ['GET', '/participants/:id/qr.svg'],
        ['GET', '/participants/:id/agreement'],
        ['GET', '/participants/:id/agreement/file'],
        ['POST', '/participants/:id/check'],
        ['POST', '/participants/:id/decline', { reason: 'not mine' }],
      ] as const) {
        const answer = await api(method, path.replace(':id', foreign), 'health', body);
        expect(answer.status, path).to.equal(404);
        expect({ status: answer.status, body: JSON.stringify(answer.body) }, path).to.deep.equal(
          await missing(method, path, foreign, body),
        );
      }
      // The same reads are answered to a coordinator of every sphere and to an auditor.
      expect((await api('GET', `/participants/${foreign}`, 'coordinator')).status).to.equal(200);
      expect((await api('GET', `/participants/${foreign}/agreement/file`, 'auditor')).status).to.equal(200);
    });

    it("reads its own sphere's participants, and lists only them", async () => {
      const shown = await api('GET', `/participants/${own}`, 'health');
      expect([shown.status, shown.body.sphere]).to.deep.equal([200, 'health']);
      const listed = (await api('GET', '/participants', 'health')).body as Array<{
        id: string;
        sphere: string;
      }>;
      expect(listed.map((p) => p.id))
        .to.include(own)
        .and.not.include(foreign);
    });

    it("lists no system, certificate or route of another sphere's participants", async () => {
      const systems = (await api('GET', '/systems', 'health')).body as Array<{ participantId: string }>;
      expect(systems).to.deep.equal([]);
      const routes = await api('GET', '/routes', 'health');
      expect([routes.status, routes.body]).to.deep.equal([200, []]);
      const certificates = await api('GET', '/systems/DEMO_CONSUMER/certificates', 'health');
      const none = await api('GET', '/systems/NO_SUCH_SYSTEM/certificates', 'health');
      expect(certificates.status).to.equal(404);
      expect(JSON.stringify(certificates.body)).to.equal(
        JSON.stringify(none.body).replace('NO_SUCH_SYSTEM', 'DEMO_CONSUMER'),
      );
      // The whole registry for a coordinator of every sphere.
      const all = (await api('GET', '/systems', 'coordinator')).body as Array<{ participantId: string }>;
      expect(all.map((s) => s.participantId)).to.include(foreign);
      expect((await api('GET', '/routes', 'coordinator')).body).to.not.deep.equal([]);
      expect((await api('GET', '/systems/DEMO_CONSUMER/certificates', 'coordinator')).status).to.equal(200);
    });
  });
}
