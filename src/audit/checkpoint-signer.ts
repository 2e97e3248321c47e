/**
 * Signing and checking audit checkpoints with the XMLDSig algorithm table (signature/algorithms.ts): the gateway's
 * key signs them with the algorithm its certificate's key calls for, RSA-SHA256 or GOST R 34.10-2012, and a
 * checkpoint names that algorithm by its URI.
 */
import { KeyObject } from 'node:crypto';
import { SIGNATURE_ALGORITHMS, signatureAlgorithmFor, tableEntry } from '../signature/algorithms.js';
import { certificatePublicKey, keyFamily, type PrivateKey } from '../signature/keys.js';
import { certificateDer } from '../signature/pki/thumbprint.js';
import { isBase64 } from '../core/base64.js';

export interface CheckpointSignature {
  /** Signature algorithm URI, a key of the algorithm table. */
  algorithm: string;
  /** Base64. */
  signature: string;
  /** The signer's certificate, PEM. */
  certificatePem: string;
}

export interface CheckpointSigner {
  /** The certificate it signs with, PEM: its own checkpoints are those signed with it. */
  readonly certificatePem: string;
  sign(data: Buffer): CheckpointSignature;
}

function verifies(algorithm: string, certificatePem: string, data: Buffer, signature: Buffer): boolean {
  const entry = tableEntry(SIGNATURE_ALGORITHMS, algorithm);
  const der = certificateDer(certificatePem);
  if (entry === undefined || der === undefined) return false;
  return entry.verify(certificatePublicKey(der), data, signature);
}

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
  if (tableEntry(SIGNATURE_ALGORITHMS, algorithm) === undefined)
    return `unknown signature algorithm ${algorithm}`;
  if (!isBase64(signatureBase64)) {
    return 'the signature is not base64';
  }
  try {
    return verifies(algorithm, certificatePem, data, Buffer.from(signatureBase64, 'base64'))
      ? undefined
      : 'the signature does not verify with its certificate';
  } catch (error) {
    return `the signature cannot be checked: ${(error as Error).message}`;
  }
}

/** Signs with a private key (node's RSA KeyObject or a GOST key); the algorithm follows the key. */
export class KeyCheckpointSigner implements CheckpointSigner {
  private readonly algorithm: string;

  constructor(
    private readonly key: PrivateKey,
    readonly certificatePem: string,
  ) {
    if (key instanceof KeyObject && key.type !== 'private')
      throw new Error('a checkpoint signer needs a private key');
    const family = keyFamily(key);
    if (family === undefined) throw new Error('no checkpoint signature algorithm for this kind of key');
    this.algorithm = signatureAlgorithmFor(family);
    // A key that does not match its certificate would only show up at verification time; refuse it now.
    const probe = Buffer.from('smev-gateway-audit-signer-probe');
    if (!verifies(this.algorithm, certificatePem, probe, this.signBytes(probe))) {
      throw new Error('the checkpoint signing key does not match its certificate');
    }
  }

  private signBytes(data: Buffer): Buffer {
    const entry = tableEntry(SIGNATURE_ALGORITHMS, this.algorithm);
    if (entry === undefined) throw new Error(`no signature algorithm ${this.algorithm}`);
    return entry.sign(this.key, data);
  }

  sign(data: Buffer): CheckpointSignature {
    return {
      algorithm: this.algorithm,
      signature: this.signBytes(data).toString('base64'),
      certificatePem: this.certificatePem,
    };
  }
}
