/**
 * HTTPS and mutual TLS with the sample PKI: the gateway serves HTTPS with certs-sample/tls/server.*, clients that
 * trust the sample CA talk to it (node, the send command, curl); with mutual TLS it refuses a client without a
 * certificate, one whose certificate comes from a foreign CA and one whose certificate the CRL revokes, and serves
 * the sample client certificate.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readCallAnswer } from '../../src/client/answer.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { createGatewayServer } from '../../src/server/http-server.js';
import { postSoap } from '../../src/client/send.js';
import { addYears, createRootCa } from '../../src/sample-pki/issue.js';
import { issueTlsCertificate } from '../../src/sample-pki/sample-tls.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { SOAP11, SOAP12 } from '../../src/soap/version.js';
import { signedCall, startTestGateway, type TestGateway, useGateway } from '../support/gateway.js';
import { httpsCall, pem, SAMPLE, slowClient } from './support.js';

const run = promisify(execFile);

const HTTPS = { 'http.tls': { cert: SAMPLE.serverCert, key: SAMPLE.serverKey } };
const MUTUAL = {
  'http.tls': {
    cert: SAMPLE.serverCert,
    key: SAMPLE.serverKey,
    requireClientCert: true,
    clientCaFiles: [SAMPLE.ca],
    clientCrlFiles: [SAMPLE.crl],
  },
};

/** `https://localhost:PORT`: the name the sample server certificate carries. */
const localhost = (gateway: TestGateway) => gateway.url.replace('127.0.0.1', 'localhost');

async function refused(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
  expect.fail('the connection was accepted');
}

