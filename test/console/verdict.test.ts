/**
 * The console's "verify integrity" verdicts: "only unproven" is read from the verdict's structure. Problem texts
 * quote what the store holds, so an edit of the store could otherwise make a broken trail read as merely unproven.
 */
import { expect } from 'chai';
import { httpSignIn, http } from './http.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

describe('console: integrity verdicts', function () {
  this.timeout(60_000);
  let gateway: TestGateway;
  let auditor: string;
  before(async () => {
    gateway = await startTestGateway();
    auditor = (
      await gateway.registry.createToken({ name: 'test setup', role: 'operator' }, 'auditor A', 'auditor')
    ).token;
  });
  after(() => gateway.stop());

  it('a trail whose checkpoints are forged is broken, even when every problem reads like an unproven tail', async () => {
    await gateway.checkpoint();
    await gateway.store.db
      .updateTable('audit_checkpoints')
      .set({ algorithm: 'no checkpoint, not yet' })
      .execute();
    const { cookie, csrf } = await httpSignIn(gateway.url, auditor);
    const page = await http(`${gateway.url}/console/audit/verify`, { cookie, form: { _csrf: csrf } });
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('unknown signature algorithm no checkpoint, not yet');
    expect(page.text).to.match(/Цепочка нарушена|The chain is broken/);
    expect(page.text).not.to.match(/Цела, но не все записи|Intact, but not every record/);
  });
});
