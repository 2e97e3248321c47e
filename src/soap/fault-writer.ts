/**
 * Renders a GatewayFault as a SOAP fault of the request's version. `detail` carries one element of the SMEV
 * faults namespace with `Code` (the stable code) and `Description`; `InvalidContent` lists each validation
 * problem with its position.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { GatewayFault } from './faults.js';
import { NS } from './namespaces.js';
import type { SoapVersion } from './version.js';
import { xmlText } from '../xml/text.js';

/** The code a client keys on: the SMEV subcode when there is one, else the catalogue code. */
export function detailCode(fault: GatewayFault): string {
  return fault.reason ?? fault.code;
}

export interface FaultWriteOptions {
  /** Give the fault element `Id="SIGNED_BY_SMEV"` and an empty `SMEVSignature` beside it for the signer. */
  readonly signatureSlot?: boolean;
}

export const FAULT_BLOCK_ID = 'SIGNED_BY_SMEV';

/** Statuses of refusals made before the message is read, which keep their status in either SOAP version. */
const TRANSPORT_REFUSALS: ReadonlySet<number> = new Set([413, 415, 429]);

export function writeFault(
  fault: GatewayFault,
  version: SoapVersion,
  options: FaultWriteOptions = {},
): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const envelope = doc.ele(version.envelopeNs, 'soap:Envelope');
  if (fault.kind.soapCode === 'VersionMismatch')
    writeUpgrade(envelope.ele(version.envelopeNs, 'soap:Header'));
  const body = envelope.ele(version.envelopeNs, 'soap:Body');
  const faultElement = body.ele(version.envelopeNs, 'soap:Fault');
  const partyCode =
    fault.kind.soapCode ?? (fault.kind.party === 'Client' ? version.clientCode : version.serverCode);
  if (version.name === '1.1') {
    faultElement.ele('faultcode').txt(`soap:${partyCode}`);
    faultElement.ele('faultstring').txt(xmlText(fault.message));
    writeDetail(faultElement.ele('detail'), fault, options);
  } else {
    const code = faultElement.ele(version.envelopeNs, 'soap:Code');
    code.ele(version.envelopeNs, 'soap:Value').txt(`soap:${partyCode}`);
    code
      .ele(version.envelopeNs, 'soap:Subcode')
      .ele(version.envelopeNs, 'soap:Value')
      .att('xmlns:f', NS.faults)
      .txt(`f:${fault.kind.element}`);
    faultElement
      .ele(version.envelopeNs, 'soap:Reason')
      .ele(version.envelopeNs, 'soap:Text')
      .att('http://www.w3.org/XML/1998/namespace', 'xml:lang', 'en')
      .txt(xmlText(fault.message));
    writeDetail(faultElement.ele(version.envelopeNs, 'soap:Detail'), fault, options);
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

function writeDetail(detail: XMLBuilder, fault: GatewayFault, options: FaultWriteOptions): void {
  const element = detail.ele(NS.faults, `f:${fault.kind.element}`);
  if (options.signatureSlot) {
    element.att('Id', FAULT_BLOCK_ID);
    detail.ele(NS.types, 'ns2:SMEVSignature');
  }
  element.ele(NS.faults, 'f:Code').txt(detailCode(fault));
  element.ele(NS.faults, 'f:Description').txt(xmlText(fault.message));
  for (const [name, value] of fault.fields) element.ele(NS.faults, `f:${name}`).txt(xmlText(value));
  if (fault.kind.element !== 'InvalidContent') return;
  const problems = fault.errors.length ? fault.errors : [{ message: fault.message }];
  for (const problem of problems) {
    const error = element.ele(NS.faults, 'f:ValidationError');
    if (problem.line) error.att('errorPosition', String(problem.line)).att('line', String(problem.line));
    if (problem.column) error.att('column', String(problem.column));
    if (problem.element) error.att('element', xmlText(problem.element));
    error.txt(xmlText(problem.message));
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
