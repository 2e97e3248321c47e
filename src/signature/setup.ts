/** Builds the signature parts from configuration: trust store, system directory, verifier, gateway signer. */
import { readFileSync } from 'node:fs';
import type { GatewayConfig } from '../config/config.js';
import { checkpointSigners, type CertificateCheck } from './pki/checkpoint-signers.js';
import type { PkiFiles } from './pki/nearing-end.js';
import { TrustStore } from './pki/trust-store.js';
import { GatewaySigner } from './signer.js';
import { loadSigningKey, type SigningKey } from './signing-key.js';
import type { SystemDirectory } from './systems.js';
import { XmlSignatureVerifier } from './verifier.js';

/** The checkpoint check of log and audit verification: the gateway's own certificates, trusted at the time. */
export function loadCheckpointSigners(
  config: GatewayConfig,
  trust = loadTrustStore(config),
): CertificateCheck {
  const read = (file: string) => readFileSync(file, 'utf8');
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

export function loadTrustStore(config: GatewayConfig): TrustStore {
  const read = (file: string) => readFileSync(file, 'utf8');
  return TrustStore.fromPem(config.pki.trustedCaFiles.map(read), config.pki.crlFiles.map(read), {
    requireCrl: config.pki.requireCrl,
  });
}

/** The gateway's own key and certificate; its algorithm (RSA or GOST R 34.10-2012) follows the certificate. */
export function loadGatewayKey(config: GatewayConfig): SigningKey {
  try {
    return loadSigningKey(
      readFileSync(config.pki.gatewayKey, 'utf8'),
      readFileSync(config.pki.gatewayCertificate, 'utf8'),
    );
  } catch (error) {
    throw new Error(
      `the gateway key ${config.pki.gatewayKey} with ${config.pki.gatewayCertificate}: ${(error as Error).message}`,
    );
  }
}

export function loadSignatures(
  config: GatewayConfig,
  systems: SystemDirectory,
  trust = loadTrustStore(config),
) {
  return {
    trust,
    verifier: new XmlSignatureVerifier(trust, systems),
    signer: new GatewaySigner(loadGatewayKey(config)),
  };
}
