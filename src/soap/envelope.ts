/**
 * Reading a SOAP envelope: its version must match the media type it came with, a header (optional: SMEV demands
 * one, we accept its absence) may hold nothing we must understand, and the body holds exactly one operation
 * element that names an operation we serve.
 */
import type { Document, Element } from '../xml/dom.js';
import { childElements } from '../xml/dom.js';
import { GatewayFault } from '../core/faults.js';
import { operationFor, type Operation } from './operations.js';
import { EXCHANGE_1_1, type ExchangeNamespaces } from './namespaces.js';
import type { SoapVersion } from './version.js';
import { trimmed } from '../core/trim.js';

export interface SoapEnvelope {
  readonly envelope: Element;
  readonly header: Element | undefined;
  readonly operationElement: Element;
  readonly operation: Operation;
}

export function readEnvelope(
  doc: Document,
  version: SoapVersion,
  action: string | undefined,
  contract: ExchangeNamespaces = EXCHANGE_1_1,
): SoapEnvelope {
  const envelope = doc.documentElement;
  if (!envelope || envelope.localName !== 'Envelope') {
    throw new GatewayFault('PoorSOAPEnvelopeFormat', 'the document element is not a SOAP Envelope');
  }
  if (envelope.namespaceURI !== version.envelopeNs) {
    throw new GatewayFault(
      'VersionMismatch',
      `the envelope namespace ${envelope.namespaceURI ?? '(none)'} is not SOAP ${version.name}'s ${version.envelopeNs}`,
    );
  }
  const parts = childElements(envelope);
  const inEnvelopeNs = (e: Element | undefined, name: string) =>
    e !== undefined && e.localName === name && e.namespaceURI === version.envelopeNs;
  const header = inEnvelopeNs(parts[0], 'Header') ? parts[0] : undefined;
  const body = parts[header ? 1 : 0];
  if (!body || !inEnvelopeNs(body, 'Body') || parts.length !== (header ? 2 : 1)) {
    throw new GatewayFault(
      'PoorSOAPEnvelopeFormat',
      'the envelope must hold an optional Header and then one Body',
    );
  }
  if (header) requireUnderstood(header, version);
  const content = childElements(body);
  const operationElement = content[0];
  if (!operationElement || content.length !== 1) {
    throw new GatewayFault(
      'PoorSOAPEnvelopeFormat',
      `the Body must hold exactly one element, found ${content.length}`,
    );
  }
  const operation = operationFor(operationElement.namespaceURI, operationElement.localName ?? '', contract);
  if (!operation) {
    throw new GatewayFault(
      'UnknownOperation',
      `{${operationElement.namespaceURI ?? ''}}${operationElement.localName} is not an operation of this gateway's ` +
        `message exchange ${contract.version} (served at ${contract.path})`,
    );
  }
  if (action && action !== operation.soapAction) {
    throw new GatewayFault(
      'PoorSOAPEnvelopeFormat',
      `SOAP action "${action}" does not match the body's operation ${operation.name} (${operation.soapAction})`,
    );
  }
  return { envelope, header, operationElement, operation };
}

/**
 * No header block of ours exists yet, so any block for the gateway marked mustUnderstand cannot be honoured. A
 * block is for the gateway when it names no target or a role the gateway plays (SOAP 1.1 4.2.2, SOAP 1.2 part 1
 * 2.2-2.4); one for another node is not processed, flag or not. The flag (xs:boolean) and the target (xs:anyURI)
 * are read with surrounding whitespace collapsed, as schema validation and every SOAP stack read them.
 */
function requireUnderstood(header: Element, version: SoapVersion): void {
  for (const block of childElements(header)) {
    const flag = collapsed(block.getAttributeNS(version.envelopeNs, 'mustUnderstand'));
    const target = block.hasAttributeNS(version.envelopeNs, version.targetAttribute)
      ? collapsed(block.getAttributeNS(version.envelopeNs, version.targetAttribute))
      : undefined;
    const forUs = target === undefined || version.rolesPlayed.includes(target);
    if (forUs && (flag === '1' || flag === 'true')) {
      throw new GatewayFault(
        'MustUnderstand',
        `header block {${block.namespaceURI ?? ''}}${block.localName} is marked mustUnderstand and is not understood`,
        { notUnderstood: { namespace: block.namespaceURI ?? '', localName: block.localName ?? '' } },
      );
    }
  }
}

const collapsed = (value: string | null) => trimmed(value ?? '', ' \t\r\n');
