/**
 * Security headers: the admin API, WSDL and schemas, health, metrics and 404s carry helmet's set with a policy that
 * lets nothing load or frame them; SOAP answers carry only nosniff; no answer names the framework.
 */
import { expect } from 'chai';
import { signedCall, useGateway } from '../support/gateway.js';

const STRICT = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'x-permitted-cross-domain-policies': 'none',
};
/** helmet's headers a SOAP answer must not carry. */
const NOT_ON_SOAP = [
  'content-security-policy',
  'x-frame-options',
  'referrer-policy',
  'cross-origin-resource-policy',
  'cross-origin-opener-policy',
  'origin-agent-cluster',
  'x-permitted-cross-domain-policies',
  'x-download-options',
  'x-dns-prefetch-control',
  'x-xss-protection',
  'strict-transport-security',
];

describe('server: security headers', function () {
  this.timeout(30_000);

  const gateway = useGateway();

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, { headers });

  for (const [path, status] of [
    ['/api/v1/openapi.json', 200],
    ['/api/v1/participants', 401],
    ['/ws?wsdl', 200],
    ['/ws?xsd=ping-1.0.xsd', 200],
    ['/health', 200],
    ['/metrics', 200],
    ['/nowhere', 404],
  ] as const) {
    it(`GET ${path} carries the strict set (HTTP ${status})`, async () => {
      const response = await get(path);
      expect(response.status).to.equal(status);
      for (const [name, value] of Object.entries(STRICT))
        expect(response.headers.get(name), name).to.equal(value);
      expect(response.headers.get('x-powered-by')).to.equal(null);
      // Plain HTTP: no HSTS (that is for HTTPS, see tls.test.ts).
      expect(response.headers.get('strict-transport-security')).to.equal(null);
    });
  }

  describe('behind a proxy that ends TLS (publicUrl https, the gateway itself on plain HTTP)', () => {
    const proxied = useGateway({ overrides: { publicUrl: 'https://gateway.example.org' } });

    it('sends HSTS, and the console sets its cookies Secure', async () => {
      const health = await fetch(`${proxied.url}/health`);
      expect(health.headers.get('strict-transport-security')).to.equal('max-age=31536000');
      const signIn = await fetch(`${proxied.url}/console/sign-in`);
      expect(signIn.status).to.equal(200);
      const cookies = signIn.headers.getSetCookie();
      expect(cookies).to.not.deep.equal([]);
      for (const cookie of cookies) expect(cookie).to.match(/; Secure/i);
    });
  });

  it('admin API answers are never cached; the others keep their caching', async () => {
    expect((await get('/api/v1/openapi.json')).headers.get('cache-control')).to.equal('no-store');
    expect((await get('/api/v1/participants')).headers.get('cache-control')).to.equal('no-store');
    expect((await get('/health')).headers.get('cache-control')).to.equal(null);
  });

  it('a SOAP answer and a SOAP fault carry nosniff and nothing else of helmet', async () => {
    const answer = await fetch(gateway.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:Call"' },
      body: signedCall().xml,
    });
    const fault = await fetch(gateway.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:Call"' },
      body: '<not-soap',
    });
    expect(answer.status).to.equal(200);
    expect(fault.status).to.equal(500);
    for (const response of [answer, fault]) {
      expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(response.headers.get('x-powered-by')).to.equal(null);
      expect(response.headers.get('content-type')).to.match(/^text\/xml/);
      for (const name of NOT_ON_SOAP) expect(response.headers.get(name), name).to.equal(null);
    }
  });
});
