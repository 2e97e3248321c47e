/**
 * `smev-gateway send`: wrap a business payload in a Call request, sign it with the system's key, send it,
 * verify the answer's signatures against the trust store and print the answer's payload.
 */
import { existsSync } from 'node:fs';
import { CliError, readInputFile, readPayload, readSigningKey, todayInMoscow } from './inputs.js';
import { packageFile } from '../config/package-root.js';
import { readCallAnswer } from '../client/answer.js';
import { buildCallRequest, signCallRequest } from '../client/request.js';
import { gatewayEndpoint } from './gateway-url.js';
import { postSoap, type TlsClientMaterial } from '../client/send.js';
import { TrustStore } from '../signature/pki/trust-store.js';
import type { SigningKey } from '../signature/signing-key.js';
import { SOAP11, SOAP12 } from '../soap/version.js';
import { print, printDocument, printLines, printNote, printText } from './output.js';

export interface SendOptions {
  system: string;
  key?: string;
  cert?: string;
  url?: string;
  config?: string;
  soap12?: boolean;
  ca: string[];
  crl: string[];
  test?: boolean;
  json?: boolean;
  printRequest?: boolean;
  /** `xmldsig` (exclusive c14n) or `smev` (exclusive c14n, then the SMEV transform). */
  profile?: 'xmldsig' | 'smev';
  /** HTTPS: the CA of the gateway's TLS certificate; for mutual TLS a client certificate and its key. */
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Dates in the payload become today's (examples written on another day). */
  today?: boolean;
}

type SigningOptions = Pick<SendOptions, 'system' | 'key' | 'cert' | 'soap12' | 'test' | 'profile' | 'today'>;

/** A sample system's file: certs-sample/<system>.<kind>.pem, or under certs-sample/gost/ for the GOST systems. */
function sampleFile(system: string, kind: 'crt' | 'key'): string {
  const rsa = packageFile(`certs-sample/${system}.${kind}.pem`);
  const gost = packageFile(`certs-sample/gost/${system}.${kind}.pem`);
  return !existsSync(rsa) && existsSync(gost) ? gost : rsa;
}

/** The sample CAs (or their CRLs) an answer is checked against by default: RSA, and GOST when present. */
export function sampleTrustFiles(kind: 'crt' | 'crl'): string[] {
  return [packageFile(`certs-sample/ca.${kind}.pem`), packageFile(`certs-sample/gost/ca.${kind}.pem`)].filter(
    (file, i) => i === 0 || existsSync(file),
  );
}

/** A system's signing key: the given files, or the sample ones. The algorithm follows the certificate's key. */
export function systemSigningKey(options: Pick<SendOptions, 'system' | 'key' | 'cert'>): SigningKey {
  return readSigningKey(
    options.key ?? sampleFile(options.system, 'key'),
    options.cert ?? sampleFile(options.system, 'crt'),
  );
}

function signedRequest(payloadFile: string, options: SigningOptions) {
  const version = options.soap12 ? SOAP12 : SOAP11;
  const key = systemSigningKey(options);
  const request = buildCallRequest({
    version,
    payload: readPayload(payloadFile, options.today ? todayInMoscow() : undefined),
    testMessage: options.test ?? false,
  });
  if (options.profile && options.profile !== 'xmldsig' && options.profile !== 'smev') {
    throw new CliError(`--profile must be xmldsig or smev, not ${options.profile}`);
  }
  const signed = signCallRequest(request.xml, key, options.profile ?? 'xmldsig');
  return { version, messageId: request.messageId, signed };
}

export function printRequest(payloadFile: string, options: SigningOptions): void {
  printDocument(signedRequest(payloadFile, options).signed);
}

export async function send(payloadFile: string, options: SendOptions): Promise<void> {
  const { version, signed, ...request } = signedRequest(payloadFile, options);
  if (options.printRequest) printDocument(signed, process.stderr);
  const { status, body } = await postSoap(
    gatewayEndpoint(options),
    signed,
    version,
    'urn:Call',
    tlsMaterial(options),
  );
  const trust = TrustStore.fromPem(
    options.ca.map((file) => readInputFile('trusted CA', file)),
    options.crl.map((file) => readInputFile('CRL', file)),
  );
  // Something answered that is no SOAP endpoint (a wrong path, a proxy's page): say so, not how its body parsed.
  if (!body.trimStart().startsWith('<')) {
    throw new CliError(
      `no SOAP endpoint answered at ${gatewayEndpoint(options)} (HTTP ${status}); --url names it`,
    );
  }
  const answer = readCallAnswer(body, trust);
  if (options.json) {
    print({ status, requestMessageId: request.messageId, ...answer }, true);
  } else if (answer.kind === 'fault') {
    printLines(`fault ${answer.element}/${answer.code} (HTTP ${status}): ${answer.message}`);
  } else if (answer.kind === 'rejected') {
    printLines(`rejected ${answer.rejection?.code}: ${answer.rejection?.description}`);
  } else {
    printText(`${answer.payload}\n`);
    printNote(`answer ${answer.messageId} to ${request.messageId}: signatures verified`);
  }
  if (answer.kind !== 'answer') process.exitCode = answer.kind === 'fault' ? 1 : 2;
}

function tlsMaterial(options: SendOptions): TlsClientMaterial | undefined {
  if (!options.tlsCa && !options.tlsCert && !options.tlsKey) return undefined;
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey))
    throw new CliError('--tls-cert and --tls-key go together: the client certificate and its private key');
  return {
    ...(options.tlsCa ? { ca: readInputFile('TLS CA', options.tlsCa) } : {}),
    ...(options.tlsCert && options.tlsKey
      ? {
          cert: readInputFile('TLS certificate', options.tlsCert),
          key: readInputFile('TLS key', options.tlsKey),
        }
      : {}),
  };
}
