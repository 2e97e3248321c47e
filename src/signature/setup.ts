/** Builds the signature parts from configuration: trust store, system directory, verifier, gateway signer. */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { GatewayConfig } from '../config/config.js';
import { signatureAlgorithmFor } from './algorithms.js';
import { TrustStore } from './pki/trust-store.js';
import { GatewaySigner } from './signer.js';
import type { SystemDirectory } from './systems.js';
import { XmlSignatureVerifier } from './verifier.js';

export function loadTrustStore(config: GatewayConfig): TrustStore {
  const read = (file: string) => readFileSync(file, 'utf8');
  return TrustStore.fromPem(config.pki.trustedCaFiles.map(read), config.pki.crlFiles.map(read));
}

export function loadSignatures(config: GatewayConfig, systems: SystemDirectory) {
  const trust = loadTrustStore(config);
  const certificatePem = readFileSync(config.pki.gatewayCertificate, 'utf8');
  const privateKey = createPrivateKey(readFileSync(config.pki.gatewayKey, 'utf8'));
  const keyType = new X509Certificate(certificatePem).publicKey.asymmetricKeyType;
  if (keyType !== 'rsa') throw new Error(`the gateway key is ${keyType}; only RSA keys are supported so far`);
  return {
    trust,
    verifier: new XmlSignatureVerifier(trust, systems),
    signer: new GatewaySigner({
      privateKey,
      certificatePem,
      signatureAlgorithm: signatureAlgorithmFor('rsa'),
    }),
  };
}
