/** Test support for the remote provider: calls, upstream answers and a manual clock. */
import type { RemoteCall } from '../../../src/providers/remote/remote-provider.js';
import { PROVIDER_NS } from '../../../src/providers/remote/wire.js';

export const WEATHER_NS = 'urn://example.org/services/weather/1.0';
export const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';

export function remoteCall(overrides: Partial<RemoteCall> = {}): RemoteCall {
  return {
    messageId: 'c0ffee00-1111-11ef-8000-000000000001',
    referenceMessageId: 'c0ffee00-1111-11ef-8000-000000000001',
    transactionCode: undefined,
    testMessage: false,
    sender: { mnemonic: 'DEMO_CONSUMER' },
    messageType: { namespace: WEATHER_NS, localName: 'WeatherRequest' },
    payloadXml: `<w:WeatherRequest xmlns:w="${WEATHER_NS}"><w:City>Kazan</w:City></w:WeatherRequest>`,
    ...overrides,
  };
}

export const envelope = (body: string, envelopeAttributes = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${SOAP11}"${envelopeAttributes}><soap:Body>${body}</soap:Body></soap:Envelope>`;

export const contentAnswer = (
  business = `<w:WeatherResponse xmlns:w="${WEATHER_NS}"><w:City>Kazan</w:City><w:TemperatureC>3</w:TemperatureC></w:WeatherResponse>`,
) =>
  envelope(
    `<ProvideDataResponse xmlns="${PROVIDER_NS}"><Content>${business}</Content></ProvideDataResponse>`,
  );

export const rejectedAnswer = (code: string, description: string) =>
  envelope(
    `<ProvideDataResponse xmlns="${PROVIDER_NS}"><Rejected><Code>${code}</Code><Description>${description}</Description></Rejected></ProvideDataResponse>`,
  );

export const soapFault = (code: string, text: string) =>
  envelope(`<soap:Fault><faultcode>${code}</faultcode><faultstring>${text}</faultstring></soap:Fault>`);

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public ms = 1_700_000_000_000) {}
  readonly now = () => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Run and return the rejection (fails the test if it resolves). */
export async function rejectionOf(
  work: Promise<unknown>,
): Promise<Error & { code?: string; reason?: string }> {
  try {
    await work;
  } catch (error) {
    return error as Error & { code?: string; reason?: string };
  }
  throw new Error('expected a rejection, got an answer');
}
