/**
 * Renders a GatewayFault as a SOAP fault of the request's version. `detail` carries one element of the SMEV
 * faults namespace shaped as the official faults schema of the contract version defines it (fault-details.ts):
 * empty for the faults that carry nothing, else `basic:Code` (the stable code), `basic:Description` and the
 * fault's own elements. An empty fault whose gateway code differs from its element name carries that code at the
 * head of the fault string, the one place left for text.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { FAULT_SHAPES, FIELD_DEFAULTS, officialSignatureCode } from './fault-details.js';
import type { GatewayFault, QualifiedName } from '../core/faults.js';
import { EXCHANGE_1_1, type ExchangeNamespaces } from './namespaces.js';
import { NS } from './namespaces.js';
import type { SoapVersion } from './version.js';
import { xmlText } from '../xml/text.js';

/** The code a client keys on: the SMEV subcode when there is one, else the catalogue code. */
export function detailCode(fault: GatewayFault): string {
  return fault.reason ?? fault.code;
}

export interface FaultWriteOptions {
  /**
   * Give the SOAP Body `wsu:Id="SIGNED_BY_SMEV"` and an empty `SMEVSignature` in the SOAP Header for the signer:
   * the official fault elements take no attributes, the SOAP 1.2 Body takes only qualified ones (WS-Security's
   * Id is the usual one), and the Body covers the whole fault.
   */
  readonly signatureSlot?: boolean;
  /** The contract version the request spoke; 1.1 by default. */
  readonly contract?: ExchangeNamespaces;
}

export const FAULT_BLOCK_ID = 'SIGNED_BY_SMEV';

/** Statuses of refusals made before the message is read, which keep their status in either SOAP version. */
const TRANSPORT_REFUSALS: ReadonlySet<number> = new Set([413, 415, 429]);

/** The fault string: the message, after the gateway's code when the detail element is empty and named otherwise. */
export function faultString(fault: GatewayFault): string {
  const code = detailCode(fault);
  const empty = FAULT_SHAPES[fault.kind.element]?.kind !== 'smevFault';
  return empty && code !== fault.kind.element ? `${code}: ${fault.message}` : fault.message;
}

export function writeFault(
  fault: GatewayFault,
  version: SoapVersion,
  options: FaultWriteOptions = {},
): string {
  const contract = options.contract ?? EXCHANGE_1_1;
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const envelope = doc.ele(version.envelopeNs, 'soap:Envelope');
  const notUnderstood = version.name === '1.2' ? fault.notUnderstood : undefined;
  const header =
    fault.kind.soapCode === 'VersionMismatch' || options.signatureSlot || notUnderstood
      ? envelope.ele(version.envelopeNs, 'soap:Header')
      : undefined;
  if (header && fault.kind.soapCode === 'VersionMismatch') writeUpgrade(header);
  if (header && notUnderstood) writeNotUnderstood(header, notUnderstood);
  if (header && options.signatureSlot) header.ele(contract.types, 'ns2:SMEVSignature');
  const body = envelope.ele(version.envelopeNs, 'soap:Body');
  if (options.signatureSlot) body.att(NS.wsu, 'wsu:Id', FAULT_BLOCK_ID);
  const faultElement = body.ele(version.envelopeNs, 'soap:Fault');
  const partyCode =
    fault.kind.soapCode ?? (fault.kind.party === 'Client' ? version.clientCode : version.serverCode);
  if (version.name === '1.1') {
    faultElement.ele('faultcode').txt(xmlText(`soap:${partyCode}`));
    faultElement.ele('faultstring').txt(xmlText(faultString(fault)));
    writeDetail(faultElement.ele('detail'), fault, contract);
  } else {
    const code = faultElement.ele(version.envelopeNs, 'soap:Code');
    code.ele(version.envelopeNs, 'soap:Value').txt(xmlText(`soap:${partyCode}`));
    code
      .ele(version.envelopeNs, 'soap:Subcode')
      .ele(version.envelopeNs, 'soap:Value')
      .att('xmlns:f', contract.faults)
      .txt(xmlText(`f:${fault.kind.element}`));
    faultElement
      .ele(version.envelopeNs, 'soap:Reason')
      .ele(version.envelopeNs, 'soap:Text')
      .att('http://www.w3.org/XML/1998/namespace', 'xml:lang', 'en')
      .txt(xmlText(faultString(fault)));
    writeDetail(faultElement.ele(version.envelopeNs, 'soap:Detail'), fault, contract);
  }
  return doc.end();
}

