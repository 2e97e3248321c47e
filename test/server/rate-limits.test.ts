/**
 * Request limits per client address: a SOAP client over its limit gets a TooManyRequests fault in its own SOAP
 * version with 429 and Retry-After, before anything of its request is processed; on /ws only refused messages and
 * WSDL fetches count, not answered ones; the admin API answers 429 in
 * JSON; the two limits count apart; X-Forwarded-For names the client only behind a configured trusted proxy.
 */
import { expect } from 'chai';
import { SOAP12 } from '../../src/soap/version.js';
import { NS } from '../../src/soap/namespaces.js';
import { parseDom, type Element } from '../../src/xml/dom.js';
import { post, signedCall, startTestGateway, type TestGateway } from '../support/gateway.js';
import { postSoapRaw, readFault, rawHttp } from '../foundation/helpers.js';

/** The namespace of the element in a fault's detail. */
function faultDetailNamespace(xml: string): string | null {
  const detail =
    parseDom(xml).getElementsByTagName('detail')[0] ??
    parseDom(xml).getElementsByTagNameNS(NS.soap12, 'Detail')[0];
  const element = detail ? Array.from(detail.childNodes).find((node) => node.nodeType === 1) : undefined;
  return (element as Element | undefined)?.namespaceURI ?? null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('server: rate limits per client address', function () {
  this.timeout(30_000);

  describe('SOAP endpoint and admin API with small limits', () => {
    let gateway: TestGateway;
    beforeEach(async () => {
      gateway = await startTestGateway({
        overrides: { 'http.rateLimit.soap': 3, 'http.rateLimit.admin': 2 },
      });
    });
    afterEach(() => gateway.stop());

    it('answers the request over the SOAP limit with a SOAP 1.1 fault, 429 and Retry-After', async () => {
      for (let i = 0; i < 3; i++)
        expect((await postSoapRaw(gateway.endpoint, '<a><b></a>')).status).to.equal(500);
      const response = await postSoapRaw(gateway.endpoint, signedCall().xml);
      expect(response.status).to.equal(429);
      expect(response.headers['content-type']).to.equal('text/xml; charset=utf-8');
      expect(Number(response.headers['retry-after'])).to.be.within(1, 60);
      const fault = readFault(response.body);
      expect(fault.envelopeNs).to.equal(NS.soap11);
      expect(fault.soapCode).to.equal('soap:Client');
      expect(fault.element).to.equal('QuoteLimitExceeded');
      expect(fault.code).to.equal('TooManyRequests');
      expect(fault.reason).to.contain('more than 3 requests in 60 s');
    });

    it('speaks SOAP 1.2 to a SOAP 1.2 client over the limit', async () => {
      for (let i = 0; i < 3; i++) await post(gateway, '<a><b></a>', SOAP12);
      const response = await postSoapRaw(gateway.endpoint, signedCall({ version: SOAP12 }).xml, SOAP12);
      expect(response.status).to.equal(429);
      expect(response.headers['content-type']).to.equal('application/soap+xml; charset=utf-8');
      expect(response.headers['retry-after']).to.match(/^\d+$/);
      const fault = readFault(response.body);
      expect(fault.envelopeNs).to.equal(NS.soap12);
      expect(fault.soapCode).to.equal('soap:Sender');
      expect(fault.subcode).to.equal('f:QuoteLimitExceeded');
      expect(fault.code).to.equal('TooManyRequests');
    });

    it('writes the fault in the faults namespace of the contract version, at any path the endpoint answers', async () => {
      const soap11 = { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:Call"' };
      for (let i = 0; i < 3; i++)
        await rawHttp(gateway.endpoint, { path: '/ws/1.2', body: '<a><b></a>', headers: soap11 });
      for (const path of ['/ws/1.2', '/ws/1.2/', '/WS/1.2']) {
        const response = await rawHttp(gateway.endpoint, { path, body: signedCall().xml, headers: soap11 });
        expect(response.status, path).to.equal(429);
        expect(faultDetailNamespace(response.body), path).to.equal(
          'urn://x-artefacts-smev-gov-ru/services/message-exchange/types/faults/1.2',
        );
      }
    });

    it('does not count messages it answered: only refused ones and WSDL fetches use up the limit', async () => {
      // A busy client is not refused for being busy: five answered Calls over a limit of three.
      for (let i = 0; i < 5; i++) expect((await post(gateway, signedCall().xml)).status).to.equal(200);
      const replayed = signedCall().xml;
      expect((await post(gateway, replayed)).status).to.equal(200);
      // A replay is refused, and counted; so is a malformed message and a WSDL fetch.
      expect((await post(gateway, replayed)).status).to.equal(500);
      expect((await postSoapRaw(gateway.endpoint, 'not xml')).status).to.equal(500);
      expect((await fetch(`${gateway.endpoint}?wsdl`)).status).to.equal(200);
      // Then the address is over its limit, for every message it sends.
      const refused = await post(gateway, signedCall().xml);
      expect(refused.status).to.equal(429);
    });

    it('weighs refusals by their size: past soapRefusedBytes an address is refused, while answered messages cost nothing', async () => {
      const small = await startTestGateway({
        overrides: { 'http.rateLimit.soap': 100, 'http.rateLimit.soapRefusedBytes': 250_000 },
      });
      try {
        // 100 KB of text in a signed call's Header, its signature forged: refused after it is read and parsed.
        const padding = `<x:P xmlns:x="urn://example.test/x">${'<x:e/>'.repeat(16_000)}</x:P>`;
        const forged = () =>
          signedCall()
            .xml.replace('<soap:Header/>', `<soap:Header>${padding}</soap:Header>`)
            .replace(/<ds:SignatureValue>[^<]*/, '<ds:SignatureValue>AAAA');
        // Answered messages, however many, spend nothing.
        for (let i = 0; i < 5; i++) expect((await post(small, signedCall().xml)).status).to.equal(200);
        for (let i = 0; i < 3; i++) expect((await post(small, forged())).status).to.equal(500);
        // Three refusals of about 100 KB pass 250 KB: the next message is refused before it is read.
        const refused = await postSoapRaw(small.endpoint, signedCall().xml);
        expect(refused.status).to.equal(429);
        expect(Number(refused.headers['retry-after'])).to.be.within(1, 60);
        expect(readFault(refused.body).code).to.equal('TooManyRequests');
        expect(readFault(refused.body).reason).to.contain('bytes of refused messages');
      } finally {
        await small.stop();
      }
    });

    it('counts WSDL fetches on /ws too and refuses them in plain text', async () => {
      for (let i = 0; i < 3; i++) expect((await fetch(`${gateway.endpoint}?wsdl`)).status).to.equal(200);
      const response = await fetch(`${gateway.endpoint}?wsdl`);
      expect(response.status).to.equal(429);
      expect(response.headers.get('content-type')).to.match(/^text\/plain/);
      expect(response.headers.get('retry-after')).to.match(/^\d+$/);
    });

    it('answers the admin API over its limit with JSON, 429 and Retry-After, apart from the SOAP count', async () => {
      for (let i = 0; i < 2; i++)
        expect((await fetch(`${gateway.url}/api/v1/openapi.json`)).status).to.equal(200);
      const response = await fetch(`${gateway.url}/api/v1/participants`);
      expect(response.status).to.equal(429);
      expect(response.headers.get('retry-after')).to.match(/^\d+$/);
      expect(((await response.json()) as { error: string }).error).to.contain('more than 2 requests');
      // Refused before authentication: no token was needed to be counted.
      expect((await post(gateway, signedCall().xml)).status).to.equal(200);
      // Health and metrics are not limited.
      expect((await fetch(`${gateway.url}/health`)).status).to.equal(200);
    });

    it('ignores X-Forwarded-For when no proxy is trusted', async () => {
      const statuses: number[] = [];
      for (const forwarded of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
        const response = await rawHttp(gateway.url, {
          method: 'GET',
          path: '/api/v1/openapi.json',
          headers: { 'x-forwarded-for': forwarded },
        });
        statuses.push(response.status);
      }
      expect(statuses).to.deep.equal([200, 200, 429]);
    });
  });

  it('counts the attachment store and the registry entries with the admin API, before any credential is read', async () => {
    const gateway = await startTestGateway({ overrides: { 'http.rateLimit.admin': 2 } });
    try {
      const basic = `Basic ${Buffer.from('SOCPROTECT_47:guess').toString('base64')}`;
      const download = () =>
        fetch(`${gateway.url}/attachments/00000000-0000-4000-8000-000000000000`, {
          headers: { authorization: basic },
        });
      expect((await download()).status).to.equal(401);
      expect((await fetch(`${gateway.url}/registry/REG-0000000000000`)).status).to.not.equal(429);
      const refused = await download();
      expect(refused.status).to.equal(429);
      expect(refused.headers.get('retry-after')).to.match(/^\d+$/);
      expect((await fetch(`${gateway.url}/api/v1/openapi.json`)).status).to.equal(429);
      // The SOAP endpoint keeps its own count.
      expect((await post(gateway, signedCall().xml)).status).to.equal(200);
    } finally {
      await gateway.stop();
    }
  });

  it('processes nothing of a refused request: after the window the same message is accepted, not a replay', async () => {
    const gateway = await startTestGateway({
      overrides: { 'http.rateLimit.soap': 2, 'http.rateLimit.windowSeconds': 2 },
    });
    try {
      for (let i = 0; i < 2; i++) expect((await fetch(`${gateway.endpoint}?wsdl`)).status).to.equal(200);
      const refused = signedCall();
      const response = await post(gateway, refused.xml);
      expect(response.status).to.equal(429);
      await sleep(2100);
      expect((await post(gateway, refused.xml)).status).to.equal(200);
    } finally {
      await gateway.stop();
    }
  });

  it('counts each client named by a trusted proxy apart', async () => {
    const gateway = await startTestGateway({
      overrides: { 'http.rateLimit.admin': 1, 'http.trustProxy': 'loopback' },
    });
    try {
      const call = (forwarded: string) =>
        rawHttp(gateway.url, {
          method: 'GET',
          path: '/api/v1/openapi.json',
          headers: { 'x-forwarded-for': forwarded },
        }).then((response) => response.status);
      expect([await call('192.0.2.1'), await call('192.0.2.2'), await call('192.0.2.1')]).to.deep.equal([
        200, 200, 429,
      ]);
      // A client cannot escape its count by prepending addresses of its own: the proxy appends the real one.
      expect(await call('198.51.100.7, 192.0.2.1')).to.equal(429);
    } finally {
      await gateway.stop();
    }
  });

  it('limits /ws by default (6000 a minute per address), and the admin API at 600', async () => {
    const gateway = await startTestGateway();
    try {
      const statuses = await Promise.all(
        Array.from({ length: 40 }, () => fetch(`${gateway.endpoint}?wsdl`).then((r) => r.status)),
      );
      expect(new Set(statuses)).to.deep.equal(new Set([200]));
      const wsdl = await fetch(`${gateway.endpoint}?wsdl`);
      expect(wsdl.headers.get('ratelimit-policy')).to.equal('6000;w=60');
      const admin = await fetch(`${gateway.url}/api/v1/openapi.json`);
      expect(admin.headers.get('ratelimit-policy')).to.equal('600;w=60');
    } finally {
      await gateway.stop();
    }
  });

  it('refuses a trustProxy of true: anyone could then choose their own address', async () => {
    let error: unknown;
    try {
      await startTestGateway({ overrides: { 'http.trustProxy': true } });
    } catch (caught) {
      error = caught;
    }
    expect((error as Error | undefined)?.message).to.contain('http.trustProxy');
  });
});
