/**
 * What the gateway reserves for the blocks it writes and signs: their Ids, and the namespaces its envelope and
 * signatures are written in.
 *
 * A caller's message may not carry a reserved Id anywhere: its content travels on inside the gateway's answers
 * and queued messages, and a planted element with such an Id could otherwise stand beside the gateway's own block
 * under the same name. One exception: a provider system's SendResponse may name its own signed block
 * SIGNED_BY_PROVIDER, as SMEV 3 clients do. That block travels only in GetResponse answers, beside the gateway's
 * SIGNED_BY_SMEV; the gateway writes a SIGNED_BY_PROVIDER block of its own only around hosted and remote
 * providers' answers, which never hold a caller's block.
 *
 * A hosted or remote provider's answer may carry neither a reserved Id nor the gateway's namespaces: it goes
 * inside the gateway's signed Response, whose readers find that Response, its signatures and their targets by
 * these names.
 */
import { GatewayFault } from '../core/faults.js';
import type { SoapEnvelope } from '../soap/envelope.js';
import { CONTRACT_VERSIONS, NS, type ExchangeNamespaces } from '../soap/namespaces.js';
import { firstChildElement, type Attr, type Document, type Element, type Node } from '../xml/dom.js';
import { PROVIDER_BLOCK_ID, SMEV_BLOCK_ID } from './blocks.js';

/** The block a provider system signs in its SendResponse, if the envelope is one. */
export function sendResponseBlock(envelope: SoapEnvelope, contract: ExchangeNamespaces): Element | undefined {
  if (envelope.operation.name !== 'SendResponse') return undefined;
  return firstChildElement(envelope.operationElement, contract.types, 'SenderProvidedResponseData');
}

export const RESERVED_IDS: ReadonlySet<string> = new Set([SMEV_BLOCK_ID, PROVIDER_BLOCK_ID]);

/** Attribute names XMLDSig tools resolve `#Id` references by, in any namespace (wsu:Id too). */
const ID_NAMES: ReadonlySet<string> = new Set(['Id', 'ID', 'id']);

/** The namespaces of the gateway's envelope, its exchange blocks (every contract version) and its signatures. */
export const GATEWAY_NAMESPACES: ReadonlySet<string> = new Set([
  NS.soap11,
  NS.soap12,
  NS.sync,
  NS.ds,
  NS.wsu,
  ...CONTRACT_VERSIONS.flatMap((contract) => [
    contract.exchange,
    contract.types,
    contract.basic,
    contract.faults,
  ]),
]);

/** Every element at or under `node`, depth first, until `inspect` names a problem; that problem, if any. */
function firstProblem(node: Node, inspect: (element: Element) => string | undefined): string | undefined {
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType !== 1) continue;
    const problem = inspect(child as Element) ?? firstProblem(child, inspect);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** The reserved Id an element carries, if any; `ownBlock` may carry SIGNED_BY_PROVIDER as its plain `Id`. */
function reservedIdOf(element: Element, ownBlock?: Element): string | undefined {
  for (let i = 0; i < element.attributes.length; i++) {
    const attr = element.attributes.item(i);
    // xs:ID values are whitespace-collapsed by schema-aware readers, so " SIGNED_BY_SMEV " counts too.
    if (!attr || !ID_NAMES.has(attr.localName ?? attr.name) || !RESERVED_IDS.has(attr.value.trim())) continue;
    if (element === ownBlock && attr.name === 'Id' && attr.value === PROVIDER_BLOCK_ID) continue;
    return attr.value.trim();
  }
  return undefined;
}

/**
 * Refuse a document that carries a reserved Id on any element, in any namespace, at any depth; `ownBlock` may carry
 * SIGNED_BY_PROVIDER as its plain `Id` (see above).
 */
export function refuseReservedIds(doc: Document, ownBlock?: Element): void {
  const id = firstProblem(doc, (element) => reservedIdOf(element, ownBlock));
  if (id !== undefined)
    throw new GatewayFault(
      'ReservedId',
      `the Id ${id} is reserved for the blocks the gateway writes and signs`,
    );
}

const qualified = (node: Element | Attr) => `{${node.namespaceURI ?? ''}}${node.localName ?? node.nodeName}`;

/** What of the gateway's own markup an element carries: its name, an attribute's name, or a reserved Id. */
function gatewayMarkupOf(element: Element): string | undefined {
  if (GATEWAY_NAMESPACES.has(element.namespaceURI ?? '')) return `the element ${qualified(element)}`;
  for (let i = 0; i < element.attributes.length; i++) {
    const attr = element.attributes.item(i);
    if (attr && GATEWAY_NAMESPACES.has(attr.namespaceURI ?? ''))
      return `the attribute ${qualified(attr)} on ${qualified(element)}`;
  }
  const id = reservedIdOf(element);
  return id === undefined ? undefined : `the reserved Id ${id} on ${qualified(element)}`;
}

/**
 * The first piece of the gateway's own markup in a provider's answer (the element itself and its content), named
 * for a fault: an element or attribute in a gateway namespace, or a reserved Id. Undefined when there is none.
 */
export function gatewayMarkupIn(answer: Element): string | undefined {
  return gatewayMarkupOf(answer) ?? firstProblem(answer, gatewayMarkupOf);
}
