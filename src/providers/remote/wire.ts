/**
 * The wire contract between the gateway and a remote provider (an upstream system behind `remote:<url>`).
 *
 * Request: SOAP 1.1, `POST <url>`, `Content-Type: text/xml; charset=utf-8`, `SOAPAction: "urn:ProvideData"`:
 *
 *   <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
 *     <soap:Body>
 *       <pd:ProvideDataRequest xmlns:pd="urn://smev-gateway/exchange/provider/1.0">
 *         <pd:MessageID>…</pd:MessageID>                   the consumer's MessageID (UUID v1)
 *         <pd:ReferenceMessageID>…</pd:ReferenceMessageID> its ReferenceMessageID (MessageID when absent)
 *         <pd:TransactionCode>…</pd:TransactionCode>       optional
 *         <pd:Sender>MNEMONIC</pd:Sender>                  the verified sending system
 *         <pd:TestMessage/>                                optional: the provider must not change its data
 *         <pd:Content>{the business element as received}</pd:Content>
 *       </pd:ProvideDataRequest>
 *     </soap:Body>
 *   </soap:Envelope>
 *
 * Answer: HTTP 200 with a SOAP 1.1 envelope whose Body holds exactly one `pd:ProvideDataResponse` holding exactly
 * one of
 *   - `pd:Content` with exactly one namespace-qualified business element (the answer; delivery.ts refuses one
 *     that carries the gateway's own namespaces or reserved Ids anywhere, see smev/reserved-ids.ts), or
 *   - `pd:Rejected` with `pd:Code` (ACCESS_DENIED | NO_DATA | UNKNOWN_REQUEST_DESCRIPTION | FAILURE, SMEV's
 *     RejectionReasonCode set) then `pd:Description` (text, may be empty): a business rejection.
 * A technical failure is a SOAP 1.1 Fault (HTTP 500). Anything else is refused as a provider failure. The
 * provider elements are prefixed on the wire so that an unqualified element inside the content never falls into
 * the provider namespace; any prefix (or a default namespace) is accepted in the answer.
 */
import { NS } from '../../soap/namespaces.js';
import { childElements, parseDom, serializeNode, type Element, type Node } from '../../xml/dom.js';
import { guardXml } from '../../xml/guard.js';
import type { RejectionCode } from '../contract.js';

export const PROVIDER_NS = 'urn://smev-gateway/exchange/provider/1.0';
export const PROVIDE_DATA_ACTION = 'urn:ProvideData';

export const REJECTION_CODES: readonly RejectionCode[] = [
  'ACCESS_DENIED',
  'NO_DATA',
  'UNKNOWN_REQUEST_DESCRIPTION',
  'FAILURE',
];

/** The parts of an exchange a remote provider is told. */
export interface RemoteCall {
  readonly messageId: string;
  readonly referenceMessageId: string;
  readonly transactionCode: string | undefined;
  readonly testMessage: boolean;
  readonly sender: { readonly mnemonic: string };
  readonly messageType: { readonly namespace: string; readonly localName: string };
  /** The business element as received, serialised as one standalone element (see `serializeElement`). */
  readonly payloadXml: string;
}

/** Limits for parsing what an upstream sends back. */
const ANSWER_LIMITS = { maxDepth: 64, maxAttributes: 256, maxNodes: 100_000 };

/** Why an upstream answer was refused; the provider maps it to a ProviderFailure naming it. */
export class WireError extends Error {
  override name = 'WireError';
}

