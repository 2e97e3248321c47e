/** A Call routed to `remote:<url>` end to end: signed request in, ProvideDataRequest to a real upstream, signed answer out. */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readCallAnswer } from '../../../src/client/answer.js';
import { loadTrustStore } from '../../../src/signature/setup.js';
import { post, signedCall, useGateway } from '../../support/gateway.js';
import { PROVIDER_NS } from '../../../src/providers/remote/wire.js';

const PING_NS = 'urn://smev-gateway/services/ping/1.0';
const operator = { name: 'test', role: 'operator' as const };

describe('Call routed to a remote provider (SQLite)', () => {
  const gateway = useGateway({
    overrides: { 'services.remote': { messageTypes: [`{${PING_NS}}PingRequest`] } },
  });
  let upstream: Server;
  let received = '';
  let mode: 'answer' | 'reject' | 'fail' = 'answer';

  before(async () => {
    upstream = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        received = Buffer.concat(chunks).toString('utf8');
        const text = /<ping:Text>([^<]*)<\/ping:Text>/.exec(received)?.[1] ?? '?';
        const body =
          mode === 'answer'
            ? `<pd:Content><ping:PingResponse xmlns:ping="${PING_NS}"><ping:Text>remote ${text}</ping:Text><ping:ReceivedAt>2025-01-01T00:00:00Z</ping:ReceivedAt></ping:PingResponse></pd:Content>`
            : `<pd:Rejected><pd:Code>NO_DATA</pd:Code><pd:Description>nothing for ${text}</pd:Description></pd:Rejected>`;
        if (mode === 'fail') return void response.writeHead(503).end('down');
        response
          .writeHead(200, { 'content-type': 'text/xml; charset=utf-8' })
          .end(
            `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><pd:ProvideDataResponse xmlns:pd="${PROVIDER_NS}">${body}</pd:ProvideDataResponse></soap:Body></soap:Envelope>`,
          );
      });
    });
    upstream.listen(0, '127.0.0.1');
    await new Promise((resolve) => upstream.once('listening', resolve));
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/provide`;
    const routes = (await gateway.registry.listRoutes()) as Array<{
      id: string;
      consumer: string;
      local_name?: string;
      localName?: string;
      recipient: string;
    }>;
    const ping = routes.find(
      (r) => JSON.stringify(r).includes('PingRequest') && JSON.stringify(r).includes('DEMO_CONSUMER'),
    );
    if (!ping) throw new Error(`no ping route in ${JSON.stringify(routes)}`);
    await gateway.registry.withdrawRoute(operator, ping.id);
    const recipient =
      JSON.stringify(ping).match(/"(?:recipient|recipient_mnemonic)":"([A-Z0-9_]+)"/)?.[1] ?? 'DEMO_PROVIDER';
    await gateway.registry.addRoute(operator, {
      consumer: 'DEMO_CONSUMER',
      namespace: PING_NS,
      localName: 'PingRequest',
      recipient,
      provider: `remote:${url}`,
    });
    await new Promise((resolve) => setTimeout(resolve, 700)); // the directory polls the registry revision
  });
  after(() => {
    upstream.close();
  });

  it('answers with the upstream content, signed by the gateway', async () => {
    mode = 'answer';
    const { xml, messageId } = signedCall();
    const response = await post(gateway, xml);
    expect(response.status, response.body).to.equal(200);
    const answer = readCallAnswer(response.body, loadTrustStore(gateway.config));
    expect(answer.kind).to.equal('answer');
    expect(answer.kind === 'answer' && answer.payload).to.contain('remote hello');
    expect(received).to.contain(`<pd:MessageID>${messageId}</pd:MessageID>`);
    expect(received).to.contain('<pd:Sender>DEMO_CONSUMER</pd:Sender>');
  });

  it('maps an upstream rejection to RequestRejected and an upstream failure to a fault', async () => {
    mode = 'reject';
    const rejected = await post(gateway, signedCall().xml);
    expect(rejected.status).to.equal(200);
    expect(rejected.body).to.contain('NO_DATA');
    mode = 'fail';
    const failed = await post(gateway, signedCall().xml);
    expect(failed.status).to.equal(500);
    expect(failed.body).to.contain('HTTP 503');
  });
});
