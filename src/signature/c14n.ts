/**
 * Exclusive XML canonicalisation (without comments, no InclusiveNamespaces), as xml-crypto implements it, with
 * the parts that bind names and values made exact. xml-crypto 6.3 writes namespace URIs unescaped, so a `"` that
 * came in as `&quot;` in a namespace URI reads, in canonical form, like the end of the URI and a further
 * declaration: two different trees (one of them with an element moved to another namespace) then share one
 * digest. It also drops any attribute whose name merely begins with `xmlns` (`xmlnsX="…"` goes unsigned) and
 * sorts with `localeCompare` and a concatenated key, where c14n requires code-point order by namespace URI, then
 * local name. This subclass renders namespace declarations and attributes as the c14n specifications say and
 * keeps the rest of xml-crypto's walk.
 */
import { ExclusiveCanonicalization } from 'xml-crypto';

export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

/** The parts of an xmldom node the renderers read. */
interface NodeLike {
  readonly prefix?: string | null;
  readonly localName?: string | null;
  readonly namespaceURI?: string | null;
  readonly attributes?: ArrayLike<AttrLike>;
}

interface AttrLike {
  readonly name: string;
  readonly prefix?: string | null;
  readonly localName?: string | null;
  readonly namespaceURI?: string | null;
  readonly value: string;
}

interface Binding {
  readonly prefix: string;
  readonly namespaceURI: string;
}

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};

/** Attribute-value escaping of canonical XML (c14n 1.0, 2.2), for attribute values and namespace URIs alike. */
export function escapeC14nAttribute(value: string): string {
  return value.replace(/[&<"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);
}

/**
 * Code-point order (c14n sorts by UCS code point, not by locale). It differs from UTF-16 order only where a
 * surrogate meets a character at or above U+E000, so code units are compared and code points only there.
 */
function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const surrogate = (x >= 0xd800 && x <= 0xdfff) || (y >= 0xd800 && y <= 0xdfff);
    return surrogate ? (a.codePointAt(i) ?? x) - (b.codePointAt(i) ?? y) : x - y;
  }
  return a.length - b.length;
}

const isNamespaceDeclaration = (attr: AttrLike) =>
  attr.namespaceURI === XMLNS_NS || attr.name === 'xmlns' || attr.name.startsWith('xmlns:');

function inScope(scope: readonly Binding[], prefix: string, namespaceURI: string): boolean {
  // The last binding for a prefix shadows the earlier ones.
  const binding = scope.filter((b) => b.prefix === prefix).pop();
  return binding !== undefined && binding.namespaceURI === namespaceURI;
}

export class GatewayExclusiveCanonicalization extends ExclusiveCanonicalization {
  // xml-crypto types these hooks with `any`; the overrides keep its signatures so the subclass stays assignable.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  override attrCompare(a: any, b: any): 1 | 0 | -1 {
    const x = a as AttrLike;
    const y = b as AttrLike;
    const order =
      compareCodePoints(x.namespaceURI ?? '', y.namespaceURI ?? '') ||
      compareCodePoints(x.localName ?? x.name, y.localName ?? y.name);
    return order < 0 ? -1 : order > 0 ? 1 : 0;
  }

  override nsCompare(a: any, b: any): number {
    return compareCodePoints((a as Binding).prefix, (b as Binding).prefix);
  }

  override renderAttrs(node: any): string {
    const element = node as NodeLike;
    const attributes = Array.from(element.attributes ?? []).filter((a) => !isNamespaceDeclaration(a));
    attributes.sort((a, b) => this.attrCompare(a, b));
    return attributes.map((a) => ` ${a.name}="${escapeC14nAttribute(a.value)}"`).join('');
  }

  override renderNs(
    node: any,
    prefixesInScope: any,
    defaultNs: any,
  ): { rendered: string; newDefaultNs: any } {
    const element = node as NodeLike;
    const scope = prefixesInScope as Binding[];
    const rendered: Binding[] = [];
    let head = '';
    let newDefaultNs = defaultNs as string;
    const own = element.namespaceURI ?? '';
    const use = (prefix: string, namespaceURI: string) => {
      if (inScope(scope, prefix, namespaceURI)) return;
      rendered.push({ prefix, namespaceURI });
      scope.push({ prefix, namespaceURI });
    };
    // Exclusive c14n renders the namespaces an element visibly uses: its own, and those of its attributes.
    if (element.prefix) use(element.prefix, own);
    else if (own !== newDefaultNs) {
      newDefaultNs = own;
      head = ` xmlns="${escapeC14nAttribute(own)}"`;
    }
    for (const attr of Array.from(element.attributes ?? [])) {
      if (!attr.prefix || isNamespaceDeclaration(attr) || attr.namespaceURI === XML_NS) continue;
      use(attr.prefix, attr.namespaceURI ?? '');
    }
    rendered.sort((a, b) => this.nsCompare(a, b));
    const declarations = rendered.map((b) => ` xmlns:${b.prefix}="${escapeC14nAttribute(b.namespaceURI)}"`);
    return { rendered: head + declarations.join(''), newDefaultNs };
  }

  /** Exclusive c14n with no InclusiveNamespaces: the gateway accepts and writes none. */
  override process(elem: any): string {
    return this.processInner(elem, [], '', {}, []);
  }
  /* eslint-enable @typescript-eslint/no-explicit-any */

  override getAlgorithmName(): string {
    return EXC_C14N;
  }
}
