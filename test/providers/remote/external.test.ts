/** Third-party provider modules: the example loads, answers, and plugs into delivery as `builtin:<name>`. */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { createLogger } from '../../../src/logging/logger.js';
import {
  externalServices,
  loadProviderModule,
  ProviderModuleError,
} from '../../../src/providers/external.js';
import { outcomeOf, ProviderRejection } from '../../../src/providers/contract.js';
import { ProviderDelivery } from '../../../src/providers/delivery.js';
import type { SenderRequest } from '../../../src/smev/request.js';
import type { Store } from '../../../src/store/store.js';
import { SchemaSet } from '../../../src/xml/schemas.js';
import { WEATHER_NS } from './support.js';

const EXAMPLE = './examples/provider-module/weather.mjs';
const log = createLogger('error', { silent: true });
// The example never touches the store; the context carries one because built-in services need it.
const store = undefined as unknown as Store;
const clock = () => new Date('2025-03-01T10:00:00Z');

const weatherRequest = (city: string, date?: string) =>
  new DOMParser().parseFromString(
    `<w:WeatherRequest xmlns:w="${WEATHER_NS}"><w:City>${city}</w:City>${date ? `<w:Date>${date}</w:Date>` : ''}</w:WeatherRequest>`,
    'text/xml',
  ).documentElement!;

const call = (body: unknown) => ({
  messageId: 'c0ffee00-1111-11ef-8000-000000000001',
  referenceMessageId: 'c0ffee00-1111-11ef-8000-000000000001',
  transactionCode: undefined,
  testMessage: false,
  sender: { mnemonic: 'DEMO_CONSUMER' },
  messageType: { namespace: WEATHER_NS, localName: 'WeatherRequest' },
  body,
  signal: AbortSignal.timeout(5_000),
});

