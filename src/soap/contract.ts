/**
 * Serving the published contract: the WSDL and every schema it imports, with `schemaLocation` and the service
 * addresses rewritten to the base URL the client used (or the configured public URL). Documents are parsed once;
 * each request rewrites the location attributes and serialises.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Attr, Document } from '@xmldom/xmldom';
import { parseDom, serializeNode } from '../xml/dom.js';

interface ContractDocument {
  readonly doc: Document;
  /** Attributes to rewrite, with the file name or path they point at. */
  readonly links: ReadonlyArray<{ attr: Attr; target: string }>;
}

const LINK_ATTRIBUTES = new Set(['schemaLocation', 'location']);

export class Contract {
  private constructor(
    private readonly wsdl: ContractDocument,
    private readonly schemas: ReadonlyMap<string, ContractDocument>,
    private readonly faults: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  static load(wsdlFile: string, xsdDir: string): Contract {
    const schemas = new Map<string, ContractDocument>();
    for (const name of readdirSync(xsdDir).filter((file) => file.endsWith('.xsd'))) {
      schemas.set(name, loadDocument(join(xsdDir, name)));
    }
    const wsdl = loadDocument(wsdlFile);
    return new Contract(wsdl, schemas, declaredFaults(wsdl.doc));
  }

  /**
   * Whether the WSDL declares a fault with this detail element (its local name) for the operation: a client
   * generated from it (JAX-WS, CXF, .NET) maps only declared faults to their types. True for an operation the
   * WSDL does not name, which has nothing to go by.
   */
  declaresFault(operation: string, element: string): boolean {
    return this.faults.get(operation)?.has(element) ?? true;
  }

  get schemaNames(): string[] {
    return [...this.schemas.keys()];
  }

  /** The WSDL with every address and import pointing at `baseUrl` (e.g. `http://host:8080/ws`). */
  wsdlFor(serviceUrl: string): string {
    return render(this.wsdl, serviceUrl);
  }

  /** A schema by file name, or undefined for names that are not ours (no path is ever read from the request). */
  schemaFor(name: string, serviceUrl: string): string | undefined {
    const schema = this.schemas.get(name);
    return schema && render(schema, serviceUrl);
  }
}

function loadDocument(file: string): ContractDocument {
  const doc = parseDom(readFileSync(file, 'utf8'));
  const links: Array<{ attr: Attr; target: string }> = [];
  const walk = (node: Document | Element) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType !== 1) continue;
      const element = child as unknown as Element;
      for (const attr of Array.from(element.attributes)) {
        if (LINK_ATTRIBUTES.has(attr.localName ?? '')) links.push({ attr, target: attr.value });
      }
      walk(element);
    }
  };
  walk(doc);
  return { doc, links };
}

type Element = import('@xmldom/xmldom').Element;

const WSDL = 'http://schemas.xmlsoap.org/wsdl/';

/** For each operation of the WSDL's port types, the local names of the detail elements of its faults. */
function declaredFaults(doc: Document): Map<string, Set<string>> {
  const partElements = new Map<string, string>();
  for (const message of Array.from(doc.getElementsByTagNameNS(WSDL, 'message'))) {
    const part = message.getElementsByTagNameNS(WSDL, 'part').item(0);
    const element = part?.getAttribute('element');
    if (element) partElements.set(message.getAttribute('name') ?? '', element.replace(/^[^:]*:/, ''));
  }
  const faults = new Map<string, Set<string>>();
  for (const portType of Array.from(doc.getElementsByTagNameNS(WSDL, 'portType'))) {
    for (const operation of Array.from(portType.getElementsByTagNameNS(WSDL, 'operation'))) {
      const declared = faults.get(operation.getAttribute('name') ?? '') ?? new Set<string>();
      for (const fault of Array.from(operation.getElementsByTagNameNS(WSDL, 'fault'))) {
        const element = partElements.get((fault.getAttribute('message') ?? '').replace(/^[^:]*:/, ''));
        if (element) declared.add(element);
      }
      faults.set(operation.getAttribute('name') ?? '', declared);
    }
  }
  return faults;
}

function render(document: ContractDocument, serviceUrl: string): string {
  for (const { attr, target } of document.links) {
    // Service addresses become the URL the client used; schema files become `?xsd=NAME` on it.
    attr.value = target.endsWith('.xsd') ? `${serviceUrl}?xsd=${encodeURIComponent(target)}` : serviceUrl;
  }
  return serializeNode(document.doc);
}
