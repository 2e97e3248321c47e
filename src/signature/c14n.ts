/**
 * Exclusive XML canonicalisation (without comments, with an optional InclusiveNamespaces PrefixList), as
 * xml-crypto implements it, with the parts that bind names and values made exact. xml-crypto 6.3 writes namespace
 * URIs unescaped, so a `"` that came in as `&quot;` in a namespace URI reads, in canonical form, like the end of
 * the URI and a further declaration: two different trees (one of them with an element moved to another
 * namespace) then share one digest. It also drops any attribute whose name merely begins with `xmlns`
 * (`xmlnsX="…"` goes unsigned) and sorts with `localeCompare` and a concatenated key, where c14n requires
 * code-point order by namespace URI, then local name. Its walk also copies the whole list of namespaces in scope
 * for every child node and searches that list for every name, so a deep element carrying many namespaces over a
 * hundred thousand children cost seconds of CPU, and a signature check reaches c14n with any trusted
 * certificate, before the signature value is known to be good. This subclass renders namespace declarations and
 * attributes as the c14n specifications say, and walks the tree once, each element's rendered namespaces a frame
 * chained to its output ancestors' (no copies; a lookup costs at most the nesting depth). */
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

/** The namespaces rendered on one output ancestor (prefix → URI), chained to those rendered above it. */
interface Scope {
  readonly bindings: ReadonlyMap<string, string>;
  readonly parent: Scope | undefined;
}

/** The parts of an xmldom node the walk reads. */
interface WalkedNode extends NodeLike {
  readonly nodeType: number;
  readonly tagName?: string;
  readonly data?: string;
  /** A processing instruction's target. */
  readonly target?: string;
  readonly childNodes?: ArrayLike<WalkedNode>;
  readonly parentNode?: WalkedNode | null;
}

/**
 * An InclusiveNamespaces PrefixList (Exclusive XML Canonicalization 1.0, section 3): the namespaces of these
 * prefixes (`#default` the default namespace) are rendered as inclusive c14n renders them, used or not.
 */
