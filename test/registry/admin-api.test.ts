import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { post, signedCall, useGateway } from '../support/gateway.js';
import { STORES } from '../support/store.js';
import { sampleApplication } from './support.js';
import { issueCertificate } from '../../src/sample-pki/issue.js';
import { signCallRequest, buildCallRequest } from '../../src/client/request.js';
import { RSA_SHA256 } from '../../src/signature/algorithms.js';
import { createPrivateKey } from 'node:crypto';
import { SOAP11 } from '../../src/soap/version.js';
import { CONTROL_CHARACTER } from '../../src/core/control-characters.js';
import { TrustStore } from '../../src/signature/pki/trust-store.js';
import { PING_PAYLOAD } from '../support/gateway.js';

const seedActor = { name: 'test', role: 'operator' as const };
const application = (overrides: Record<string, unknown> = {}) => sampleApplication(500, overrides);

for (const store of STORES) {
  describe(`admin API and registry (${store})`, function () {
    this.timeout(60_000);
    const tokens: Record<string, string> = {};
    const api = (method: string, path: string, role: string | undefined, body?: unknown, raw?: string) =>
      fetch(`${gateway.url}/api/v1${path}`, {
        method,
        headers: {
          ...(role ? { authorization: `Bearer ${tokens[role] ?? role}` } : {}),
          ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    const json = async (response: Response) => ({
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
    });

    const gateway = useGateway({ store });
    before(async () => {
      for (const role of ['operator', 'coordinator', 'auditor'] as const) {
        tokens[role] = (await gateway.registry.createToken(seedActor, `test ${role}`, role)).token;
      }
      tokens.second = (await gateway.registry.createToken(seedActor, 'second operator', 'operator')).token;
    });

    it('serves its OpenAPI document without a token', async () => {
      const { status, body } = await json(await api('GET', '/openapi.json', undefined));
      expect(status).to.equal(200);
      expect(body.openapi).to.equal('3.1.0');
    });

    it('refuses a missing or unknown token with 401 and a wrong role with 403, changing nothing', async () => {
      expect((await api('GET', '/participants', undefined)).status).to.equal(401);
      expect((await api('GET', '/participants', 'sgw_not-a-token')).status).to.equal(401);
      const before = (await json(await api('GET', '/participants', 'auditor'))).body as unknown as unknown[];
      expect((await api('POST', '/applications', 'auditor', application())).status).to.equal(403);
      expect((await api('POST', '/applications', 'coordinator', application())).status).to.equal(403);
      const after = (await json(await api('GET', '/participants', 'auditor'))).body as unknown as unknown[];
      expect(after).to.have.length(before.length);
    });

    it('takes an application through check, register and activate, recording who did what', async () => {
      const applied = await json(await api('POST', '/applications', 'operator', application()));
      expect(applied.status).to.equal(201);
      const id = applied.body.id as string;
      expect(applied.body.status).to.equal('submitted');
      expect((await api('POST', `/participants/${id}/register`, 'operator')).status).to.equal(409);
      expect((await api('POST', `/participants/${id}/check`, 'operator')).status).to.equal(403);
      expect(
        (await json(await api('POST', `/participants/${id}/check`, 'coordinator'))).body.status,
      ).to.equal('checked');
      const registered = await json(await api('POST', `/participants/${id}/register`, 'operator'));
      expect(registered.body.registryCode).to.match(/^REG-\d{13}$/);
      expect(
        (await json(await api('POST', `/participants/${id}/activate`, 'operator'))).body.status,
      ).to.equal('active');
      const shown = await json(await api('GET', `/participants/${id}`, 'auditor'));
      const transitions = shown.body.transitions as Array<{ to_status: string; role: string; actor: string }>;
      expect(transitions.map((t) => t.to_status)).to.deep.equal([
        'submitted',
        'checked',
        'registered',
        'active',
      ]);
      expect(transitions[1]?.role).to.equal('coordinator');
      const png = await api('GET', `/participants/${id}/qr.png`, 'auditor');
      expect(png.headers.get('content-type')).to.equal('image/png');
      expect(
        Buffer.from(await png.arrayBuffer())
          .subarray(1, 4)
          .toString(),
      ).to.equal('PNG');
      expect(await (await api('GET', `/participants/${id}/qr.svg`, 'auditor')).text()).to.contain('<svg');
    });

    it("replaces a participant's data after a reported change, checked and audited", async () => {
      const first = application();
      const id = (await json(await api('POST', '/applications', 'operator', first))).body.id as string;
      const changed = {
        ...first,
        changedOn: new Date().toISOString().slice(0, 10),
        address: 'New address',
        contact: { ...first.contact, phone: '8 (912) 000-11-22' },
      };
      expect((await api('PUT', `/participants/${id}`, 'coordinator', changed)).status).to.equal(403);
      const bad = await json(
        await api('PUT', `/participants/${id}`, 'operator', { ...changed, inn: '7707083894' }),
      );
      expect(bad.body.field).to.equal('inn');
      const updated = await json(await api('PUT', `/participants/${id}`, 'operator', changed));
      expect(updated.status).to.equal(200);
      expect(updated.body.address).to.equal('New address');
      expect((updated.body.contact as { phone: string }).phone).to.equal('+79120001122');
      const entries = await gateway.store.db
        .selectFrom('audit_entries')
        .select(['action', 'before_json', 'after_json'])
        .where('subject_id', '=', id)
        .where('action', '=', 'participant.update')
        .execute();
      expect(entries).to.have.length(1);
      expect(entries[0]?.before_json).to.contain('Test address');
      expect(entries[0]?.after_json).to.contain('New address');
    });

    it('declines only with a reason', async () => {
      const id = (await json(await api('POST', '/applications', 'operator', application()))).body
        .id as string;
      const refused = await json(await api('POST', `/participants/${id}/decline`, 'coordinator', {}));
      expect(refused.status).to.equal(400);
      expect(refused.body.field).to.equal('reason');
      const declined = await json(
        await api('POST', `/participants/${id}/decline`, 'coordinator', {
          reason: 'OGRN does not match the EGRUL record',
        }),
      );
      expect(declined.body.status).to.equal('declined');
      expect((await api('POST', `/participants/${id}/check`, 'coordinator')).status).to.equal(409);
    });

    it('names the field of every bad input and refuses unknown fields, malformed JSON and oversize bodies', async () => {
      const badOgrn = await json(
        await api('POST', '/applications', 'operator', application({ ogrn: '1027700132194' })),
      );
      expect(badOgrn.status).to.equal(400);
      expect(badOgrn.body.field).to.equal('ogrn');
      const badInn = await json(
        await api('POST', '/applications', 'operator', application({ inn: '7707083894' })),
      );
      expect(badInn.body.field).to.equal('inn');
      const badKpp = await json(await api('POST', '/applications', 'operator', application({ kpp: '77AB' })));
      expect(badKpp.body.field).to.equal('kpp');
      const badPhone = await json(
        await api(
          'POST',
          '/applications',
          'operator',
          application({ contact: { name: 'a', position: 'b', phone: '12345', email: 'x@example.org' } }),
        ),
      );
      expect(badPhone.body.field).to.equal('contact.phone');
      const unknown = await json(
        await api('POST', '/applications', 'operator', application({ colour: 'blue' })),
      );
      expect(unknown.status).to.equal(400);
      expect(String(unknown.body.error)).to.contain('colour');
      expect((await api('POST', '/applications', 'operator', undefined, '{"fullName": ')).status).to.equal(
        400,
      );
      expect(
        (
          await api(
            'POST',
            '/applications',
            'operator',
            undefined,
            JSON.stringify({ fullName: 'x'.repeat(70_000) }),
          )
        ).status,
      ).to.equal(413);
    });

    it('refuses a duplicate OGRN and a taken mnemonic with 409', async () => {
      const first = application();
      expect((await api('POST', '/applications', 'operator', first)).status).to.equal(201);
      expect((await api('POST', '/applications', 'operator', first)).status).to.equal(409);
      const participants = (await json(await api('GET', '/participants?status=active', 'auditor')))
        .body as unknown as Array<{ id: string }>;
      const owner = participants[0]?.id as string;
      expect(
        (
          await api('POST', `/participants/${owner}/systems`, 'operator', {
            mnemonic: 'DEMO_CONSUMER',
            name: 'again',
          })
        ).status,
      ).to.equal(409);
      const badMnemonic = await json(
        await api('POST', `/participants/${owner}/systems`, 'operator', {
          mnemonic: 'bad mnemonic',
          name: 'x',
        }),
      );
      expect(badMnemonic.body.field).to.equal('mnemonic');
    });

    it('lets exactly one of two operators win a concurrent transition', async () => {
      const id = (await json(await api('POST', '/applications', 'operator', application()))).body
        .id as string;
      await api('POST', `/participants/${id}/check`, 'coordinator');
      const [a, b] = await Promise.all([
        api('POST', `/participants/${id}/register`, 'operator'),
        api('POST', `/participants/${id}/register`, 'second'),
      ]);
      expect([a.status, b.status].sort()).to.deep.equal([200, 409]);
      const shown = await json(await api('GET', `/participants/${id}`, 'auditor'));
      expect((shown.body.transitions as unknown[]).length).to.equal(3);
    });

    it('refuses a certificate that does not chain to the trust store', async () => {
      const pem = readFileSync('certs-sample/ca.crt.pem', 'utf8');
      const refused = await json(await api('POST', '/systems/PORTAL_26/certificates', 'operator', { pem }));
      expect(refused.status).to.equal(400);
      expect(refused.body.field).to.equal('pem');
    });

    it('applies registry changes to the exchange within a second', async () => {
      const ping = async () => (await post(gateway, signedCall({ system: 'SOCPROTECT_47' }).xml)).body;
      expect(await ping()).to.contain('PingResponse');
      expect(
        (await api('POST', '/systems/SOCPROTECT_47/suspend', 'operator', { reason: 'security review' }))
          .status,
      ).to.equal(200);
      await new Promise((r) => setTimeout(r, 1000));
      expect(await ping()).to.contain('AccessDenied');
      expect((await api('POST', '/systems/SOCPROTECT_47/resume', 'operator', {})).status).to.equal(200);
      await new Promise((r) => setTimeout(r, 1000));
      expect(await ping()).to.contain('PingResponse');

      const routes = (await json(await api('GET', '/routes', 'auditor'))).body as unknown as Array<{
        id: string;
        consumer: string;
        localName: string;
      }>;
      const route = routes.find((r) => r.consumer === 'SOCPROTECT_47' && r.localName === 'PingRequest');
      expect((await api('DELETE', `/routes/${route?.id}`, 'operator')).status).to.equal(200);
      await new Promise((r) => setTimeout(r, 1000));
      expect(await ping()).to.contain('RecipientIsNotFound');
    });

    it('accepts a rotated certificate beside the old one', async () => {
      const now = new Date();
      const ca = {
        certPem: readFileSync('certs-sample/ca.crt.pem', 'utf8'),
        keyPem: readFileSync('certs-sample/ca.key.pem', 'utf8'),
      };
      const rotated = issueCertificate(ca, {
        commonName: 'PORTAL_26',
        mnemonic: 'PORTAL_26',
        notBefore: new Date(now.getTime() - 60_000),
        notAfter: new Date(now.getTime() + 86_400_000),
      });
      const sign = () =>
        signCallRequest(buildCallRequest({ version: SOAP11, payload: PING_PAYLOAD }).xml, {
          privateKey: createPrivateKey(rotated.keyPem),
          certificatePem: rotated.certPem,
          signatureAlgorithm: RSA_SHA256,
        });
      expect((await post(gateway, sign())).body).to.contain('SenderIsNotRegistered');
      expect(
        (await api('POST', '/systems/PORTAL_26/certificates', 'operator', { pem: rotated.certPem })).status,
      ).to.equal(201);
      await new Promise((r) => setTimeout(r, 1000));
      expect((await post(gateway, sign())).body).to.contain('PingResponse');
      expect((await post(gateway, signedCall({ system: 'PORTAL_26' }).xml)).body).to.contain('PingResponse');
    });

    it('refuses a certificate whose subject carries control characters, and shows such names escaped', async () => {
      const now = new Date();
      const ca = {
        certPem: readFileSync('certs-sample/ca.crt.pem', 'utf8'),
        keyPem: readFileSync('certs-sample/ca.key.pem', 'utf8'),
      };
      const before = (await json(await api('GET', '/systems/PORTAL_26/certificates', 'operator'))).body;
      for (const commonName of ['evil\u202Egpj.exe', 'bell\u0085line', 'colour\u009b31m']) {
        const issued = issueCertificate(ca, {
          commonName,
          mnemonic: 'PORTAL_26',
          notBefore: new Date(now.getTime() - 60_000),
          notAfter: new Date(now.getTime() + 86_400_000),
        });
        const refused = await json(
          await api('POST', '/systems/PORTAL_26/certificates', 'operator', { pem: issued.certPem }),
        );
        expect(refused.status, JSON.stringify(commonName)).to.equal(400);
        expect(refused.body.field).to.equal('pem');
        expect(refused.body.error).to.match(/must not contain control characters/);
        // Names the registry does not keep (a signer's, a CA's) reach faults and screens escaped.
        const checked = TrustStore.fromPem([ca.certPem], []).check(issued.certPem, now);
        expect(CONTROL_CHARACTER.test(checked.subject), checked.subject).to.equal(false);
        expect(checked.subject).to.match(/CN=\w+\\(x|u)/);
      }
      const after = (await json(await api('GET', '/systems/PORTAL_26/certificates', 'operator'))).body;
      expect(after).to.deep.equal(before);
    });
  });
}
