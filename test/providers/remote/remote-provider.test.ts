import { expect } from 'chai';
import nock from 'nock';
import {
  RemoteProvider,
  messageTypeKey,
  parseRemoteSettings,
} from '../../../src/providers/remote/remote-provider.js';
import { PROVIDER_NS } from '../../../src/providers/remote/wire.js';
import { GatewayFault } from '../../../src/core/faults.js';
import {
  ManualClock,
  WEATHER_NS,
  contentAnswer,
  envelope,
  rejectedAnswer,
  rejectionOf,
  remoteCall,
  soapFault,
} from './support.js';

const ORIGIN = 'http://upstream.test';
const URL = `${ORIGIN}/provide`;
const longDeadline = () => AbortSignal.timeout(10_000);
/** Fast retries so the tests do not wait on backoff. */
const provider = (options: ConstructorParameters<typeof RemoteProvider>[0] = {}) =>
  new RemoteProvider({ retryBaseDelayMs: 5, retryMaxDelayMs: 20, ...options });

describe('RemoteProvider (nock)', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  describe('answers', () => {
    it('sends ProvideDataRequest as SOAP 1.1 and maps Content back to the business element', async () => {
      let sent = '';
      const scope = nock(ORIGIN)
        .post('/provide')
        .matchHeader('soapaction', '"urn:ProvideData"')
        .matchHeader('content-type', /^text\/xml/)
        .reply(
          200,
          (_uri, body) => {
            sent = String(body);
            return contentAnswer();
          },
          { 'content-type': 'text/xml; charset=utf-8' },
        );
      const outcome = await provider().deliver(
        URL,
        remoteCall({ transactionCode: 'TX-1', testMessage: true }),
        longDeadline(),
      );
      expect(scope.isDone()).to.equal(true);
      expect(outcome).to.deep.equal({
        kind: 'answer',
        body: `<w:WeatherResponse xmlns:w="${WEATHER_NS}"><w:City>Kazan</w:City><w:TemperatureC>3</w:TemperatureC></w:WeatherResponse>`,
      });
      expect(sent).to.contain(`<pd:ProvideDataRequest xmlns:pd="${PROVIDER_NS}">`);
      expect(sent).to.contain('<pd:MessageID>c0ffee00-1111-11ef-8000-000000000001</pd:MessageID>');
      expect(sent).to.contain('<pd:TransactionCode>TX-1</pd:TransactionCode>');
      expect(sent).to.contain('<pd:Sender>DEMO_CONSUMER</pd:Sender><pd:TestMessage/>');
      expect(sent).to.contain(
        `<pd:Content><w:WeatherRequest xmlns:w="${WEATHER_NS}"><w:City>Kazan</w:City></w:WeatherRequest></pd:Content>`,
      );
    });

    it('keeps namespace declarations the upstream made on the envelope, and leaves out optional fields', async () => {
      let sent = '';
      nock(ORIGIN)
        .post('/provide')
        .reply(200, (_uri, body) => {
          sent = String(body);
          return envelope(
            `<p:ProvideDataResponse xmlns:p="${PROVIDER_NS}"><p:Content><w:WeatherResponse><w:City>Kazan</w:City></w:WeatherResponse></p:Content></p:ProvideDataResponse>`,
            ` xmlns:w="${WEATHER_NS}"`,
          );
        });
      const outcome = await provider().deliver(URL, remoteCall(), longDeadline());
      expect(outcome.kind).to.equal('answer');
      if (outcome.kind !== 'answer') return;
      expect(outcome.body).to.equal(
        `<w:WeatherResponse xmlns:w="${WEATHER_NS}"><w:City>Kazan</w:City></w:WeatherResponse>`,
      );
      expect(sent).not.to.contain('TestMessage');
      expect(sent).not.to.contain('TransactionCode');
    });

    it('maps Rejected to a business rejection', async () => {
      nock(ORIGIN).post('/provide').reply(200, rejectedAnswer('NO_DATA', 'no forecast for Atlantis'));
      const outcome = await provider().deliver(URL, remoteCall(), longDeadline());
      expect(outcome).to.deep.equal({
        kind: 'rejected',
        code: 'NO_DATA',
        description: 'no forecast for Atlantis',
      });
    });

    it('refuses a rejection code outside the SMEV set', async () => {
      nock(ORIGIN).post('/provide').reply(200, rejectedAnswer('NOT_TODAY', 'x'));
      const error = await rejectionOf(provider().deliver(URL, remoteCall(), longDeadline()));
      expect(error).to.be.instanceOf(GatewayFault);
      expect(error.code).to.equal('ProviderFailure');
      expect(error.message).to.contain('Rejected Code "NOT_TODAY" is not one of');
    });

    it('succeeds when a slow upstream answers within the deadline', async () => {
      nock(ORIGIN).post('/provide').delay(300).reply(200, contentAnswer());
      const started = Date.now();
      const outcome = await provider({ timeoutMs: 2_000 }).deliver(
        URL,
        remoteCall(),
        AbortSignal.timeout(2_000),
      );
      expect(outcome.kind).to.equal('answer');
      expect(Date.now() - started).to.be.at.least(250);
    });
  });

  describe('deadlines', () => {
    it('gives up at the exchange deadline with ProviderTimeout, quickly', async () => {
      nock(ORIGIN).post('/provide').delay(5_000).reply(200, contentAnswer());
      const started = Date.now();
      const error = await rejectionOf(provider().deliver(URL, remoteCall(), AbortSignal.timeout(200)));
      const took = Date.now() - started;
      expect(error.code).to.equal('ProviderTimeout');
      expect(error.message).to.contain('did not answer before the exchange deadline');
      expect(took).to.be.within(150, 1_000);
    });

    it('gives up at its own timeout with ProviderTimeout, quickly', async () => {
      nock(ORIGIN).post('/provide').delay(5_000).reply(200, contentAnswer());
      const started = Date.now();
      const error = await rejectionOf(
        provider({ timeoutMs: 200 }).deliver(URL, remoteCall(), longDeadline()),
      );
      expect(error.code).to.equal('ProviderTimeout');
      expect(error.message).to.contain('did not answer within 200 ms');
      expect(Date.now() - started).to.be.within(150, 1_000);
    });

    it('times out while the body trickles in after the headers', async () => {
      nock(ORIGIN).post('/provide').delayBody(5_000).reply(200, contentAnswer());
      const started = Date.now();
      const error = await rejectionOf(
        provider({ timeoutMs: 200 }).deliver(URL, remoteCall(), longDeadline()),
      );
      expect(error.code).to.equal('ProviderTimeout');
      expect(Date.now() - started).to.be.below(1_000);
    });

    it('does not call at all when the deadline has already passed', async () => {
      const scope = nock(ORIGIN).post('/provide').reply(200, contentAnswer());
      const error = await rejectionOf(provider().deliver(URL, remoteCall(), AbortSignal.abort()));
      expect(error.code).to.equal('ProviderTimeout');
      expect(scope.isDone()).to.equal(false);
    });
  });

  describe('upstream failures', () => {
    const failure = async (reply: (scope: nock.Interceptor) => nock.Scope, options = {}) => {
      reply(nock(ORIGIN).post('/provide'));
      const error = await rejectionOf(provider(options).deliver(URL, remoteCall(), longDeadline()));
      expect(error).to.be.instanceOf(GatewayFault);
      expect(error.code).to.equal('ProviderFailure');
      expect(error.message).to.contain(`remote provider ${URL} failed: `);
      return error;
    };

    it('names HTTP 5xx', async () => {
      const error = await failure((i) =>
        i.reply(503, 'Service Unavailable', { 'content-type': 'text/plain' }),
      );
      expect(error.message).to.contain('HTTP 503');
    });

    it('names other unexpected statuses', async () => {
      expect((await failure((i) => i.reply(404, 'no'))).message).to.contain('HTTP 404');
      expect(
        (await failure((i) => i.reply(302, '', { location: 'http://elsewhere.test/' }))).message,
      ).to.contain('HTTP 302');
    });

    it('names a SOAP fault from the upstream, with its code and text', async () => {
      const error = await failure((i) => i.reply(500, soapFault('soap:Server', 'database is down')));
      expect(error.message).to.contain('SOAP fault soap:Server: database is down (HTTP 500)');
      expect(error.reason).to.equal('SoapFault');
    });

    it('treats a SOAP fault sent with HTTP 200 as a failure too', async () => {
      const error = await failure((i) => i.reply(200, soapFault('soap:Client', 'bad request')));
      expect(error.message).to.contain('SOAP fault soap:Client: bad request');
    });

    it('refuses an answer that is not XML', async () => {
      const error = await failure((i) => i.reply(200, 'this is not xml', { 'content-type': 'text/plain' }));
      expect(error.message).to.contain('not well-formed XML');
      expect(error.reason).to.equal('MalformedAnswer');
    });

    it('refuses an empty answer and an HTML page', async () => {
      expect((await failure((i) => i.reply(200, ''))).message).to.contain('not well-formed XML');
      expect((await failure((i) => i.reply(200, '<html><body>gateway</body></html>'))).message).to.contain(
        'not a SOAP 1.1 envelope (root {}html)',
      );
    });

    it('refuses a DOCTYPE in the answer (no entity expansion)', async () => {
      const evil = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>${contentAnswer()}`;
      expect((await failure((i) => i.reply(200, evil))).message).to.contain('document type declaration');
    });

    it('refuses the wrong root element in the Body', async () => {
      const error = await failure((i) => i.reply(200, envelope(`<Other xmlns="${PROVIDER_NS}"/>`)));
      expect(error.message).to.contain(
        `the answer Body holds {${PROVIDER_NS}}Other, not ProvideDataResponse`,
      );
    });

    it('refuses a SOAP 1.2 envelope', async () => {
      const body = `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`;
      expect((await failure((i) => i.reply(200, body))).message).to.contain('not a SOAP 1.1 envelope');
    });

    it('refuses two Content children, or two business elements in one Content', async () => {
      const business = `<w:WeatherResponse xmlns:w="${WEATHER_NS}"/>`;
      const twoContents = envelope(
        `<ProvideDataResponse xmlns="${PROVIDER_NS}"><Content>${business}</Content><Content>${business}</Content></ProvideDataResponse>`,
      );
      expect((await failure((i) => i.reply(200, twoContents))).message).to.contain(
        'ProvideDataResponse must hold exactly one Content or Rejected, not 2 elements',
      );
      const twoElements = contentAnswer(business + business);
      expect((await failure((i) => i.reply(200, twoElements))).message).to.contain(
        'Content must hold exactly one business element, not 2',
      );
    });

    it('refuses empty Content, text in Content and an unqualified business element', async () => {
      expect((await failure((i) => i.reply(200, contentAnswer('')))).message).to.contain('not 0');
      expect(
        (await failure((i) => i.reply(200, contentAnswer(`text<w:R xmlns:w="${WEATHER_NS}"/>`)))).message,
      ).to.contain('exactly one business element');
      expect((await failure((i) => i.reply(200, contentAnswer('<Plain/>')))).message).to.contain(
        'must be in a business service namespace',
      );
    });

    it('refuses an answer over the size cap, declared or streamed', async () => {
      const big = contentAnswer(`<w:R xmlns:w="${WEATHER_NS}">${'x'.repeat(20_000)}</w:R>`);
      const declared = await failure(
        (i) => i.reply(200, big, { 'content-length': String(Buffer.byteLength(big)) }),
        {
          maxAnswerBytes: 10_000,
        },
      );
      expect(declared.message).to.contain('the answer exceeds 10000 bytes');
      const streamed = await failure((i) => i.reply(200, () => big), { maxAnswerBytes: 10_000 });
      expect(streamed.message).to.contain('the answer exceeds 10000 bytes');
    });

    it('refuses an answer that is not UTF-8', async () => {
      const latin1 = Buffer.concat([
        Buffer.from(contentAnswer().slice(0, 60)),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('</x>'),
      ]);
      expect((await failure((i) => i.reply(200, latin1))).message).to.contain('not UTF-8');
    });

    it('refuses a payload that is not exactly one element, before any call', async () => {
      const scope = nock(ORIGIN).post('/provide').reply(200, contentAnswer());
      const error = await rejectionOf(
        provider().deliver(
          URL,
          remoteCall({ payloadXml: '<a/></pd:Content><pd:Other/><pd:Content>' }),
          longDeadline(),
        ),
      );
      expect(error.code).to.equal('SMEVFailure');
      expect(scope.isDone()).to.equal(false);
    });
  });

  describe('retries', () => {
    /** Upstream that resets the connection `resets` times, then answers; counts the calls. */
    const flaky = (resets: number, code = 'ECONNRESET') => {
      let calls = 0;
      const scope = nock(ORIGIN);
      for (let i = 0; i < resets; i++)
        scope.post('/provide').replyWithError({ code, message: `socket ${code}` });
      scope.post('/provide').reply(200, contentAnswer());
      scope.on('request', () => calls++);
      return { scope, calls: () => calls };
    };

    it('retries a reset for a TestMessage request and then answers', async () => {
      const upstream = flaky(2);
      const outcome = await provider().deliver(URL, remoteCall({ testMessage: true }), longDeadline());
      expect(outcome.kind).to.equal('answer');
      expect(upstream.calls()).to.equal(3);
      expect(upstream.scope.isDone()).to.equal(true);
    });

    it('retries a reset for a message type listed as idempotent', async () => {
      const upstream = flaky(1);
      const idempotent = [messageTypeKey({ namespace: WEATHER_NS, localName: 'WeatherRequest' })];
      const outcome = await provider({ idempotentMessageTypes: idempotent }).deliver(
        URL,
        remoteCall(),
        longDeadline(),
      );
      expect(outcome.kind).to.equal('answer');
      expect(upstream.calls()).to.equal(2);
    });

    it('does not retry a reset for a request that is not idempotent', async () => {
      const upstream = flaky(1);
      const error = await rejectionOf(provider().deliver(URL, remoteCall(), longDeadline()));
      expect(error.code).to.equal('ProviderFailure');
      expect(error.message).to.contain(
        'connection reset (ECONNRESET), not retried: the request is not idempotent',
      );
      expect(upstream.calls()).to.equal(1);
      expect(upstream.scope.isDone()).to.equal(false);
    });

    it('gives up after the bounded number of retries', async () => {
      const upstream = flaky(5);
      const error = await rejectionOf(
        provider({ retries: 2 }).deliver(URL, remoteCall({ testMessage: true }), longDeadline()),
      );
      expect(error.message).to.contain('connection reset (ECONNRESET) after 3 attempts');
      expect(upstream.calls()).to.equal(3);
    });

    it('retries a refused connection for any request: nothing reached the upstream', async () => {
      const upstream = flaky(1, 'ECONNREFUSED');
      const outcome = await provider().deliver(URL, remoteCall(), longDeadline());
      expect(outcome.kind).to.equal('answer');
      expect(upstream.calls()).to.equal(2);
    });

    it('never retries an HTTP failure or a timeout', async () => {
      let calls = 0;
      nock(ORIGIN)
        .post('/provide')
        .times(3)
        .reply(() => {
          calls++;
          return [503, 'busy'];
        });
      await rejectionOf(provider().deliver(URL, remoteCall({ testMessage: true }), longDeadline()));
      expect(calls).to.equal(1);
    });

    it('stops retrying at the deadline', async () => {
      const scope = nock(ORIGIN);
      for (let i = 0; i < 5; i++)
        scope.post('/provide').replyWithError({ code: 'ECONNRESET', message: 'reset' });
      const started = Date.now();
      const error = await rejectionOf(
        new RemoteProvider({ retries: 5, retryBaseDelayMs: 400, retryMaxDelayMs: 400 }).deliver(
          URL,
          remoteCall({ testMessage: true }),
          AbortSignal.timeout(150),
        ),
      );
      expect(error.code).to.equal('ProviderTimeout');
      expect(Date.now() - started).to.be.below(600);
    });
  });

  describe('circuit breaker', () => {
    const failTimes = (n: number) => nock(ORIGIN).post('/provide').times(n).reply(503, 'down');

    it('opens after N consecutive failures and then fails fast without calling', async () => {
      const clock = new ManualClock();
      const remote = provider({ breaker: { failureThreshold: 3, coolDownMs: 30_000 }, clock: clock.now });
      failTimes(3);
      for (let i = 0; i < 3; i++) {
        expect((await rejectionOf(remote.deliver(URL, remoteCall(), longDeadline()))).message).to.contain(
          'HTTP 503',
        );
      }
      expect(remote.circuitState(URL)).to.equal('open');

      let calls = 0;
      const scope = nock(ORIGIN)
        .post('/provide')
        .reply(() => {
          calls++;
          return [200, contentAnswer()];
        });
      const started = Date.now();
      const error = await rejectionOf(remote.deliver(URL, remoteCall(), longDeadline()));
      expect(Date.now() - started).to.be.below(50);
      expect(error.code).to.equal('ProviderFailure');
      expect(error.message).to.contain('circuit open after 3 consecutive failures; next trial in 30 s');
      expect(calls).to.equal(0);
      expect(scope.isDone()).to.equal(false);
      // Another upstream is not affected.
      nock('http://other.test').post('/p').reply(200, contentAnswer());
      expect((await remote.deliver('http://other.test/p', remoteCall(), longDeadline())).kind).to.equal(
        'answer',
      );
    });

    it('counts an answer the gateway refuses as a failure: an upstream always answering so is cut off', async () => {
      const remote = provider({ breaker: { failureThreshold: 3 } });
      nock(ORIGIN).post('/provide').times(3).reply(200, contentAnswer());
      const refuse = () => {
        throw new Error('the answer carries the gateway markup');
      };
      for (let i = 0; i < 3; i++) {
        expect(
          (await rejectionOf(remote.deliver(URL, remoteCall(), longDeadline(), refuse))).message,
        ).to.contain('gateway markup');
      }
      expect(remote.circuitState(URL)).to.equal('open');
    });

    it('a success resets the count of consecutive failures', async () => {
      const remote = provider({ breaker: { failureThreshold: 3 } });
      failTimes(2);
      nock(ORIGIN).post('/provide').reply(200, contentAnswer());
      failTimes(2);
      for (let i = 0; i < 5; i++)
        await remote.deliver(URL, remoteCall(), longDeadline()).catch(() => undefined);
      expect(remote.circuitState(URL)).to.equal('closed');
    });

    it('half-opens after the cool-down: a good trial closes it', async () => {
      const clock = new ManualClock();
      const remote = provider({ breaker: { failureThreshold: 2, coolDownMs: 10_000 }, clock: clock.now });
      failTimes(2);
      for (let i = 0; i < 2; i++) await rejectionOf(remote.deliver(URL, remoteCall(), longDeadline()));
      clock.advance(9_999);
      expect(remote.circuitState(URL)).to.equal('open');
      clock.advance(1);
      expect(remote.circuitState(URL)).to.equal('half-open');
      nock(ORIGIN).post('/provide').reply(200, contentAnswer());
      expect((await remote.deliver(URL, remoteCall(), longDeadline())).kind).to.equal('answer');
      expect(remote.circuitState(URL)).to.equal('closed');
    });

    it('half-open lets one trial through; a failed trial reopens it for another cool-down', async () => {
      const clock = new ManualClock();
      const remote = provider({ breaker: { failureThreshold: 2, coolDownMs: 10_000 }, clock: clock.now });
      failTimes(2);
      for (let i = 0; i < 2; i++) await rejectionOf(remote.deliver(URL, remoteCall(), longDeadline()));
      clock.advance(10_000);
      nock(ORIGIN).post('/provide').delay(200).reply(503, 'still down');
      const trial = rejectionOf(remote.deliver(URL, remoteCall(), longDeadline()));
      // While the trial is in flight, others fail fast.
      const concurrent = await rejectionOf(remote.deliver(URL, remoteCall(), longDeadline()));
      expect(concurrent.message).to.contain('circuit half-open, a trial call is in flight');
      expect((await trial).message).to.contain('HTTP 503');
      expect(remote.circuitState(URL)).to.equal('open');
      clock.advance(5_000);
      expect((await rejectionOf(remote.deliver(URL, remoteCall(), longDeadline()))).message).to.contain(
        'circuit open',
      );
      clock.advance(5_000);
      expect(remote.circuitState(URL)).to.equal('half-open');
    });

    it('counts timeouts as failures, but not business rejections', async () => {
      const remote = provider({ breaker: { failureThreshold: 2 }, timeoutMs: 100 });
      nock(ORIGIN).post('/provide').times(3).reply(200, rejectedAnswer('NO_DATA', 'none'));
      for (let i = 0; i < 3; i++) await remote.deliver(URL, remoteCall(), longDeadline());
      expect(remote.circuitState(URL)).to.equal('closed');
      nock(ORIGIN).post('/provide').times(2).delay(1_000).reply(200, contentAnswer());
      for (let i = 0; i < 2; i++)
        expect((await rejectionOf(remote.deliver(URL, remoteCall(), longDeadline()))).code).to.equal(
          'ProviderTimeout',
        );
      expect(remote.circuitState(URL)).to.equal('open');
    });
  });

  describe('settings', () => {
    it('reads services.remote with defaults and refuses bad keys', () => {
      const key = `{${WEATHER_NS}}WeatherRequest`;
      const settings = parseRemoteSettings(
        { messageTypes: [key], idempotentMessageTypes: [key], breaker: { failureThreshold: 3 } },
        { timeoutMs: 7_000 },
      );
      expect([...settings.messageTypes]).to.deep.equal([key]);
      // The defaults come from the schema, once.
      expect(settings.options).to.deep.equal({
        timeoutMs: 7_000,
        idempotentMessageTypes: [key],
        maxAnswerBytes: 5 * 1024 * 1024,
        retries: 2,
        retryBaseDelayMs: 100,
        retryMaxDelayMs: 1000,
        breaker: { failureThreshold: 3 },
      });
      expect(parseRemoteSettings(undefined).messageTypes.size).to.equal(0);
      expect(() => parseRemoteSettings({ messageTypes: ['WeatherRequest'] })).to.throw(
        'services.remote.messageTypes.0: must be {namespace}localName',
      );
      expect(() => parseRemoteSettings({ retry: 3 })).to.throw('services.remote');
    });
  });
});
