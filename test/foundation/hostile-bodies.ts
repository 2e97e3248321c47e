/**
 * Hostile bodies of up to 4.9 MB, each refused by its own guard: shared by the hardening tests (which check the
 * refusal and that a concurrent signed request is still answered) and `npm run bench:hostile` (which times them).
 */
import { NS } from '../../src/soap/namespaces.js';
import { nested } from './helpers.js';

export const ENVELOPE_OPEN = `<soap:Envelope xmlns:soap="${NS.soap11}"><soap:Body>`;
export const ENVELOPE_CLOSE = '</soap:Body></soap:Envelope>';

export const XXE =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' +
  `${ENVELOPE_OPEN}<x:Leak xmlns:x="urn://example.test/x">&xxe;</x:Leak>${ENVELOPE_CLOSE}`;

export function billionLaughs(): string {
  const entities = ['<!ENTITY lol0 "lol">'];
  for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  return (
    `<?xml version="1.0"?>\n<!DOCTYPE soap:Envelope [${entities.join('')}]>\n` +
    `${ENVELOPE_OPEN}<x:Lol xmlns:x="urn://example.test/x">&lol9;</x:Lol>${ENVELOPE_CLOSE}`
  );
}

/** A whole document `depth` elements deep (the Envelope counts as 1), elements only. */
export function deepDocument(depth: number): string {
  return `${ENVELOPE_OPEN}${nested(depth - 2)}${ENVELOPE_CLOSE}`;
}

export function attributes(count: number): string {
  return Array.from({ length: count }, (_, i) => `a${i}="${i}"`).join(' ');
}

/** About 4.9 MB: `levels` opening and closing tags with long names. */
export function hugeDeep(levels = 100_000): string {
  const name = 'h:deeply-nested-elemnt';
  const doc = `${ENVELOPE_OPEN}<${name} xmlns:h="urn://example.test/h">${`<${name}>`.repeat(levels - 1)}${`</${name}>`.repeat(levels)}${ENVELOPE_CLOSE}`;
  return doc;
}

/** About 4.9 MB of siblings: `unit` repeated under one element (a flat body of tiny elements or comments). */
export function hugeFlat(unit: string): string {
  const head = `${ENVELOPE_OPEN}<x:Flat xmlns:x="urn://example.test/x">`;
  const tail = `</x:Flat>${ENVELOPE_CLOSE}`;
  return head + unit.repeat(Math.floor((4_900_000 - head.length - tail.length) / unit.length)) + tail;
}

/** About 4.9 MB: one element with some two hundred thousand attributes. */
export function hugeAttributes(): string {
  const head = `${ENVELOPE_OPEN}<x:Many xmlns:x="urn://example.test/x"`;
  const tail = `/>${ENVELOPE_CLOSE}`;
  const parts: string[] = [];
  let size = head.length + tail.length;
  for (let i = 0; size < 4_900_000; i++) {
    const attr = ` a${i}="${'v'.repeat(16)}"`;
    parts.push(attr);
    size += attr.length;
  }
  return head + parts.join('') + tail;
}

/** About 4.9 MB: billion laughs padded with a large comment so the parser must read a lot before the DOCTYPE ends. */
export function hugeLaughs(): string {
  const doc = billionLaughs();
  const padding = `<!--${'p'.repeat(4_900_000 - doc.length)}-->`;
  return doc.replace('<?xml version="1.0"?>\n', `<?xml version="1.0"?>\n${padding}`);
}
