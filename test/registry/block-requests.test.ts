/**
 * Block requests over the admin API on SQLite and PostgreSQL: the operator asks with a reason, the authorised
 * body (a role of its own) approves or declines and lifts; the participant and its systems are blocked and come
 * back as they were; every step is in the audit trail; a blocked participant's system is refused over SOAP.
 */
import { expect } from 'chai';
import { post, signedCall, useGateway } from '../support/gateway.js';
import { STORES } from '../support/store.js';
import { apiClient, sampleApplication } from './support.js';

const seedActor = { name: 'test', role: 'operator' as const };

for (const store of STORES) {
  describe(`block requests (${store})`, function () {
    this.timeout(60_000);
    const tokens: Record<string, string> = {};
    const api = apiClient(() => gateway, tokens);

    /** An active participant with one active system; returns its id and the system's mnemonic. */
    async function activeParticipant(n: number): Promise<{ id: string; mnemonic: string }> {
      const application = sampleApplication(store === 'sqlite' ? 6000 : 7000);
      const id = (await api('POST', '/applications', 'operator', application)).body.id as string;
      await api('POST', `/participants/${id}/check`, 'coordinator');
      await api('POST', `/participants/${id}/register`, 'operator');
      expect((await api('POST', `/participants/${id}/activate`, 'operator')).status).to.equal(200);
      const mnemonic = `BLOCK_${store.toUpperCase()}_${n}`;
      const added = await api('POST', `/participants/${id}/systems`, 'operator', {
        mnemonic,
        name: 'System under review',
      });
      expect(added.status, JSON.stringify(added.body)).to.equal(201);
      return { id, mnemonic };
    }
    const systemStatus = async (mnemonic: string) =>
      ((await api('GET', '/systems', 'auditor')).body as Array<{ mnemonic: string; status: string }>).find(
        (s) => s.mnemonic === mnemonic,
      )?.status;

    const gateway = useGateway({ store });
    before(async () => {
      for (const role of ['operator', 'coordinator', 'auditor', 'authority'] as const) {
        tokens[role] = (await gateway.registry.createToken(seedActor, `test ${role}`, role)).token;
      }
    });

    it('blocks a participant and its systems on approval, and lifting restores what they were', async () => {
      const { id, mnemonic } = await activeParticipant(1);
      const created = await api('POST', '/block-requests', 'operator', {
        participantId: id,
        reason: 'передал ключ подписи третьим лицам',
      });
      expect(created.status).to.equal(201);
      expect(created.body).to.include({
        status: 'requested',
        participantId: id,
        requestedBy: 'test operator',
      });
      // Nothing is blocked until the authorised body approves.
      expect((await api('GET', `/participants/${id}`, 'auditor')).body.status).to.equal('active');

      const approved = await api('POST', `/block-requests/${created.body.id}/approve`, 'authority', {
        reason: 'нарушение подтверждено',
      });
      expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
      expect(approved.body).to.include({ status: 'approved', decidedBy: 'test authority' });
      expect(approved.body.previous).to.deep.equal({
        status: 'active',
        systems: [{ mnemonic, status: 'active' }],
      });
      const blocked = (await api('GET', `/participants/${id}`, 'auditor')).body;
      expect(blocked.status).to.equal('blocked');
      expect(blocked.transitions.at(-1)).to.include({ to_status: 'blocked', role: 'authority' });
      expect(await systemStatus(mnemonic)).to.equal('blocked');
      // A blocked participant cannot be asked about again, nor lifted by the operator.
      expect(
        (await api('POST', '/block-requests', 'operator', { participantId: id, reason: 'again' })).status,
      ).to.equal(409);
      expect(
        (await api('POST', `/block-requests/${created.body.id}/lift`, 'operator', { reason: 'x' })).status,
      ).to.equal(403);

      const lifted = await api('POST', `/block-requests/${created.body.id}/lift`, 'authority', {
        reason: 'ключи перевыпущены',
      });
      expect(lifted.status, JSON.stringify(lifted.body)).to.equal(200);
      expect(lifted.body).to.include({ status: 'lifted', liftReason: 'ключи перевыпущены' });
      expect((await api('GET', `/participants/${id}`, 'auditor')).body.status).to.equal('active');
      expect(await systemStatus(mnemonic)).to.equal('active');
      expect(
        (await api('POST', `/block-requests/${created.body.id}/lift`, 'authority', { reason: 'x' })).status,
      ).to.equal(409);
    });

    it('restores a suspended participant and a suspended system to suspended', async () => {
      const { id, mnemonic } = await activeParticipant(2);
      await api('POST', `/systems/${mnemonic}/suspend`, 'operator', { reason: 'проверка' });
      await api('POST', `/participants/${id}/suspend`, 'operator', { reason: 'проверка' });
      const request = (await api('POST', '/block-requests', 'operator', { participantId: id, reason: 'r' }))
        .body;
      await api('POST', `/block-requests/${request.id}/approve`, 'authority', {});
      expect(await systemStatus(mnemonic)).to.equal('blocked');
      await api('POST', `/block-requests/${request.id}/lift`, 'authority', { reason: 'снято' });
      expect((await api('GET', `/participants/${id}`, 'auditor')).body.status).to.equal('suspended');
      expect(await systemStatus(mnemonic)).to.equal('suspended');
    });

    it('lets only the authorised body decide, never the operator, and a decline needs a reason', async () => {
      const { id } = await activeParticipant(3);
      const request = (
        await api('POST', '/block-requests', 'operator', { participantId: id, reason: 'подозрение' })
      ).body;
      for (const role of ['operator', 'coordinator', 'auditor']) {
        const refused = await api('POST', `/block-requests/${request.id}/approve`, role, {});
        expect(refused.status, role).to.equal(403);
      }
      expect(
        (await api('POST', '/block-requests', 'authority', { participantId: id, reason: 'x' })).status,
      ).to.equal(403);
      const noReason = await api('POST', `/block-requests/${request.id}/decline`, 'authority', {});
      expect(noReason.status).to.equal(400);
      expect(noReason.body.field).to.equal('reason');
      const declined = await api('POST', `/block-requests/${request.id}/decline`, 'authority', {
        reason: 'нарушение не подтвердилось',
      });
      expect(declined.body).to.include({ status: 'declined', decisionReason: 'нарушение не подтвердилось' });
      expect((await api('GET', `/participants/${id}`, 'auditor')).body.status).to.equal('active');
      expect((await api('POST', `/block-requests/${request.id}/approve`, 'authority', {})).status).to.equal(
        409,
      );
      const listed = await api('GET', `/block-requests?status=declined&participant=${id}`, 'auditor');
      expect(listed.body.map((r: { id: string }) => r.id)).to.deep.equal([request.id]);
      expect((await api('GET', '/block-requests?status=nonsense', 'operator')).status).to.equal(400);
    });

    it('refuses a request without a reason, or for a participant that cannot be blocked', async () => {
      const { id } = await activeParticipant(4);
      const noReason = await api('POST', '/block-requests', 'operator', { participantId: id });
      expect(noReason.status).to.equal(400);
      expect(noReason.body.field).to.equal('reason');
      expect(
        (await api('POST', '/block-requests', 'operator', { participantId: 'nobody', reason: 'r' })).status,
      ).to.equal(404);
      const fresh = (
        await api('POST', '/applications', 'operator', sampleApplication(store === 'sqlite' ? 6500 : 7500))
      ).body.id as string;
      expect(
        (await api('POST', '/block-requests', 'operator', { participantId: fresh, reason: 'r' })).status,
      ).to.equal(409);
    });

    it('records every step in the audit trail', async () => {
      const { id } = await activeParticipant(5);
      const request = (await api('POST', '/block-requests', 'operator', { participantId: id, reason: 'r' }))
        .body;
      await api('POST', `/block-requests/${request.id}/approve`, 'authority', {});
      await api('POST', `/block-requests/${request.id}/lift`, 'authority', { reason: 'l' });
      const entries = await gateway.store.db
        .selectFrom('audit_entries')
        .select(['action', 'role', 'actor'])
        .where('subject_id', '=', request.id)
        .orderBy('seq')
        .execute();
      expect(entries).to.deep.equal([
        { action: 'block.request', role: 'operator', actor: 'test operator' },
        { action: 'block.approve', role: 'authority', actor: 'test authority' },
        { action: 'block.lift', role: 'authority', actor: 'test authority' },
      ]);
    });

    it("refuses a blocked participant's system over SOAP with AccessDenied, and accepts it again once lifted", async () => {
      const ping = async () => (await post(gateway, signedCall({ system: 'SOCPROTECT_47' }).xml)).body;
      expect(await ping()).to.contain('PingResponse');
      const systems = (await api('GET', '/systems', 'auditor')).body as Array<{
        mnemonic: string;
        participantId: string;
      }>;
      const participantId = systems.find((s) => s.mnemonic === 'SOCPROTECT_47')?.participantId;
      const request = (
        await api('POST', '/block-requests', 'operator', { participantId, reason: 'атака на шлюз' })
      ).body;
      expect((await api('POST', `/block-requests/${request.id}/approve`, 'authority', {})).status).to.equal(
        200,
      );
      await new Promise((r) => setTimeout(r, 1000));
      const refused = await ping();
      expect(refused).to.contain('AccessDenied');
      expect(refused).not.to.contain('PingResponse');
      expect(
        (await api('POST', `/block-requests/${request.id}/lift`, 'authority', { reason: 'устранено' }))
          .status,
      ).to.equal(200);
      await new Promise((r) => setTimeout(r, 1000));
      expect(await ping()).to.contain('PingResponse');
    });
  });
}
