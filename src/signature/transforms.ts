/** Applying a Reference's transforms, the same way when signing and when verifying. */
import { ExclusiveCanonicalization } from 'xml-crypto';
import { GatewayFault } from '../soap/faults.js';
import type { Element } from '../xml/dom.js';
import { EXC_C14N, TRANSFORMS, tableEntry } from './algorithms.js';

const c14n = new ExclusiveCanonicalization();

/** Exclusive c14n of an element (SignedInfo, or a signed block), as UTF-8 text. */
export function canonical(element: Element): string {
  return c14n.process(element as never, {});
}

/**
 * The reference's transforms applied to `element`, ending in text: exclusive c14n, and the SMEV transform after it
 * when listed. The enveloped-signature transform has nothing to remove, the signature being outside the element.
 */
export function transformedContent(transforms: readonly string[], element: Element): string {
  let content: Element | string = element;
  for (const uri of transforms) {
    const implementation = tableEntry(TRANSFORMS, uri)?.implementation;
    if (!implementation) continue;
    // Canonicalisation reads a tree: once a transform has produced text, only text transforms may follow.
    if (uri === EXC_C14N && typeof content === 'string') {
      throw new GatewayFault(
        'SignatureVerificationFault',
        'exclusive c14n must come before the SMEV transform',
        { reason: 'SignatureIsInvalid' },
      );
    }
    content = implementation.process(content as never, {}) as Element | string;
  }
  return typeof content === 'string' ? content : canonical(content);
}
