/**
 * Ids the gateway assigns to the blocks it writes and signs. A caller's message may not carry any of them anywhere:
 * its content travels on inside the gateway's answers and queued messages, and a planted element with such an Id
 * could otherwise stand beside the gateway's own block under the same name. One exception: a provider system's
 * SendResponse may name its own signed block SIGNED_BY_PROVIDER, as SMEV 3 clients do. That block travels only in
 * GetResponse answers, beside the gateway's SIGNED_BY_SMEV; the gateway writes a SIGNED_BY_PROVIDER block of its
 * own only around hosted and remote providers' answers, which never hold a caller's block.
 */
import { GatewayFault } from '../core/faults.js';
import type { SoapEnvelope } from '../soap/envelope.js';
import type { ExchangeNamespaces } from '../soap/namespaces.js';
import { firstChildElement, type Document, type Element, type Node } from '../xml/dom.js';
import { PROVIDER_BLOCK_ID, SMEV_BLOCK_ID } from './blocks.js';

/** The block a provider system signs in its SendResponse, if the envelope is one. */
export function sendResponseBlock(envelope: SoapEnvelope, contract: ExchangeNamespaces): Element | undefined {
  if (envelope.operation.name !== 'SendResponse') return undefined;
  return firstChildElement(envelope.operationElement, contract.types, 'SenderProvidedResponseData');
}

export const RESERVED_IDS: ReadonlySet<string> = new Set([SMEV_BLOCK_ID, PROVIDER_BLOCK_ID]);

/** Attribute names XMLDSig tools resolve `#Id` references by, in any namespace (wsu:Id too). */
const ID_NAMES: ReadonlySet<string> = new Set(['Id', 'ID', 'id']);

/**
 * Refuse a document that carries a reserved Id on any element, in any namespace, at any depth; `ownBlock` may carry
 * SIGNED_BY_PROVIDER as its plain `Id` (see above).
 */
export function refuseReservedIds(doc: Document, ownBlock?: Element): void {
  const walk = (node: Node): void => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType !== 1) continue;
      const element = child as Element;
      for (let i = 0; i < element.attributes.length; i++) {
        const attr = element.attributes.item(i);
        // xs:ID values are whitespace-collapsed by schema-aware readers, so " SIGNED_BY_SMEV " counts too.
        if (attr && ID_NAMES.has(attr.localName ?? attr.name) && RESERVED_IDS.has(attr.value.trim())) {
          if (element === ownBlock && attr.name === 'Id' && attr.value === PROVIDER_BLOCK_ID) continue;
          throw new GatewayFault(
            'ReservedId',
            `the Id ${attr.value.trim()} is reserved for the blocks the gateway writes and signs`,
          );
        }
      }
      walk(child);
    }
  };
  walk(doc);
}
