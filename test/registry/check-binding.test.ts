/**
 * The coordinator's check holds for the data checked: a change of the organisation's data on a checked application
 * sends it back for a new check (recorded in its transitions and the audit trail), a new contact alone does not; a
 * registered participant keeps its OGRN and INN; a lifecycle action naming the version it was read at is refused
 * once the participant changed since.
 */
import { expect } from 'chai';
import { useGateway } from '../support/gateway.js';
import { STORES } from '../support/store.js';
import { apiClient, sampleApplication } from './support.js';

const seedActor = { name: 'test', role: 'operator' as const };
const today = () => new Date().toISOString().slice(0, 10);

for (const store of STORES) {
  describe(`the coordinator's check binds the data checked (${store})`, function () {
    this.timeout(60_000);
    const tokens: Record<string, string> = {};
    const api = apiClient(() => gateway, tokens);
    const application = (overrides: Record<string, unknown> = {}) =>
      sampleApplication(store === 'sqlite' ? 6000 : 6500, overrides);

    const gateway = useGateway({ store });
    before(async () => {
      for (const role of ['operator', 'coordinator'] as const)
        tokens[role] = (await gateway.registry.createToken(seedActor, `test ${role}`, role)).token;
      tokens.education = (
        await gateway.registry.createToken(seedActor, 'education desk', 'coordinator', {
          spheres: ['education'],
        })
      ).token;
    });

    /** Applied in sphere education and checked by its coordinator. */
    async function checked() {
      const first = application({ fullName: 'Honest School', sphere: 'education' });
      const id = (await api('POST', '/applications', 'operator', first)).body.id as string;
      expect((await api('POST', `/participants/${id}/check`, 'education')).body.status).to.equal('checked');
      return { id, first };
    }

    it('sends a checked application whose organisation changed back for a new check', async () => {
      const { id } = await checked();
      const other = application({ fullName: 'Shell Company Never Checked', sphere: 'other' });
      const changed = await api('PUT', `/participants/${id}`, 'operator', { ...other, changedOn: today() });
      expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
      expect(changed.body).to.include({ status: 'submitted', fullName: 'Shell Company Never Checked' });
      expect(changed.body.change.checkAgain).to.include.members(['fullName', 'ogrn', 'inn', 'sphere']);

      const register = await api('POST', `/participants/${id}/register`, 'operator');
      expect(register.status).to.equal(409);
      const shown = await api('GET', `/participants/${id}`, 'operator');
      expect(shown.body.registryCode).to.equal(null);
      expect(shown.body.transitions.at(-1)).to.include({
        from_status: 'checked',
        to_status: 'submitted',
        role: 'operator',
      });
      expect(shown.body.transitions.at(-1).reason).to.contain('ogrn');
      const entry = await gateway.store.db
        .selectFrom('audit_entries')
        .select(['action', 'after_json'])
        .where('subject_id', '=', id)
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      expect(entry.action).to.equal('participant.update');
      const after = JSON.parse(entry.after_json ?? '{}') as { status: string; checkAgain: string[] };
      expect(after.status).to.equal('submitted');
      expect(after.checkAgain).to.include.members(['ogrn', 'inn', 'fullName', 'sphere']);

      // Now in sphere other: the education desk no longer reaches it; a coordinator of every sphere checks it.
      expect((await api('POST', `/participants/${id}/check`, 'education')).status).to.equal(404);
      expect((await api('POST', `/participants/${id}/check`, 'coordinator')).body.status).to.equal('checked');
      const registered = await api('POST', `/participants/${id}/register`, 'operator');
      expect(registered.body.registryCode).to.equal(`REG-${other.ogrn}`);
    });

    it('sends it back for any other field of the organisation too, with the fields named', async () => {
      for (const [field, value] of [
        ['shortName', 'Renamed'],
        ['head', 'Another Head'],
        ['kind', 'state-body'],
      ] as const) {
        const { id, first } = await checked();
        const changed = await api('PUT', `/participants/${id}`, 'operator', {
          ...first,
          [field]: value,
          changedOn: today(),
        });
        expect([changed.body.status, changed.body.change.checkAgain], field).to.deep.equal([
          'submitted',
          [field],
        ]);
      }
    });

    it('keeps a checked application checked when only its contact changed', async () => {
      const { id, first } = await checked();
      const changed = await api('PUT', `/participants/${id}`, 'operator', {
        ...first,
        contact: { ...first.contact, name: 'New Contact', phone: '+7 912 000-00-01' },
        changedOn: today(),
      });
      expect(changed.body.status).to.equal('checked');
      expect(changed.body.change).to.not.have.property('checkAgain');
      expect((await api('POST', `/participants/${id}/register`, 'operator')).body.status).to.equal(
        'registered',
      );
    });

    it("refuses to change a registered participant's OGRN or INN, and takes its other changes", async () => {
      const { id, first } = await checked();
      expect((await api('POST', `/participants/${id}/register`, 'operator')).status).to.equal(200);
      const other = application();
      for (const swap of [{ ogrn: other.ogrn }, { inn: other.inn }]) {
        const refused = await api('PUT', `/participants/${id}`, 'operator', {
          ...first,
          ...swap,
          changedOn: today(),
        });
        expect(refused.status, JSON.stringify(swap)).to.equal(409);
        expect(refused.body.error).to.contain('registered');
      }
      const renamed = await api('PUT', `/participants/${id}`, 'operator', {
        ...first,
        shortName: 'New Name',
        changedOn: today(),
      });
      expect(renamed.body).to.include({ status: 'registered', shortName: 'New Name', ogrn: first.ogrn });
    });

    it('refuses a lifecycle action naming a version the participant has left', async () => {
      const first = application({ sphere: 'education' });
      const applied = (await api('POST', '/applications', 'operator', first)).body;
      const seen = applied.version as number;
      await api('PUT', `/participants/${applied.id}`, 'operator', {
        ...first,
        fullName: 'Changed While Looked At',
        changedOn: today(),
      });
      const stale = await api('POST', `/participants/${applied.id}/check`, 'education', { version: seen });
      expect(stale.status).to.equal(409);
      expect(stale.body.error).to.contain('changed');
      const current = (await api('GET', `/participants/${applied.id}`, 'operator')).body.version as number;
      const fresh = await api('POST', `/participants/${applied.id}/check`, 'education', { version: current });
      expect(fresh.body.status).to.equal('checked');
    });
  });
}
