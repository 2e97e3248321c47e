/**
 * The gateway's stable code, read back from a fault it wrote: `Code` of the detail element (in the basic namespace
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
