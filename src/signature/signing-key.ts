/**
 * A signing key as the gateway and its client hold it: the private key, its certificate, and the signature
 * algorithm the table names for the certificate's key family. Made from two PEM texts, whatever the algorithm.
 */
import { SIGNATURE_ALGORITHMS, signatureAlgorithmFor, tableEntry } from './algorithms.js';
import { certificatePublicKey, keyFamily, readPrivateKey, type PrivateKey } from './keys.js';
import { certificateDer } from './pki/thumbprint.js';

export interface SigningKey {
  readonly privateKey: PrivateKey;
  readonly certificatePem: string;
  /** A signature algorithm URI of the table, matching the key. */
  readonly signatureAlgorithm: string;
}

/**
 * Reads a private key and its certificate and picks the algorithm from the certificate's key. Throws when the key
 * is of a family the gateway cannot sign with or does not belong to the certificate (checked by signing a probe):
 * a mismatch would otherwise only show when a peer refuses every signature.
 */
export function loadSigningKey(keyPem: string, certificatePem: string): SigningKey {
  const der = certificateDer(certificatePem);
  if (der === undefined) throw new Error('the certificate is not PEM');
  const publicKey = certificatePublicKey(der);
  const family = keyFamily(publicKey);
  if (family === undefined)
    throw new Error('the certificate holds a key of a type the gateway cannot sign with');
  const privateKey = readPrivateKey(keyPem);
  if (keyFamily(privateKey) !== family) {
    throw new Error(
      `the private key is ${keyFamily(privateKey) ?? 'of another type'}, its certificate ${family}`,
    );
  }
  const signatureAlgorithm = signatureAlgorithmFor(family);
  const algorithm = tableEntry(SIGNATURE_ALGORITHMS, signatureAlgorithm);
  const probe = Buffer.from('smev-gateway signing key probe');
  if (!algorithm?.verify(publicKey, probe, algorithm.sign(privateKey, probe))) {
    throw new Error('the private key does not match its certificate');
  }
  return { privateKey, certificatePem, signatureAlgorithm };
}
