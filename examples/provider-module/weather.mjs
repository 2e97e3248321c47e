// A third-party provider module for the gateway: the made-up weather service
// (namespace urn://example.org/services/weather/1.0). Plain JavaScript, typed against the gateway's published
// contract, `smev-gateway/provider` (checked with `tsc --checkJs`, see README.md).
//
// The gateway imports it (services.weather.module in the configuration) and checks that it exports
// `codec` and `createProvider`. `codec.decode` gets the business element (an @xmldom/xmldom Element);
// `codec.encode` returns the answer as one serialised element; `createProvider(context)` returns an
// object whose `handle(request)` answers `{ kind: 'answer', body }` or refuses by throwing a
// ProviderRejection (reason ACCESS_DENIED, NO_DATA, UNKNOWN_REQUEST_DESCRIPTION or FAILURE; a machine code; a text).

import { defineService, ProviderRejection } from 'smev-gateway/provider';

/**
 * @typedef {{ city: string, date: string | undefined }} WeatherRequest
 * @typedef {{ city: string, date: string, temperatureC: number, conditions: string }} WeatherAnswer
 * @typedef {import('smev-gateway/provider').ServiceContext} ServiceContext
 */

export const WEATHER_NS = 'urn://example.org/services/weather/1.0';

/** @param {unknown} text */
const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * @param {import('@xmldom/xmldom').Element} element
 * @param {string} localName
 */
const childText = (element, localName) => {
  for (let child = element.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 1 && child.namespaceURI === WEATHER_NS && child.localName === localName) {
      return (child.textContent ?? '').trim();
    }
  }
  return undefined;
};

/** @type {import('smev-gateway/provider').ServiceCodec<WeatherRequest, WeatherAnswer>} */
const weatherCodec = {
  namespace: WEATHER_NS,
  requests: ['WeatherRequest'],
  /** <w:WeatherRequest><w:City>…</w:City><w:Date>YYYY-MM-DD</w:Date>?</w:WeatherRequest> */
  decode(element) {
    const city = childText(element, 'City');
    if (!city) throw new Error('WeatherRequest has no City');
    return { city, date: childText(element, 'Date') };
  },
  /** <w:WeatherResponse><w:City/><w:Date/><w:TemperatureC/><w:Conditions/></w:WeatherResponse> */
  encode(answer) {
    return (
      `<w:WeatherResponse xmlns:w="${WEATHER_NS}">` +
      `<w:City>${escape(answer.city)}</w:City>` +
      `<w:Date>${escape(answer.date)}</w:Date>` +
      `<w:TemperatureC>${answer.temperatureC}</w:TemperatureC>` +
      `<w:Conditions>${escape(answer.conditions)}</w:Conditions>` +
      `</w:WeatherResponse>`
    );
  },
};

const CONDITIONS = ['clear', 'cloudy', 'rain', 'snow'];

/**
 * `context` holds `settings` (the rest of the module's section of `services`), `log`, `clock` and `store`.
 * This service's one setting: `cities`, the cities it knows (others are rejected with NO_DATA).
 * @param {ServiceContext} context
 * @returns {import('smev-gateway/provider').Provider<WeatherRequest, WeatherAnswer>}
 */
function createWeatherProvider(context) {
  const settings = /** @type {{ cities?: string[] }} */ (context.settings);
  const cities = new Set(settings.cities ?? ['Moscow', 'Kazan', 'Novosibirsk']);
  return {
    async handle(request) {
      const { city, date } = request.body;
      if (!cities.has(city))
        throw new ProviderRejection('NO_DATA', 'CITY_UNKNOWN', `no forecast for ${city}`);
      const day = date ?? context.clock().toISOString().slice(0, 10);
      // A made-up but stable forecast: the same city and day always get the same weather.
      let hash = 0;
      for (const c of `${city}|${day}`) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
      return {
        kind: 'answer',
        body: {
          city,
          date: day,
          temperatureC: (hash % 50) - 20,
          conditions: CONDITIONS[hash % CONDITIONS.length] ?? 'clear',
        },
      };
    },
  };
}

// defineService() checks that the provider takes what the codec decodes and answers what it encodes.
export const { codec, createProvider } = defineService({
  codec: weatherCodec,
  createProvider: createWeatherProvider,
});
