/**
 * A fault read back: its text, and the gateway's stable code: `Code` of the detail element (in the basic namespace
 * of any contract version), or, for the faults the official schema leaves empty, the code at the head of the fault
 * string, else the element's own name.
 */
import type { Element } from '../xml/dom.js';
import { childElements } from '../xml/dom.js';

const LEADING_CODE = /^([A-Za-z][A-Za-z0-9]{0,99}): /;

export function faultCodeOf(detail: Element | undefined, faultString: string): string {
  if (!detail) return 'unknown';
  const code = childElements(detail).find(
    (e) => e.localName === 'Code' && (e.namespaceURI ?? '').includes('/types/basic/'),
  );
  if (code) return (code.textContent ?? '').trim();
  return LEADING_CODE.exec(faultString.trim())?.[1] ?? detail.localName ?? 'unknown';
}

/** A SOAP fault's text: faultstring (1.1) or Reason (1.2), trimmed; '' when it has none. */
export function faultText(fault: Element): string {
  const text = childElements(fault).find((e) => e.localName === 'faultstring' || e.localName === 'Reason');
  return text?.textContent?.trim() ?? '';
}
