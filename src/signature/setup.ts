/** Builds the signature parts from configuration: the trust store and the gateway's own key. */
import { readFileSync } from 'node:fs';
import type { GatewayConfig } from '../config/config.js';
import { checkpointSigners, type CertificateCheck } from './pki/checkpoint-signers.js';
import type { PkiFiles } from './pki/nearing-end.js';
import { TrustStore } from './pki/trust-store.js';
import { loadSigningKey, type SigningKey } from './signing-key.js';

/** How the PKI files are read (the gateway start takes one, so that a test can count the reads). */
export type ReadPkiFile = (file: string) => string;
const readUtf8: ReadPkiFile = (file) => readFileSync(file, 'utf8');

/** A reader that reads each file once, however many parts of one start ask for it. */
export function readingEachOnce(read: ReadPkiFile = readUtf8): ReadPkiFile {
  const texts = new Map<string, string>();
  return (file) => {
    let text = texts.get(file);
    if (text === undefined) {
      text = read(file);
      texts.set(file, text);
    }
    return text;
  };
}

/** The checkpoint check of log and audit verification: the gateway's own certificates, trusted at the time. */
export function loadCheckpointSigners(
  config: GatewayConfig,
  trust = loadTrustStore(config),
  read: ReadPkiFile = readUtf8,
): CertificateCheck {
  return checkpointSigners(
    trust,
    [config.pki.gatewayCertificate, ...config.pki.formerGatewayCertificates].map(read),
  );
}

/** The certificate and CRL files the gateway runs on: its trust store, its own certificate and its TLS set. */
export function pkiFiles(config: GatewayConfig): PkiFiles {
  const tls = config.http.tls;
  return {
    certificates: [
      ...config.pki.trustedCaFiles,
      config.pki.gatewayCertificate,
      ...(tls ? [tls.cert, ...tls.clientCaFiles] : []),
    ],
    crls: [...config.pki.crlFiles, ...(tls?.clientCrlFiles ?? [])],
  };
}

export function loadTrustStore(config: GatewayConfig, read = readUtf8): TrustStore {
  return TrustStore.fromPem(config.pki.trustedCaFiles.map(read), config.pki.crlFiles.map(read), {
    requireCrl: config.pki.requireCrl,
  });
}

/** The gateway's own key and certificate; its algorithm (RSA or GOST R 34.10-2012) follows the certificate. */
export function loadGatewayKey(config: GatewayConfig, read = readUtf8): SigningKey {
  try {
    return loadSigningKey(read(config.pki.gatewayKey), read(config.pki.gatewayCertificate));
  } catch (error) {
    throw new Error(
      `the gateway key ${config.pki.gatewayKey} with ${config.pki.gatewayCertificate}: ${(error as Error).message}`,
    );
  }
}

/** What a gateway process signs and verifies with, loaded once at its start and handed to every part. */
export interface GatewayPki {
  readonly key: SigningKey;
  readonly trust: TrustStore;
}

export function loadGatewayPki(config: GatewayConfig, read = readUtf8): GatewayPki {
  return { key: loadGatewayKey(config, read), trust: loadTrustStore(config, read) };
}
