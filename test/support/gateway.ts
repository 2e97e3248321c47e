/**
 * Test support: a real gateway on an ephemeral port with a fresh store (a temporary SQLite file, or a fresh
 * PostgreSQL schema), and helpers to build signed requests as the sample systems do.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type GatewayConfig } from '../../src/config/config.js';
import { startGateway, type RunningGateway, type StartOptions } from '../../src/gateway.js';
import { buildCallRequest, signCallRequest } from '../../src/client/request.js';
import { postSoap } from '../../src/client/send.js';
import { loadSigningKey, type SigningKey } from '../../src/signature/signing-key.js';
import { SOAP11, type SoapVersion } from '../../src/soap/version.js';
import { useFixture } from './fixture.js';
import { dropSchema, freshSchema, POSTGRES_URL, type StoreKind } from './store.js';

export interface TestGateway extends RunningGateway {
  readonly endpoint: string;
  readonly config: GatewayConfig;
}

export interface TestGatewayOptions extends StartOptions {
  readonly store?: StoreKind;
  readonly overrides?: Record<string, unknown>;
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'smev-gateway-test-'));
  const postgres = options.store === 'postgres';
  const config = loadConfig({
    env: {},
    overrides: {
      port: 0,
      logLevel: 'error',
      // The hostile-input suites send megabytes of refused messages from one address; the limit has its own tests.
      'http.rateLimit.soapRefusedBytes': 0,
      'store.sqliteFile': join(dir, 'gateway.db'),
      ...(postgres ? { 'store.databaseUrl': POSTGRES_URL } : {}),
      ...options.overrides,
    },
  });
  // A schema the caller names is shared (several instances on one store) and left for the caller to drop.
  const ownSchema = postgres && options.schema === undefined;
  const schema = postgres ? (options.schema ?? freshSchema()) : undefined;
  const gateway = await startGateway(config, { silent: true, ...options, ...(schema ? { schema } : {}) });
  return {
    ...gateway,
    config,
    endpoint: `${gateway.url}/ws`,
    stop: async () => {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
      if (schema && ownSchema) await dropSchema(schema);
    },
  };
}

/**
 * A gateway for the tests of the enclosing describe: started before them (with `options`, or what the function
 * gives once the before hooks registered earlier have run) and stopped after them.
 */
export function useGateway(options: TestGatewayOptions | (() => TestGatewayOptions) = {}): TestGateway {
  return useFixture(
    'test gateway',
    () => startTestGateway(typeof options === 'function' ? options() : options),
    (gateway) => gateway.stop(),
  );
}

const sampleKeys = new Map<string, SigningKey>();

/** The sample system's key: certs-sample/<system>.* (RSA), or certs-sample/gost/<system>.* (GOST R 34.10-2012). */
export function sampleKey(system: string): SigningKey {
  let key = sampleKeys.get(system);
  if (key === undefined) {
    const dir = existsSync(`certs-sample/${system}.key.pem`) ? 'certs-sample' : 'certs-sample/gost';
    key = loadSigningKey(
      readFileSync(`${dir}/${system}.key.pem`, 'utf8'),
      readFileSync(`${dir}/${system}.crt.pem`, 'utf8'),
    );
    sampleKeys.set(system, key);
  }
  return key;
}

interface SignedCallOptions {
  readonly system?: string;
  readonly payload?: string;
  readonly version?: SoapVersion;
  readonly messageId?: string;
}

export const PING_PAYLOAD =
  '<ping:PingRequest xmlns:ping="urn://smev-gateway/services/ping/1.0"><ping:Text>hello</ping:Text></ping:PingRequest>';

/** A Call request with a fresh MessageID, signed as `system` (DEMO_CONSUMER by default). */
export function signedCall(options: SignedCallOptions = {}): { xml: string; messageId: string } {
  return signedCallWith((unsignedXml) => unsignedXml, options);
}

/** A signed Call request whose unsigned XML `reshape` may change before the signature is made. */
export function signedCallWith(
  reshape: (unsignedXml: string) => string,
  options: SignedCallOptions = {},
): { xml: string; messageId: string } {
  const request = buildCallRequest({
    version: options.version ?? SOAP11,
    payload: options.payload ?? PING_PAYLOAD,
    ...(options.messageId ? { messageId: options.messageId } : {}),
  });
  return {
    xml: signCallRequest(reshape(request.xml), sampleKey(options.system ?? 'DEMO_CONSUMER')),
    messageId: request.messageId,
  };
}

export function post(gateway: TestGateway, xml: string, version: SoapVersion = SOAP11, action = 'urn:Call') {
  return postSoap(gateway.endpoint, xml, version, action);
}
