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

describe('health: token look-ups are limited per address', function () {
  this.timeout(60_000);
  const gateway = useGateway({ overrides: { 'http.rateLimit.admin': 3 } });

  const status = async (path: string, token?: string) =>
    (
      await fetch(`${gateway.url}${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      })
    ).status;

  it('counts a /health that presents a token with the admin API, and leaves probes without one unlimited', async () => {
    // Probes without a token are not counted: far more of them than the limit, and the API is still open.
    for (let i = 0; i < 10; i++) expect(await status('/health')).to.equal(200);
    expect(await status('/api/v1/openapi.json')).to.equal(200);
    // Guessed tokens on /health use up the same count as the API: the fourth request from the address is refused.
    expect([await status('/health', 'sgw_guess1'), await status('/health', 'sgw_guess2')]).to.deep.equal([
      200, 200,
    ]);
    expect(await status('/health', 'sgw_guess3')).to.equal(429);
    expect(await status('/api/v1/openapi.json')).to.equal(429);
    // A load balancer's probe still gets its answer.
    expect(await status('/health')).to.equal(200);
  });
});