export type UpstreamAnswer =
  | { readonly kind: 'answer'; readonly body: string }
  | { readonly kind: 'rejected'; readonly code: RejectionCode; readonly description: string }
  | { readonly kind: 'fault'; readonly faultCode: string; readonly faultString: string };

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function buildProvideDataRequest(call: RemoteCall): string {
  const parts = [
    `<soap:Envelope xmlns:soap="${NS.soap11}"><soap:Body>`,
    `<pd:ProvideDataRequest xmlns:pd="${PROVIDER_NS}">`,
    `<pd:MessageID>${escapeText(call.messageId)}</pd:MessageID>`,
    `<pd:ReferenceMessageID>${escapeText(call.referenceMessageId)}</pd:ReferenceMessageID>`,
    call.transactionCode === undefined
      ? ''
      : `<pd:TransactionCode>${escapeText(call.transactionCode)}</pd:TransactionCode>`,
    `<pd:Sender>${escapeText(call.sender.mnemonic)}</pd:Sender>`,
    call.testMessage ? '<pd:TestMessage/>' : '',
    `<pd:Content>${call.payloadXml}</pd:Content>`,
    '</pd:ProvideDataRequest></soap:Body></soap:Envelope>',
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>${parts.join('')}`;
}

/** Check that the payload text is exactly one element, so it cannot break out of `Content`. */
export function checkPayloadXml(payloadXml: string): void {
  let doc;
  try {
    guardXml(payloadXml, ANSWER_LIMITS);
    doc = parseDom(payloadXml);
  } catch (error) {
    throw new WireError(`the payload is not one well-formed element: ${(error as Error).message}`);
  }
  if (!doc.documentElement || childElements(doc).length !== 1)
    throw new WireError('the payload is not one element');
}

/**
 * Serialise an element on its own, keeping every namespace declaration in scope that it or its content may
 * need: xmldom's serializer adds the ones used by element and attribute names; this adds ancestors'
 * declarations whose prefix also appears in attribute values or text (QNames in content, like `xsi:type`).
 * The element itself is not changed: the clone is.
 */
export function serializeElement(element: Element): string {
  const inScope = new Map<string, string>();
  for (let node: Node | null = element.parentNode; node && node.nodeType === 1; node = node.parentNode) {
    const attributes = (node as Element).attributes;
    for (let i = 0; i < attributes.length; i++) {
      const attribute = attributes.item(i);
      if (!attribute) continue;
      const prefix =
        attribute.name === 'xmlns'
          ? ''
          : attribute.name.startsWith('xmlns:')
            ? attribute.name.slice(6)
            : undefined;
      if (prefix !== undefined && !inScope.has(prefix)) inScope.set(prefix, attribute.value);
    }
  }
  const clone = element.cloneNode(true) as Element;
  const text = contentText(element);
  for (const [prefix, uri] of inScope) {
    if (prefix === '' || clone.hasAttribute(`xmlns:${prefix}`)) continue;
    if (new RegExp(`(^|[^\\w.-])${prefix.replace(/[.-]/g, '\\$&')}:`).test(text)) {
      clone.setAttributeNS('http://www.w3.org/2000/xmlns/', `xmlns:${prefix}`, uri);
    }
  }
  return serializeNode(clone);
}

/** Attribute values and text of a subtree, joined, to look for prefixes used in content. */
function contentText(root: Element): string {
  const out: string[] = [];
  const walk = (node: Node) => {
    if (node.nodeType === 3 || node.nodeType === 4) out.push(node.nodeValue ?? '');
    if (node.nodeType === 1) {
      const attributes = (node as Element).attributes;
      for (let i = 0; i < attributes.length; i++) out.push(attributes.item(i)?.value ?? '');
    }
    for (let child = node.firstChild; child; child = child.nextSibling) walk(child);
  };
  walk(root);
  return out.join('\n');
}

/** Non-whitespace text directly inside an element (mixed content the contract does not allow). */
function strayText(element: Element): boolean {
  for (let child = element.firstChild; child; child = child.nextSibling) {
    if ((child.nodeType === 3 || child.nodeType === 4) && (child.nodeValue ?? '').trim() !== '') return true;
  }
  return false;
}

const named = (element: Element | undefined, namespace: string, localName: string): element is Element =>
  element !== undefined && element.namespaceURI === namespace && element.localName === localName;

const describe = (element: Element) =>
  `{${element.namespaceURI ?? ''}}${element.localName ?? element.nodeName}`;

/** Read an upstream answer body; throws WireError naming what is wrong with it. */
export function parseProvideDataResponse(text: string): UpstreamAnswer {
  let doc;
  try {
    guardXml(text, ANSWER_LIMITS);
    doc = parseDom(text);
  } catch (error) {
    throw new WireError(`the answer is not well-formed XML: ${(error as Error).message}`);
  }
  const envelope = doc.documentElement;
  if (!envelope || !named(envelope, NS.soap11, 'Envelope')) {
    throw new WireError(
      `the answer is not a SOAP 1.1 envelope (root ${envelope ? describe(envelope) : 'missing'})`,
    );
  }
  const parts = childElements(envelope);
  const body = parts.find((part) => named(part, NS.soap11, 'Body'));
  const expected = named(parts[0], NS.soap11, 'Header') ? 2 : 1;
  if (!body || parts.length !== expected || parts[expected - 1] !== body) {
    throw new WireError('the answer envelope must hold an optional Header and one Body');
  }
  const [operation, ...extra] = childElements(body);
  if (!operation || extra.length || strayText(body))
    throw new WireError('the answer Body must hold exactly one element');
  if (named(operation, NS.soap11, 'Fault')) {
    const fields = childElements(operation);
    const field = (name: string) =>
      fields.find((f) => f.localName === name && !f.namespaceURI)?.textContent?.trim() ?? '';
    return {
      kind: 'fault',
      faultCode: field('faultcode') || '(none)',
      faultString: field('faultstring') || '(none)',
    };
  }
  if (!named(operation, PROVIDER_NS, 'ProvideDataResponse')) {
    throw new WireError(`the answer Body holds ${describe(operation)}, not ProvideDataResponse`);
  }
  const children = childElements(operation);
  const [outcome] = children;
  if (!outcome || children.length !== 1 || strayText(operation)) {
    throw new WireError(
      `ProvideDataResponse must hold exactly one Content or Rejected, not ${children.length} elements`,
    );
  }
  if (named(outcome, PROVIDER_NS, 'Content')) {
    const content = childElements(outcome);
    const [answer] = content;
    if (!answer || content.length !== 1 || strayText(outcome)) {
      throw new WireError(`Content must hold exactly one business element, not ${content.length}`);
    }
    const namespace = answer.namespaceURI ?? '';
    if (namespace === '' || namespace === PROVIDER_NS || namespace === NS.soap11) {
      throw new WireError(`the business element ${describe(answer)} must be in a business service namespace`);
    }
    return { kind: 'answer', body: serializeElement(answer) };
  }
  if (named(outcome, PROVIDER_NS, 'Rejected')) {
    const fields = childElements(outcome);
    const [code, description, ...rest] = fields;
    if (
      !named(code, PROVIDER_NS, 'Code') ||
      !named(description, PROVIDER_NS, 'Description') ||
      rest.length ||
      strayText(outcome)
    ) {
      throw new WireError('Rejected must hold Code then Description');
    }
    if (childElements(code).length || childElements(description).length) {
      throw new WireError('Rejected Code and Description are text only');
    }
    const value = (code.textContent ?? '').trim() as RejectionCode;
    if (!REJECTION_CODES.includes(value)) {
      throw new WireError(
        `Rejected Code "${value.slice(0, 64)}" is not one of ${REJECTION_CODES.join(', ')}`,
      );
    }
    return { kind: 'rejected', code: value, description: (description.textContent ?? '').trim() };
  }
  throw new WireError(`ProvideDataResponse holds ${describe(outcome)}, not Content or Rejected`);
}
