/**
 * Keys as the signature code sees them: node's KeyObject for RSA, our own GOST key records for GOST R 34.10
 * (node's OpenSSL has no GOST). Reading a PEM private key or a certificate's key picks the right kind, so callers
 * never ask which algorithm a file holds.
 */
import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { gostPrivateKeyFromPem, type GostPrivateKeyInfo } from './gost/pkcs8.js';
import {
  gostPublicKeyFromAsn1,
  isGostKeyAlgorithm,
  type GostKeyFamily,
  type GostPublicKeyInfo,
} from './gost/spki.js';
import { bytesOf, children, parseDer } from './pki/der.js';

export type KeyFamily = 'rsa' | GostKeyFamily;
export type PrivateKey = KeyObject | GostPrivateKeyInfo;
export type PublicKey = KeyObject | GostPublicKeyInfo;

/** The family of a key, or undefined for a node key of a type the gateway does not sign with (EC, DSA…). */
export function keyFamily(key: PrivateKey | PublicKey): KeyFamily | undefined {
  if (key instanceof KeyObject) return key.asymmetricKeyType === 'rsa' ? 'rsa' : undefined;
  return key.family;
}

/** A private key from PEM: GOST PKCS#8 through our reader, anything else through node. */
export function readPrivateKey(pem: string): PrivateKey {
  return gostPrivateKeyFromPem(pem) ?? createPrivateKey(pem);
}

/**
 * The subject key of a DER certificate: GOST keys through our reader, others as node's KeyObject (from `x509`
 * when the caller has already parsed it). Throws when the certificate does not parse.
 */
export function certificatePublicKey(der: Buffer, x509?: X509Certificate): PublicKey {
  const tbs = children(children(parseDer(der))[0]);
  // tbsCertificate: [0] version?, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, …
  const offset = tbs[0]?.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const spki = tbs[offset + 5];
  const algorithm = children(children(spki)[0])[0];
  if (spki && algorithm && isGostKeyAlgorithm(forge.asn1.derToOid(bytesOf(algorithm)))) {
    return gostPublicKeyFromAsn1(spki);
  }
  return (x509 ?? new X509Certificate(der)).publicKey;
}