/**
 * The SOAP 1.2 Upgrade header block (part 1, 5.4.7) that tells a client which envelopes the gateway speaks, in
 * order of preference; SOAP 1.1 faults carry it too (part 1, appendix A).
 */
function writeUpgrade(header: XMLBuilder): void {
  const upgrade = header.ele(NS.soap12, 'upg:Upgrade');
  upgrade.ele(NS.soap12, 'upg:SupportedEnvelope').att('qname', 'v12:Envelope').att('xmlns:v12', NS.soap12);
  upgrade.ele(NS.soap12, 'upg:SupportedEnvelope').att('qname', 'v11:Envelope').att('xmlns:v11', NS.soap11);
}

/** The SOAP 1.2 NotUnderstood header block (part 1, 5.4.8): which block of the request was not understood. */
function writeNotUnderstood(header: XMLBuilder, block: QualifiedName): void {
  const element = header.ele(NS.soap12, 'env:NotUnderstood');
  if (block.namespace) element.att('qname', `nu:${block.localName}`).att('xmlns:nu', block.namespace);
  else element.att('qname', block.localName);
}

function writeDetail(detail: XMLBuilder, fault: GatewayFault, contract: ExchangeNamespaces): void {
  const name = fault.kind.element;
  const element = detail.ele(contract.faults, `f:${name}`);
  const shape = FAULT_SHAPES[name];
  if (shape?.kind !== 'smevFault') return;
  element.att('xmlns:b', contract.basic);
  element.ele(contract.basic, 'b:Code').txt(xmlText(detailCode(fault).slice(0, contract.codeLength)));
  element.ele(contract.basic, 'b:Description').txt(xmlText(fault.message));
  const given = new Map(fault.fields);
  for (const field of shape.extra) {
    if (field === 'ValidationError') writeValidationErrors(element, fault, contract);
    else if (field === 'SignatureVerificationFault')
      element.ele(contract.faults, `f:${field}`).txt(xmlText(officialSignatureCode(fault.reason)));
    else
      element
        .ele(contract.faults, `f:${field}`)
        .txt(xmlText(given.get(field) ?? FIELD_DEFAULTS[field] ?? ''));
  }
}

/** Each validation problem with its line as `errorPosition`, the one attribute the schema gives it. */
function writeValidationErrors(element: XMLBuilder, fault: GatewayFault, contract: ExchangeNamespaces): void {
  const problems = fault.errors.length ? fault.errors : [{ message: fault.message }];
  for (const problem of problems) {
    const where = [
      problem.column && `column ${problem.column}`,
      problem.element && `element ${problem.element}`,
    ]
      .filter(Boolean)
      .join(', ');
    element
      .ele(contract.faults, 'f:ValidationError')
      .att('errorPosition', String(problem.line ?? 0))
      .txt(xmlText(where ? `${problem.message} (${where})` : problem.message));
  }
}

/**
 * HTTP status for a fault: 413/415/429 are transport refusals before any SOAP processing; otherwise SOAP 1.1
 * always 500 (WS-I BP R1126) and SOAP 1.2 by its HTTP binding.
 */
export function faultHttpStatus(fault: GatewayFault, version: SoapVersion): number {
  if (TRANSPORT_REFUSALS.has(fault.kind.http)) return fault.kind.http;
  return version.name === '1.1' ? 500 : fault.kind.http;
}