interface Listed {
  readonly prefixes: ReadonlySet<string>;
  readonly withDefault: boolean;
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
  return ATTRIBUTE_SPECIALS.test(value)
    ? value.replace(/[&<"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c)
    : value;
}
const ATTRIBUTE_SPECIALS = /[&<"\t\n\r]/;

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

/** The prefix a namespace declaration binds, '' for the default namespace. */
const declaredPrefix = (attr: AttrLike) => (attr.name === 'xmlns' ? '' : attr.name.slice('xmlns:'.length));

/**
 * The namespaces of the listed prefixes that `element` declares itself, or with `inherited` also those in scope
 * from its ancestors (the apex of the canonicalised subtree: inclusive c14n renders there every namespace in
 * scope, wherever declared). The default namespace is keyed ''; the xml prefix is never rendered (libxml2 neither).
 */
function listedDeclarations(element: WalkedNode, listed: Listed, inherited: boolean): Map<string, string> {
  const found = new Map<string, string>();
  for (
    let node: WalkedNode | null | undefined = element;
    node?.nodeType === ELEMENT_NODE;
    node = node.parentNode
  ) {
    const attributes = node.attributes ?? [];
    for (let i = 0; i < attributes.length; i++) {
      const attr = attributes[i] as AttrLike;
      if (!isNamespaceDeclaration(attr)) continue;
      const prefix = declaredPrefix(attr);
      const wanted = prefix === '' ? listed.withDefault : prefix !== 'xml' && listed.prefixes.has(prefix);
      if (wanted && !found.has(prefix)) found.set(prefix, attr.value);
    }
    if (!inherited) break;
  }
  return found;
}

/**
 * `prefix` as an element visibly uses it: added to the element's own declarations unless the nearest output
 * ancestor (or the element itself) already rendered it with this URI. The map is made on the first declaration.
 */
function declare(
  own: Map<string, string> | undefined,
  scope: Scope | undefined,
  prefix: string,
  namespaceURI: string,
): Map<string, string> | undefined {
  const bound = own?.has(prefix) ? own.get(prefix) : boundIn(scope, prefix);
  if (bound === namespaceURI) return own;
  return (own ?? new Map<string, string>()).set(prefix, namespaceURI);
}

/** The URI the nearest output ancestor rendered for `prefix`: a nearer binding shadows the ones above it. */
function boundIn(scope: Scope | undefined, prefix: string): string | undefined {
  for (let frame = scope; frame; frame = frame.parent) {
    const uri = frame.bindings.get(prefix);
    if (uri !== undefined) return uri;
  }
  return undefined;
}

const TEXT_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\r': '&#xD;',
};

/** Text-node escaping of canonical XML (c14n 1.0, 2.2). */
function escapeC14nText(text: string): string {
  return TEXT_SPECIALS.test(text) ? text.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c] ?? c) : text;
}
const TEXT_SPECIALS = /[&<>\r]/;

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const PROCESSING_INSTRUCTION_NODE = 7;
const COMMENT_NODE = 8;

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
    return this.attributesText(attributes);
  }

  /**
   * xml-crypto's entry for a walk that starts with namespaces already in scope; the gateway's own calls start
   * with none (process).
   */
  override processInner(node: any, prefixesInScope: any, defaultNs: any): string {
    const bindings = new Map<string, string>();
    for (const b of (prefixesInScope ?? []) as Binding[]) bindings.set(b.prefix, b.namespaceURI);
    const out: string[] = [];
    this.walk(
      node as WalkedNode,
      { bindings, parent: undefined },
      (defaultNs as string | undefined) ?? '',
      out,
    );
    return out.join('');
  }

  /**
   * Exclusive c14n of `elem`, with `options.inclusiveNamespacesPrefixList` (xml-crypto's name) the prefixes of
   * an InclusiveNamespaces PrefixList. The gateway writes none; it reads them in signatures it verifies.
   */
  override process(elem: any, options?: any): string {
    const list = (options as { inclusiveNamespacesPrefixList?: unknown } | undefined)
      ?.inclusiveNamespacesPrefixList;
    const prefixes = Array.isArray(list) ? (list as string[]) : [];
    const listed = prefixes.length
      ? { prefixes: new Set(prefixes), withDefault: prefixes.includes('#default') }
      : undefined;
    const out: string[] = [];
    this.walk(elem as WalkedNode, undefined, '', out, listed, true);
    return out.join('');
  }
  /* eslint-enable @typescript-eslint/no-explicit-any */

  private walk(
    node: WalkedNode,
    scope: Scope | undefined,
    defaultNs: string,
    out: string[],
    listed?: Listed,
    apex = false,
  ): void {
    switch (node.nodeType) {
      case ELEMENT_NODE:
        return this.walkElement(node, scope, defaultNs, out, listed, apex);
      case TEXT_NODE:
      case CDATA_SECTION_NODE:
        out.push(escapeC14nText(node.data ?? ''));
        return;
      case PROCESSING_INSTRUCTION_NODE:
        // As c14n writes them (a request never holds one: the XML guard refuses them).
        out.push('<?', node.target ?? '', node.data ? ` ${node.data}` : '', '?>');
        return;
      case COMMENT_NODE:
        // c14n without comments drops them.
        return;
      default:
        throw new Error(`exclusive c14n: node type ${node.nodeType} is not canonicalised`);
    }
  }

  /** Attributes (no namespace declarations) in c14n order, rendered. */
  private attributesText(attributes: AttrLike[]): string {
    if (attributes.length > 1) attributes.sort((a, b) => this.attrCompare(a, b));
    let text = '';
    for (const a of attributes) text += ` ${a.name}="${escapeC14nAttribute(a.value)}"`;
    return text;
  }

  // One pass over the attributes finds both what is rendered and which prefixes are visibly used; the maps and
  // lists are made only for elements that have something to put in them (most elements of a message have none).
  private walkElement(
    element: WalkedNode,
    scope: Scope | undefined,
    defaultNs: string,
    out: string[],
    listed: Listed | undefined,
    apex: boolean,
  ): void {
    // Exclusive c14n renders the namespaces an element visibly uses: its own, and those of its attributes; and
    // those of listed prefixes as inclusive c14n does: at the apex all in scope, below it those declared anew.
    let own: Map<string, string> | undefined;
    const namespaceURI = element.namespaceURI ?? '';
    let head = '';
    let childDefaultNs = defaultNs;
    const declarations = listed && listedDeclarations(element, listed, apex);
    const listedDefault = declarations?.get('') ?? (apex && listed?.withDefault ? '' : undefined);
    if (element.prefix) own = declare(own, scope, element.prefix, namespaceURI);
    const usedDefault = element.prefix ? listedDefault : namespaceURI;
    if (usedDefault !== undefined && usedDefault !== defaultNs) {
      childDefaultNs = usedDefault;
      head = ` xmlns="${escapeC14nAttribute(usedDefault)}"`;
    }
    if (declarations) {
      for (const [prefix, uri] of declarations) if (prefix) own = declare(own, scope, prefix, uri);
    }
    const attributes = element.attributes;
    const count = attributes?.length ?? 0;
    let rendered: AttrLike[] | undefined;
    for (let i = 0; i < count; i++) {
      const attr = (attributes as ArrayLike<AttrLike>)[i] as AttrLike;
      if (isNamespaceDeclaration(attr)) continue;
      (rendered ??= []).push(attr);
      if (attr.prefix && attr.namespaceURI !== XML_NS)
        own = declare(own, scope, attr.prefix, attr.namespaceURI ?? '');
    }
    const name = element.tagName ?? '';
    out.push('<', name, head);
    if (own) {
      const declared = [...own].map(([prefix, uri]) => ({ prefix, namespaceURI: uri }));
      if (declared.length > 1) declared.sort((a, b) => this.nsCompare(a, b));
      for (const b of declared) out.push(` xmlns:${b.prefix}="${escapeC14nAttribute(b.namespaceURI)}"`);
    }
    if (rendered) out.push(this.attributesText(rendered));
    out.push('>');
    const childScope = own ? { bindings: own, parent: scope } : scope;
    const children = element.childNodes ?? [];
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (child) this.walk(child, childScope, childDefaultNs, out, listed);
    }
    out.push('</', name, '>');
  }

  override getAlgorithmName(): string {
    return EXC_C14N;
  }
}
