/** `/health` tells anyone up or down, and an operator's token also what the store is and what failed. */
import { expect } from 'chai';
import { useGateway } from '../support/gateway.js';

describe('health', function () {
  this.timeout(60_000);
  const tokens: Record<string, string> = {};
  const gateway = useGateway();
  before(async () => {
    for (const role of ['operator', 'auditor'] as const) {
      tokens[role] = (await gateway.registry.createToken({ name: 't', role: 'operator' }, role, role)).token;
    }
  });

  const health = async (token?: string) => {
    const response = await fetch(`${gateway.url}/health`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('tells an unauthenticated caller only up or down', async () => {
    expect(await health()).to.deep.equal({ status: 200, body: { status: 'up' } });
    expect(await health('sgw_not-a-token')).to.deep.equal({ status: 200, body: { status: 'up' } });
    expect(await health(tokens.auditor)).to.deep.equal({ status: 200, body: { status: 'up' } });
  });

  it('gives an operator the details: the store and the message log', async () => {
    const { status, body } = await health(tokens.operator);
    expect(status).to.equal(200);
    expect(body).to.include({ status: 'up', store: 'sqlite' });
    expect(body.messageLog).to.include.keys(
      'logBytes',
      'freeBytes',
      'minFreeBytes',
      'sealed',
      'timestamping',
    );
  });
});