describe('server: HTTPS and mutual TLS', function () {
  this.timeout(60_000);

  describe('HTTPS', () => {
    const gateway = useGateway({ overrides: HTTPS });

    it('serves HTTPS to a client trusting the sample CA, by name and by address, with HSTS', async () => {
      expect(gateway.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
      for (const base of [gateway.url, localhost(gateway)]) {
        const health = await httpsCall(`${base}/health`, { ca: pem(SAMPLE.ca) });
        expect(health.status).to.equal(200);
        expect(health.headers['strict-transport-security']).to.equal('max-age=31536000');
      }
    });

    it('is refused by a client that does not trust the sample CA', async () => {
      expect(await refused(httpsCall(`${gateway.url}/health`))).to.equal('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    });

    it('answers a signed Call over HTTPS in both SOAP versions, and writes https addresses into the WSDL', async () => {
      for (const version of [SOAP11, SOAP12]) {
        const { status, body } = await postSoap(
          gateway.endpoint,
          signedCall({ version }).xml,
          version,
          'urn:Call',
          {
            ca: pem(SAMPLE.ca),
          },
        );
        expect(status).to.equal(200);
        expect(readCallAnswer(body, loadTrustStore(gateway.config)).kind).to.equal('answer');
      }
      const wsdl = await httpsCall(`${localhost(gateway)}/ws?wsdl`, { ca: pem(SAMPLE.ca) });
      expect(wsdl.body).to.contain(`location="${localhost(gateway)}/ws"`);
    });

    it('interoperates with curl', async () => {
      const { stdout } = await run('curl', [
        '-sS',
        '--cacert',
        SAMPLE.ca,
        '-w',
        '\\n%{http_code}',
        `${localhost(gateway)}/health`,
      ]);
      expect(stdout.trim().split('\n')).to.deep.equal(['{"status":"up"}', '200']);
    });

    it('cuts off a client that connects and never finishes the handshake', async () => {
      const slow = await startTestGateway({
        overrides: { ...HTTPS, 'http.headersTimeoutMs': 1000, 'http.requestTimeoutMs': 2000 },
      });
      try {
        const stalled = await slowClient(slow.url, '', '', 1000).done;
        expect(stalled.ms).to.be.within(900, 2000);
      } finally {
        await slow.stop();
      }
    });
  });

  describe('mutual TLS', () => {
    let foreign: { cert: string; key: string };
    const gateway = useGateway({ overrides: MUTUAL });
    before(() => {
      const now = new Date();
      // An impostor CA under the sample CA's very name.
      const otherCa = createRootCa({
        commonName: 'smev-gateway sample CA',
        organization: 'smev-gateway sample certification centre',
        now,
        years: 1,
      });
      const impostor = issueTlsCertificate(otherCa, {
        commonName: 'DEMO_CONSUMER TLS client',
        role: 'client',
        notBefore: now,
        notAfter: addYears(now, 1),
      });
      foreign = { cert: impostor.certPem, key: impostor.keyPem };
    });

    const client = { cert: pem(SAMPLE.clientCert), key: pem(SAMPLE.clientKey) };

    it('serves a client presenting the sample client certificate', async () => {
      const health = await httpsCall(`${gateway.url}/health`, { ca: pem(SAMPLE.ca), ...client });
      expect(health.status).to.equal(200);
      const { status, body } = await postSoap(gateway.endpoint, signedCall().xml, SOAP11, 'urn:Call', {
        ca: pem(SAMPLE.ca),
        ...client,
      });
      expect(status).to.equal(200);
      expect(readCallAnswer(body, loadTrustStore(gateway.config)).kind).to.equal('answer');
    });

    it('refuses a client without a certificate', async () => {
      const code = await refused(httpsCall(`${gateway.url}/health`, { ca: pem(SAMPLE.ca) }));
      expect(code).to.equal('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    });

    it('refuses a client whose certificate comes from a foreign CA, even one named like the sample CA', async () => {
      // node checks the chain after the handshake and drops the connection without an alert: a reset.
      expect(await refused(httpsCall(`${gateway.url}/health`, { ca: pem(SAMPLE.ca), ...foreign }))).to.equal(
        'ECONNRESET',
      );
    });

    it('refuses a client whose certificate the CRL revokes', async () => {
      // REVOKED_SYSTEM's signing certificate, from the sample CA itself, is on certs-sample/ca.crl.pem.
      const revoked = {
        cert: pem('certs-sample/REVOKED_SYSTEM.crt.pem'),
        key: pem('certs-sample/REVOKED_SYSTEM.key.pem'),
      };
      expect(await refused(httpsCall(`${gateway.url}/health`, { ca: pem(SAMPLE.ca), ...revoked }))).to.equal(
        'ECONNRESET',
      );
      // …while an unrevoked signing certificate from the same CA is served: the CRL, not the kind of certificate, refused it.
      const demo = {
        cert: pem('certs-sample/DEMO_CONSUMER.crt.pem'),
        key: pem('certs-sample/DEMO_CONSUMER.key.pem'),
      };
      expect((await httpsCall(`${gateway.url}/health`, { ca: pem(SAMPLE.ca), ...demo })).status).to.equal(
        200,
      );
    });

    it('interoperates with curl: with the sample client certificate served, without one refused', async () => {
      const url = `${localhost(gateway)}/health`;
      const { stdout } = await run('curl', [
        '-sS',
        '--cacert',
        SAMPLE.ca,
        '--cert',
        SAMPLE.clientCert,
        '--key',
        SAMPLE.clientKey,
        '-w',
        '\\n%{http_code}',
        url,
      ]);
      expect(stdout.trim().split('\n')).to.deep.equal(['{"status":"up"}', '200']);
      const without = await run('curl', ['-sS', '--cacert', SAMPLE.ca, url]).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
      // 56: failure receiving network data (the server's certificate_required alert); 35: handshake failed.
      expect(without).to.be.oneOf([35, 56]);
    });

    it('logs a handshake refused for want of a certificate and counts it in /metrics by reason', async () => {
      const metric = async () => {
        const { body } = await httpsCall(`${gateway.url}/metrics`, { ca: pem(SAMPLE.ca), ...client });
        return body.split('\n').filter((line) => line.startsWith('smev_gateway_tls_refusals_total{'));
      };
      const before = await metric();
      await refused(httpsCall(`${gateway.url}/health`, { ca: pem(SAMPLE.ca) }));
      const after = await metric();
      expect(after).to.not.deep.equal(before);
      expect(after.join('\n')).to.match(/reason="[A-Z_]+"} [1-9]/);
    });

    it('the send command talks to it with --tls-ca, --tls-cert and --tls-key', async () => {
      const { stdout, stderr } = await run(process.execPath, [
        'dist/src/cli/main.js',
        'send',
        '--system',
        'DEMO_CONSUMER',
        '--url',
        `${localhost(gateway)}/ws`,
        '--tls-ca',
        SAMPLE.ca,
        '--tls-cert',
        SAMPLE.clientCert,
        '--tls-key',
        SAMPLE.clientKey,
        'examples/ping.xml',
      ]);
      expect(stdout).to.contain('PingResponse');
      expect(stderr).to.contain('signatures verified');
    });
  });

  describe('configuration', () => {
    it('refuses mutual TLS without client CAs', () => {
      expect(() =>
        loadConfig({
          env: {},
          overrides: {
            'http.tls': { cert: SAMPLE.serverCert, key: SAMPLE.serverKey, requireClientCert: true },
          },
        }),
      ).to.throw(ConfigError, 'http.tls.clientCaFiles: requireClientCert needs clientCaFiles');
    });

    it('names an unreadable certificate file', () => {
      const config = loadConfig({
        env: {},
        overrides: { 'http.tls': { cert: 'certs-sample/tls/missing.crt.pem', key: SAMPLE.serverKey } },
      });
      expect(() => createGatewayServer(() => undefined, config.http)).to.throw(
        ConfigError,
        'http.tls.cert: cannot read certs-sample/tls/missing.crt.pem',
      );
    });
  });
});
