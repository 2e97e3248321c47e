/**
 * A Call routed to `remote:<url>` end to end: signed request in, ProvideDataRequest to a real upstream, signed answer
 * out. An upstream whose answer carries the gateway's own markup (its namespaces, a reserved Id) gets the consumer
 * a ProviderFailure naming it, never a signed answer that no longer reads.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readCallAnswer } from '../../../src/client/answer.js';
import { loadTrustStore } from '../../../src/signature/setup.js';
import { post, signedCall, useGateway } from '../../support/gateway.js';
import { PROVIDER_NS } from '../../../src/providers/remote/wire.js';
import { withoutUrlSecrets } from '../../../src/providers/remote/remote-provider.js';
import { NS, EXCHANGE_1_3 } from '../../../src/soap/namespaces.js';

const PING_NS = 'urn://smev-gateway/services/ping/1.0';
const operator = { name: 'test', role: 'operator' as const };

describe('Call routed to a remote provider (SQLite)', () => {
  const gateway = useGateway({
    // Refused answers count against the upstream (its circuit opens after five): the tests send more than five.
    overrides: {
      'services.remote': { messageTypes: [`{${PING_NS}}PingRequest`], breaker: { failureThreshold: 100 } },
    },
  });
  let upstream: Server;
  let received = '';
  let mode: 'answer' | 'reject' | 'fail' | 'content' = 'answer';
  /** What `content` mode answers inside pd:Content. */
  let content = '';
  let upstreamUrl = '';

  before(async () => {
    upstream = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        received = Buffer.concat(chunks).toString('utf8');
        const text = /<ping:Text>([^<]*)<\/ping:Text>/.exec(received)?.[1] ?? '?';
        const body =
          mode === 'content'
            ? `<pd:Content>${content}</pd:Content>`
            : mode === 'answer'
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
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/provide?key=K3Y-secret`;
    upstreamUrl = url;
    const routes = (await gateway.registry.listRoutes(operator)) as Array<{
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
    // The route's address (its key included) is the operator's: the answer is addressed to the consumer.
    expect(response.body).to.not.contain('K3Y-secret').and.not.contain(new URL(upstreamUrl).host);
    expect(response.body).to.match(/<ns2:DestinationName>DEMO_CONSUMER<\/ns2:DestinationName>/);
  });

  it('refuses a remote address with a user name or password at registration', async () => {
    let refused: unknown;
    await gateway.registry
      .addRoute(operator, {
        consumer: 'PORTAL_26',
        namespace: PING_NS,
        localName: 'PingRequest',
        recipient: 'DEMO_PROVIDER',
        provider: 'remote:http://svc:S3cret@127.0.0.1:9/provide',
      })
      .catch((error: unknown) => (refused = error));
    expect(String((refused as Error | undefined)?.message ?? refused)).to.match(/user name or password/);
  });

  it('names an upstream in fault texts without its credentials or query', () => {
    const text =
      'fetch failed: Request cannot be constructed from a URL that includes credentials: ' +
      'http://svc:S3cret@127.0.0.1:9501/provide?apikey=K3Y, then https://a.example/x?k=1#f.';
    expect(withoutUrlSecrets(text)).to.equal(
      'fetch failed: Request cannot be constructed from a URL that includes credentials: ' +
        // Punctuation after a query is taken as part of it, and goes with it.
        'http://127.0.0.1:9501/provide then https://a.example/x',
    );
    expect(withoutUrlSecrets('no address here: ://')).to.equal('no address here: ://');
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

  describe("an answer carrying the gateway's own markup", () => {
    const DS = 'http://www.w3.org/2000/09/xmldsig#';
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      [
        'an element in the SMEV types namespace (a fake Response)',
        `<t:Response xmlns:t="${NS.types}" Id="FAKE"><t:OriginalMessageId>x</t:OriginalMessageId></t:Response>`,
        `the element {${NS.types}}Response`,
      ],
      [
        'an element in the types namespace of another contract version, nested',
        `<b:Data xmlns:b="urn:biz"><b:Item><m:Status xmlns:m="${EXCHANGE_1_3.types}">x</m:Status></b:Item></b:Data>`,
        `the element {${EXCHANGE_1_3.types}}Status`,
      ],
      [
        'a ds:Signature inside the business element',
        `<b:Data xmlns:b="urn:biz"><ds:Signature xmlns:ds="${DS}"><ds:SignedInfo/></ds:Signature></b:Data>`,
        `the element {${DS}}Signature`,
      ],
      [
        'a SOAP envelope element',
        `<b:Data xmlns:b="urn:biz"><s:Envelope xmlns:s="${NS.soap12}"><s:Body/></s:Envelope></b:Data>`,
        `the element {${NS.soap12}}Envelope`,
      ],
      [
        'a nested element with Id="SIGNED_BY_SMEV"',
        '<b:Data xmlns:b="urn:biz"><b:Item><b:Part Id="SIGNED_BY_SMEV">x</b:Part></b:Item></b:Data>',
        'the reserved Id SIGNED_BY_SMEV on {urn:biz}Part',
      ],
      [
        'an attribute in the XMLDSig namespace',
        `<b:Data xmlns:b="urn:biz" xmlns:ds="${DS}"><b:Item ds:Algorithm="x">y</b:Item></b:Data>`,
        `the attribute {${DS}}Algorithm on {urn:biz}Item`,
      ],
    ];
    for (const [kind, answer, named] of cases) {
      it(`${kind}: a ProviderFailure naming it, logged as one`, async () => {
        mode = 'content';
        content = answer;
        const { xml, messageId } = signedCall();
        const response = await post(gateway, xml);
        expect(response.status, response.body.slice(0, 400)).to.equal(500);
        expect(response.body).to.contain('SMEVFailure');
        expect(response.body).to.contain(`failed: the answer carries ${named}`);
        expect(response.body).to.not.contain('internal error');
        const logged = await gateway.store.db
          .selectFrom('message_log')
          .select(['http_status', 'fault_code'])
          .where('message_id', '=', messageId)
          .executeTakeFirst();
        expect(logged && Number(logged.http_status)).to.equal(500);
        expect(logged?.fault_code).to.equal('Server.ProviderFailure.MalformedAnswer');
      });
    }

    it('an ordinary business answer, with Ids and prefixes of its own, is still signed and answered', async () => {
      mode = 'content';
      content = `<ns2:Data xmlns:ns2="urn:biz" Id="SIGNED_BY_BUSINESS"><ns2:Item id="1">Response</ns2:Item></ns2:Data>`;
      const response = await post(gateway, signedCall().xml);
      expect(response.status, response.body).to.equal(200);
      const answer = readCallAnswer(response.body, loadTrustStore(gateway.config));
      expect(answer.kind === 'answer' && answer.payload).to.contain('SIGNED_BY_BUSINESS');
    });
  });
});
