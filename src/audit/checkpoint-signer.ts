/**
 * Signing and checking audit checkpoints. The algorithm table has one entry per signature algorithm URI; adding
 * GOST R 34.10-2012 is one more entry (sign with the GOST key, verify with the key from the certificate).
 */
import { X509Certificate, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { RSA_SHA256 } from '../signature/algorithms.js';

export interface CheckpointSignature {
  /** Signature algorithm URI, a key of CHECKPOINT_ALGORITHMS. */
  algorithm: string;
  /** Base64. */
  signature: string;
  /** The signer's certificate, PEM. */
  certificatePem: string;
}

export interface CheckpointSigner {
  sign(data: Buffer): CheckpointSignature;
}

export interface CheckpointAlgorithm {
  /** The node KeyObject asymmetricKeyType this algorithm signs with. */
  readonly keyType: string;
  sign(key: KeyObject, data: Buffer): Buffer;
  /** True when `signature` over `data` was made by the key of `certificatePem`. */
  verify(certificatePem: string, data: Buffer, signature: Buffer): boolean;
}

export const CHECKPOINT_ALGORITHMS: Readonly<Record<string, CheckpointAlgorithm>> = {
  [RSA_SHA256]: {
    keyType: 'rsa',
    sign: (key, data) => cryptoSign('sha256', data, key),
    verify: (certificatePem, data, signature) =>
      cryptoVerify('sha256', data, new X509Certificate(certificatePem).publicKey, signature),
  },
};

/**
 * Checks a checkpoint signature; returns undefined when it verifies, else why not. Never throws: a malformed
 * certificate or an unknown algorithm is a reason like any other.
 */
export function checkpointSignatureProblem(
  algorithm: string,
  certificatePem: string,
  data: Buffer,
  signatureBase64: string,
): string | undefined {
  const entry = Object.hasOwn(CHECKPOINT_ALGORITHMS, algorithm)
    ? CHECKPOINT_ALGORITHMS[algorithm]
    : undefined;
  if (entry === undefined) return `unknown signature algorithm ${algorithm}`;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(signatureBase64) || signatureBase64.length % 4 !== 0) {
    return 'the signature is not base64';
  }
  try {
    return entry.verify(certificatePem, data, Buffer.from(signatureBase64, 'base64'))
      ? undefined
      : 'the signature does not verify with its certificate';
  } catch (error) {
    return `the signature cannot be checked: ${(error as Error).message}`;
  }
}

/** Signs with a private KeyObject; the algorithm follows the key type. */
export class KeyCheckpointSigner implements CheckpointSigner {
  private readonly algorithm: string;
  private readonly algorithmEntry: CheckpointAlgorithm;

  constructor(
    private readonly key: KeyObject,
    private readonly certificatePem: string,
  ) {
    if (key.type !== 'private') throw new Error('a checkpoint signer needs a private key');
    const found = Object.entries(CHECKPOINT_ALGORITHMS).find(
      ([, entry]) => entry.keyType === key.asymmetricKeyType,
    );
    if (!found)
      throw new Error(`no checkpoint signature algorithm for ${key.asymmetricKeyType ?? 'unknown'} keys`);
    [this.algorithm, this.algorithmEntry] = found;
    // A key that does not match its certificate would only show up at verification time; refuse it now.
    const probe = Buffer.from('smev-gateway-audit-signer-probe');
    if (!this.algorithmEntry.verify(certificatePem, probe, this.algorithmEntry.sign(key, probe))) {
      throw new Error('the checkpoint signing key does not match its certificate');
    }
  }

  sign(data: Buffer): CheckpointSignature {
    return {
      algorithm: this.algorithm,
      signature: this.algorithmEntry.sign(this.key, data).toString('base64'),
      certificatePem: this.certificatePem,
    };
  }
}
