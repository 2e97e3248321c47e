/** Applying a Reference's transforms, the same way when signing and when verifying. */
import { GatewayFault } from '../core/faults.js';
import type { Element } from '../xml/dom.js';
import { EXC_C14N, GatewayExclusiveCanonicalization } from './c14n.js';
import { SMEV_TRANSFORM_URI, smevTransformTree, type SmevEscaping } from './smev-transform.js';

const c14n = new GatewayExclusiveCanonicalization();

/**
 * Exclusive c14n of an element (SignedInfo, or a signed block), as UTF-8 text; `prefixes` is the PrefixList of
 * the signature's InclusiveNamespaces, if it has one (the gateway writes none).
 */
export function canonical(element: Element, prefixes: readonly string[] = []): string {
  return c14n.process(element as never, { inclusiveNamespacesPrefixList: [...prefixes] });
}

const refuse = (message: string): never => {
  throw new GatewayFault('SignatureVerificationFault', message, { reason: 'SignatureIsInvalid' });
};

/**
 * The reference's transforms applied to `element`, ending in text: exclusive c14n, and the SMEV transform after it
 * when listed. The enveloped-signature transform has nothing to remove, the signature being outside the element.
 * The SMEV transform reads the tree: it depends only on what exclusive c14n keeps of the element (names,
 * namespaces, attributes, text; no comments), so it runs over the very nodes the pipeline reads rather than over
 * c14n's text parsed again, where a character reference could turn into markup. `prefixes` is the PrefixList
 * of the exclusive c14n transform's InclusiveNamespaces.
 */
export function transformedContent(
  transforms: readonly string[],
  element: Element,
  escaping: SmevEscaping = 'reference',
  prefixes: readonly string[] = [],
): string {
  const chain = transforms.filter((uri) => uri === EXC_C14N || uri === SMEV_TRANSFORM_URI);
  if (chain[0] !== EXC_C14N) return refuse('exclusive c14n must come first');
  if (chain.length === 1) return canonical(element, prefixes);
  // The SMEV transform writes only the namespaces its output uses, so c14n's InclusiveNamespaces change nothing.
  if (chain.length === 2 && chain[1] === SMEV_TRANSFORM_URI) return smevTransformTree(element, escaping);
  return refuse('the transforms must be exclusive c14n, optionally followed by the SMEV transform');
}
