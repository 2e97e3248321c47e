/**
 * Delivery to hosted services: a route selects a service by its name or a former one, a ProviderRejection becomes
 * the consumer's RequestRejected, anything else a provider throws a ProviderFailure, and the deadline a
 * ProviderTimeout. defineService() ties a codec to its provider at compile time.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { loadConfig } from '../../src/config/config.js';
import { GatewayFault } from '../../src/core/faults.js';
import type { ProviderCall } from '../../src/core/ports.js';
import type { SenderRequest } from '../../src/core/model.js';
import { parseRouteProvider } from '../../src/core/route-provider.js';
import { createLogger } from '../../src/logging/logger.js';
import { builtinServices } from '../../src/providers/builtin.js';
import { ProviderRejection, type ServiceCodec } from '../../src/providers/contract.js';
import { ProviderDelivery } from '../../src/providers/delivery.js';
import { LAB_RESULTS_NS } from '../../src/providers/lab-results/index.js';
import { defineService, type HostedService } from '../../src/providers/service.js';
import { RegistryDirectory } from '../../src/registry/directory.js';
import { loadGatewayKey, loadTrustStore } from '../../src/signature/setup.js';
import { openStore, type Store } from '../../src/store/store.js';

const log = createLogger('error', { silent: true });
const parse = (xml: string): Element => new DOMParser().parseFromString(xml, 'text/xml').documentElement!;

function callOf(provider: string, payload: Element, deadline = AbortSignal.timeout(5_000)): ProviderCall {
  const parsed = parseRouteProvider(provider);
  if (!parsed) throw new Error(`${provider} names no provider`);
  return {
    route: { recipient: { mnemonic: 'R', humanReadableName: 'R' }, provider: parsed },
    request: {
      messageId: 'c0ffee00-1111-11ef-8000-000000000001',
      referenceMessageId: 'c0ffee00-1111-11ef-8000-000000000001',
      transactionCode: undefined,
      testMessage: true,
      payload,
      messageType: { namespace: payload.namespaceURI ?? '', localName: payload.localName },
    } as unknown as SenderRequest, // only the fields delivery reads
    sender: { mnemonic: 'SOCPROTECT_47', humanReadableName: 'S', certificateThumbprint: undefined },
    deadline,
  } as ProviderCall;
}

async function fault(work: Promise<unknown>): Promise<GatewayFault> {
  try {
    await work;
  } catch (error) {
    if (error instanceof GatewayFault) return error;
    throw error;
  }
  throw new Error('expected a fault');
}

describe('delivery to hosted services', () => {
  describe('the lab-results service under its former name', () => {
    let store: Store;
    let services: HostedService[];
    const config = loadConfig({ env: {} });
    before(async () => {
      store = await openStore({ sqliteFile: ':memory:' });
      services = builtinServices(store, config, log, () => new Date(), {
        trust: loadTrustStore(config),
        systems: await RegistryDirectory.open(store),
        gatewayKey: loadGatewayKey(config),
      });
    });
    after(() => store.close());

    it('is selected by builtin:lab-results and by builtin:tests, which routes of earlier installs name', async () => {
      const delivery = new ProviderDelivery(services);
      const payload = parse(readFileSync('examples/tests/ContactsRequest.xml', 'utf8'));
      expect(payload.namespaceURI).to.equal(LAB_RESULTS_NS);
      for (const provider of ['builtin:lab-results', 'builtin:tests']) {
        const outcome = await delivery.deliver(callOf(provider, payload));
        expect(outcome.kind, provider).to.be.oneOf(['answer', 'rejected']);
      }
      // Texts that name no provider never reach delivery: the registry refuses them and the directory skips them.
      for (const text of ['builtin:', 'lab-results'])
        expect(parseRouteProvider(text), text).to.equal(undefined);
      for (const provider of ['builtin:cards', 'builtin:lab', 'queue']) {
        const error = await fault(delivery.deliver(callOf(provider, payload)));
        expect(error.code, provider).to.equal('SMEVFailure');
        expect(error.message).to.contain('is not available for this message type');
      }
    });

    it('reads its settings from services.tests when services.lab-results is absent', () => {
      const make = (services: Record<string, unknown>) => () =>
        builtinServices(store, { ...config, services }, log);
      expect(make({ tests: { smsPerPhonePerHour: 0 } })).to.throw(
        /services\.lab-results\.smsPerPhonePerHour/,
      );
      expect(make({ 'lab-results': { warningWindowHours: 0 } })).to.throw(/warningWindowHours/);
      // The documented name wins: the old section is not read beside it.
      expect(make({ 'lab-results': { warningWindowHours: 0 }, tests: {} })).to.throw(/warningWindowHours/);
    });
  });

  describe('the provider contract', () => {
    const NS = 'urn://example.org/echo';
    const codec: ServiceCodec<{ text: string }, { echoed: string }> = {
      namespace: NS,
      requests: ['Echo'],
      decode: (payload) => ({ text: payload.textContent ?? '' }),
      encode: (answer) => `<e:Echoed xmlns:e="${NS}">${answer.echoed}</e:Echoed>`,
    };
    const echo = defineService({
      codec,
      createProvider: () => ({
        async handle({ body, signal }) {
          if (body.text === 'refuse') throw new ProviderRejection('ACCESS_DENIED', 'NOT_YOU', 'не вам');
          if (body.text === 'crash') throw new TypeError('a provider bug');
          if (body.text === 'hang') await new Promise((resolve) => signal.addEventListener('abort', resolve));
          return { kind: 'answer', body: { echoed: body.text } };
        },
      }),
    });
    const delivery = new ProviderDelivery([
      { name: 'echo', codec: echo.codec, provider: echo.createProvider({} as never) },
    ]);
    const send = (text: string, deadline?: AbortSignal) =>
      delivery.deliver(callOf('builtin:echo', parse(`<e:Echo xmlns:e="${NS}">${text}</e:Echo>`), deadline));

    it('answers through the codec', async () => {
      expect(await send('hello')).to.deep.equal({
        kind: 'answer',
        body: `<e:Echoed xmlns:e="${NS}">hello</e:Echoed>`,
      });
    });

    it('maps a ProviderRejection to RequestRejected: the SMEV reason, and CODE: text', async () => {
      expect(await send('refuse')).to.deep.equal({
        kind: 'rejected',
        code: 'ACCESS_DENIED',
        description: 'NOT_YOU: не вам',
      });
    });

    it('turns any other error into ProviderFailure, and the deadline into ProviderTimeout', async () => {
      const crash = await fault(send('crash'));
      expect(crash.code).to.equal('ProviderFailure');
      expect(crash.message).to.contain('a provider bug');
      expect((await fault(send('hang', AbortSignal.timeout(50)))).code).to.equal('ProviderTimeout');
      const gone = new AbortController();
      gone.abort();
      expect((await fault(send('hello', gone.signal))).code).to.equal('ProviderTimeout');
    });

    it("turns an answer carrying the gateway's own markup, or no XML at all, into ProviderFailure naming it", async () => {
      // A provider module's codec writes whatever XML it likes; the gateway signs it into its Response.
      let written = '';
      const verbatim = defineService({
        codec: { ...codec, encode: () => written },
        createProvider: () => ({ handle: async () => ({ kind: 'answer', body: { echoed: '' } }) }),
      });
      const writes = new ProviderDelivery([
        { name: 'echo', codec: verbatim.codec, provider: verbatim.createProvider({} as never) },
      ]);
      const answer = (xml: string) => {
        written = xml;
        return writes.deliver(callOf('builtin:echo', parse(`<e:Echo xmlns:e="${NS}">x</e:Echo>`)));
      };
      const refused = {
        [`<e:Echoed xmlns:e="${NS}"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/></e:Echoed>`]:
          'the answer carries the element {http://www.w3.org/2000/09/xmldsig#}Signature',
        [`<e:Echoed xmlns:e="${NS}"><e:x ID=" SIGNED_BY_PROVIDER ">y</e:x></e:Echoed>`]: `the answer carries the reserved Id SIGNED_BY_PROVIDER on {${NS}}x`,
        [`<e:Echoed xmlns:e="${NS}">unclosed`]: 'the answer is not well-formed XML',
      };
      for (const [xml, named] of Object.entries(refused)) {
        const error = await fault(answer(xml));
        expect(error.code, xml).to.equal('ProviderFailure');
        expect(error.message, xml).to.contain(`provider builtin:echo failed: ${named}`);
      }
      const ordinary = `<e:Echoed xmlns:e="${NS}" Id="mine">fine</e:Echoed>`;
      expect(await answer(ordinary)).to.deep.equal({ kind: 'answer', body: ordinary });
    });

    it('turns a codec that cannot write its answer into ProviderFailure naming it, not an internal error', async () => {
      const failing = defineService({
        codec: {
          ...codec,
          encode: () => {
            throw new RangeError('no such amount');
          },
        },
        createProvider: () => ({ handle: async () => ({ kind: 'answer', body: { echoed: '' } }) }),
      });
      const writes = new ProviderDelivery([
        { name: 'echo', codec: failing.codec, provider: failing.createProvider({} as never) },
      ]);
      const error = await fault(
        writes.deliver(callOf('builtin:echo', parse(`<e:Echo xmlns:e="${NS}">x</e:Echo>`))),
      );
      expect(error.code).to.equal('ProviderFailure');
      expect(error.reason).to.equal('MalformedAnswer');
      expect(error.message).to.contain(
        'provider builtin:echo failed: its answer cannot be written: no such amount',
      );
    });

    it('defineService() refuses a provider that does not fit its codec (a compile-time check)', () => {
      defineService({
        codec,
        createProvider: () => ({
          // @ts-expect-error the answer is not what the codec encodes
          async handle() {
            return { kind: 'answer', body: { echoed: 42 } };
          },
        }),
      });
      defineService({
        codec,
        createProvider: () => ({
          async handle({ body }) {
            // @ts-expect-error the request body is what the codec decodes
            return { kind: 'answer', body: { echoed: body.missing } };
          },
        }),
      });
    });
  });
});