describe('provider modules', () => {
  let schemas: SchemaSet;
  before(() => {
    schemas = SchemaSet.compile('examples/provider-module/weather-1.0.xsd');
  });
  after(() => schemas.dispose());

  it('loads the example and answers through createProvider(...).handle(...)', async () => {
    const weather = await loadProviderModule(EXAMPLE);
    expect(weather.codec.namespace).to.equal(WEATHER_NS);
    expect(weather.codec.requests).to.deep.equal(['WeatherRequest']);
    const provider = weather.createProvider({ store, log, settings: {}, clock });

    const request = weatherRequest('Kazan', '2025-03-02');
    expect(schemas.validate(request.toString())).to.deep.equal([]);
    const outcome = await provider.handle(call(weather.codec.decode(request)));
    expect(outcome.kind).to.equal('answer');
    if (outcome.kind !== 'answer') return;
    const xml = weather.codec.encode(outcome.body);
    expect(xml).to.match(
      new RegExp(
        `^<w:WeatherResponse xmlns:w="${WEATHER_NS}"><w:City>Kazan</w:City><w:Date>2025-03-02</w:Date>`,
      ),
    );
    expect(schemas.validate(xml), 'the answer conforms to weather-1.0.xsd').to.deep.equal([]);

    const today = await provider.handle(call(weather.codec.decode(weatherRequest('Moscow'))));
    expect(today.kind === 'answer' && weather.codec.encode(today.body)).to.contain(
      '<w:Date>2025-03-01</w:Date>',
    );
    // It refuses with the gateway's own ProviderRejection, imported from smev-gateway/provider.
    const atlantis = await provider
      .handle(call(weather.codec.decode(weatherRequest('Atlantis'))))
      .catch((error: unknown) => error);
    expect(atlantis).to.be.instanceOf(ProviderRejection);
    expect(
      await outcomeOf(provider.handle(call(weather.codec.decode(weatherRequest('Atlantis'))))),
    ).to.deep.equal({
      kind: 'rejected',
      code: 'NO_DATA',
      description: 'CITY_UNKNOWN: no forecast for Atlantis',
    });
  });

  it('passes the rest of its configuration section as settings, and is delivered to as builtin:<name>', async () => {
    const services = await externalServices(
      {
        weather: { module: EXAMPLE, cities: ['Oslo'] },
        cards: { someSetting: 1 },
        remote: { module: 'ignored' },
      },
      { store, log, clock },
    );
    expect(services.map((s) => s.name)).to.deep.equal(['weather']);
    const delivery = new ProviderDelivery(services);
    expect(delivery.knows({ namespace: WEATHER_NS, localName: 'WeatherRequest' })).to.equal(true);
    const deliver = (city: string) => {
      const payload = weatherRequest(city);
      return delivery.deliver({
        route: {
          recipient: { mnemonic: 'WEATHER', humanReadableName: 'Weather' },
          provider: { kind: 'hosted', service: 'weather' },
        },
        request: {
          messageId: 'c0ffee00-1111-11ef-8000-000000000001',
          referenceMessageId: 'c0ffee00-1111-11ef-8000-000000000001',
          transactionCode: undefined,
          testMessage: false,
          payload,
          messageType: { namespace: WEATHER_NS, localName: 'WeatherRequest' },
        } as unknown as SenderRequest, // only the fields delivery reads
        sender: { mnemonic: 'DEMO_CONSUMER', humanReadableName: 'Demo', certificateThumbprint: undefined },
        deadline: AbortSignal.timeout(5_000),
      });
    };
    const oslo = await deliver('Oslo');
    expect(oslo.kind).to.equal('answer');
    expect(oslo.kind === 'answer' && oslo.body).to.contain('<w:City>Oslo</w:City>');
    expect(await deliver('Kazan')).to.deep.equal({
      kind: 'rejected',
      code: 'NO_DATA',
      description: 'CITY_UNKNOWN: no forecast for Kazan',
    });
  });

  describe('refusals', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'provider-module-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    const module = (name: string, text: string) => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    };
    const refusal = async (specifier: string) => {
      try {
        await loadProviderModule(specifier);
      } catch (error) {
        expect(error).to.be.instanceOf(ProviderModuleError);
        return (error as Error).message;
      }
      throw new Error('expected the module to be refused');
    };

    it('names a module that cannot be loaded', async () => {
      expect(await refusal('./examples/provider-module/missing.mjs')).to.match(
        /provider module .*missing\.mjs cannot be loaded: /,
      );
      expect(await refusal(module('broken.mjs', 'export const = ;'))).to.contain('cannot be loaded');
    });

    it('names what a module lacks', async () => {
      expect(await refusal(module('empty.mjs', 'export const x = 1;'))).to.contain(
        'is not a provider module: codec (an object) is not exported; createProvider (a function) is not exported',
      );
      const partial = module(
        'partial.mjs',
        "export const codec = { namespace: '', requests: [], decode: 1 };\nexport function createProvider() { return {}; }",
      );
      const message = await refusal(partial);
      expect(message).to.contain('codec.namespace must be a non-empty string');
      expect(message).to.contain('codec.requests must be a non-empty array of element local names');
      expect(message).to.contain('codec.decode must be a function');
      expect(message).to.contain('codec.encode must be a function');
    });

    it('refuses a provider without handle(), a clashing name and a clashing namespace', async () => {
      const noHandle = module(
        'nohandle.mjs',
        "export const codec = { namespace: 'urn:x', requests: ['X'], decode() {}, encode() { return '' } };\nexport function createProvider() { return {}; }",
      );
      const service = await loadProviderModule(noHandle);
      expect(() => service.createProvider({ store, log, settings: {}, clock })).to.throw(
        ProviderModuleError,
        'handle(request)',
      );
      await expectRejection(
        externalServices({ ping: { module: EXAMPLE } }, { store, log, clock }),
        'the name of a built-in service cannot be reused',
      );
      // A former name of a built-in service still selects it in routes, so a module cannot take it either.
      await expectRejection(
        externalServices({ tests: { module: EXAMPLE } }, { store, log, clock }),
        'the name of a built-in service cannot be reused',
      );
      const hosted = [
        { name: 'cards', codec: { namespace: 'urn:cards', requests: [] } as never, provider: {} as never },
      ];
      await expectRejection(
        externalServices({ cards: { module: EXAMPLE } }, { store, log, clock }, { hosted }),
        'the name of a built-in service',
      );
      await expectRejection(
        externalServices({ Weather: { module: EXAMPLE } }, { store, log, clock }),
        'a module service name must match',
      );
      await expectRejection(
        externalServices(
          { weather: { module: EXAMPLE }, weather2: { module: EXAMPLE } },
          { store, log, clock },
        ),
        `namespace ${WEATHER_NS} is already served by weather`,
      );
    });
  });
});

async function expectRejection(work: Promise<unknown>, text: string): Promise<void> {
  try {
    await work;
  } catch (error) {
    expect((error as Error).message).to.contain(text);
    return;
  }
  throw new Error(`expected a rejection containing ${text}`);
}
