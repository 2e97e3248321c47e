/**
 * The head a signer trusts, and whether the store's chain still extends it. The store can be written by others, so
 * the gateway signs a head only when the chain from the last head it trusts — a checkpoint it signed itself, or at
 * start the last one it finds signed with its own key — links up to it. The audit trail and the message log share
 * this: both chain rows by `prev_hash` and recompute a row's `hash` from its fields.
 */
import { checkpointSignatureProblem } from './checkpoint-signer.js';
import { certificateDer } from '../signature/pki/thumbprint.js';

export interface Anchor {
  readonly seq: number;
  readonly hash: string;
}

/** Whether the chain still extends the trusted head; `since` is when it was first found not to (ISO time). */
export type ChainIntegrity =
  { readonly intact: true } | { readonly intact: false; readonly problem: string; readonly since: string };

interface Linked {
  readonly seq: number | string | bigint;
  readonly hash: string;
  readonly prev_hash: string;
}

/**
 * What breaks the chain from `anchor` to `head`, or undefined when it links: `pages` are the rows with
 * anchor.seq ≤ seq ≤ head.seq in seq order. The row at the anchor, when kept (retention may have removed it),
 * must still have the anchor's hash; every row after it must recompute to its hash and link to the one before,
 * from the anchor's hash on, up to the head.
 */
export async function linkProblem<R extends Linked>(
  anchor: Anchor,
  head: Anchor,
  pages: AsyncIterable<readonly R[]>,
  hashOf: (row: R) => string,
  what: string,
): Promise<string | undefined> {
  if (head.seq < anchor.seq)
    return `the head (${what} ${head.seq}) is behind the last signed checkpoint (${what} ${anchor.seq})`;
  let expected = anchor.seq + 1;
  let previous = anchor.hash;
  for await (const page of pages) {
    for (const row of page) {
      const seq = Number(row.seq);
      if (seq === anchor.seq && anchor.seq > 0) {
        if (row.hash !== anchor.hash || hashOf(row) !== row.hash)
          return `${what} ${seq} is not the one the last signed checkpoint names`;
        continue;
      }
      if (seq !== expected) return `${what} ${expected} is missing`;
      if (hashOf(row) !== row.hash) return `${what} ${seq} does not match its hash`;
      if (row.prev_hash !== previous) return `${what} ${seq} does not link to ${what} ${seq - 1}`;
      previous = row.hash;
      expected = seq + 1;
    }
  }
  if (expected <= head.seq) return `${what} ${expected} is missing (the head names ${what} ${head.seq})`;
  if (previous !== head.hash) return `the head hash is not the hash of ${what} ${head.seq}`;
  return undefined;
}

/** Whether a checkpoint is signed with this certificate (the gateway's own), and the signature holds. */
export function signedWith(
  certificatePem: string,
  checkpoint: { algorithm: string; certificate: string; signature: string },
  data: Buffer,
): boolean {
  const own = certificateDer(certificatePem);
  const theirs = certificateDer(checkpoint.certificate);
  return (
    own !== undefined &&
    theirs !== undefined &&
    own.equals(theirs) &&
    checkpointSignatureProblem(checkpoint.algorithm, checkpoint.certificate, data, checkpoint.signature) ===
      undefined
  );
}

/** Keeps the first time a problem was found while it lasts; intact again once the chain links. */
export function nextIntegrity(
  current: ChainIntegrity,
  problem: string | undefined,
  now = new Date(),
): ChainIntegrity {
  if (problem === undefined) return { intact: true };
  return { intact: false, problem, since: current.intact ? now.toISOString() : current.since };
}
