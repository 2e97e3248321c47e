/** The CLI reaches the gateway where its configuration puts it: --url, then PUBLIC_URL, then HOST/PORT and TLS. */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayEndpoint } from '../../src/cli/gateway-url.js';

describe('CLI gateway address', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smev-url-'));
  const saved = { ...process.env };
  const config = (settings: unknown) => {
    const file = join(dir, `config-${Math.random()}.json`);
    writeFileSync(file, JSON.stringify(settings));
    return file;
  };
  beforeEach(() => {
    for (const name of ['PORT', 'HOST', 'PUBLIC_URL', 'SMEV_GATEWAY_CONFIG']) delete process.env[name];
  });
  after(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('defaults to the default gateway', () => {
    expect(gatewayEndpoint({})).to.equal('http://127.0.0.1:8080/ws');
  });

  it('follows PORT and HOST, reaching a gateway on every address through loopback', () => {
    process.env.PORT = '9443';
    expect(gatewayEndpoint({})).to.equal('http://127.0.0.1:9443/ws');
    process.env.HOST = '0.0.0.0';
    expect(gatewayEndpoint({})).to.equal('http://127.0.0.1:9443/ws');
    process.env.HOST = '::1';
    expect(gatewayEndpoint({})).to.equal('http://[::1]:9443/ws');
  });

  it('follows the config file, its TLS and PUBLIC_URL', () => {
    const file = config({ host: 'gw.example', port: 8443, http: { tls: { cert: 'c.pem', key: 'k.pem' } } });
    expect(gatewayEndpoint({ config: file })).to.equal('https://gw.example:8443/ws');
    process.env.SMEV_GATEWAY_CONFIG = file;
    expect(gatewayEndpoint({})).to.equal('https://gw.example:8443/ws');
    process.env.PUBLIC_URL = 'https://smev.example.org/gateway/';
    expect(gatewayEndpoint({})).to.equal('https://smev.example.org/gateway/ws');
  });

  it('takes --url over everything', () => {
    process.env.PORT = '9443';
    expect(gatewayEndpoint({ url: 'http://other:1/ws' })).to.equal('http://other:1/ws');
  });

  it('a bare gateway address in --url means its endpoint /ws; any path is taken as given', () => {
    expect(gatewayEndpoint({ url: 'http://other:1' })).to.equal('http://other:1/ws');
    expect(gatewayEndpoint({ url: 'http://other:1/' })).to.equal('http://other:1/ws');
    expect(gatewayEndpoint({ url: 'http://other:1/ws/1.2' })).to.equal('http://other:1/ws/1.2');
    expect(gatewayEndpoint({ url: 'https://smev.example.org/gateway/ws' })).to.equal(
      'https://smev.example.org/gateway/ws',
    );
  });
});
