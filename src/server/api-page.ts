/**
 * A readable page of the admin API, rendered by the gateway itself from its OpenAPI document: `GET /api/docs`
 * (HTML) and `GET /api/docs/style.css` (its stylesheet, packaged here). No script, no CDN, no inline style: the
 * page's policy lets it load its own stylesheet and nothing else. Every text taken from the document is escaped.
 */
import express, { type Router } from 'express';
import { openApiDocument } from './openapi.js';
import { escapeHtml } from '../console/html.js';
import { PAGE_POLICY } from './security-headers.js';
import { withoutTrailing } from '../core/trim.js';

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An id for an anchor: method and path, letters and digits only. */
export const anchorOf = (method: string, path: string): string =>
  withoutTrailing(`${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-'), '-');

/** A JSON Schema in a few words: its type, a $ref as a link, enums, arrays of what. */
function typeWords(schema: unknown): string {
  if (!isObject(schema)) return '';
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return `<a href="#schema-${escapeHtml(name)}">${escapeHtml(name)}</a>`;
  }
  if (Array.isArray(schema.enum))
    return schema.enum.map((v) => `<code>${escapeHtml(JSON.stringify(v))}</code>`).join(' | ');
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const alternatives = schema[key];
    if (Array.isArray(alternatives))
      return alternatives.map(typeWords).join(key === 'allOf' ? ' &amp; ' : ' | ');
  }
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : String(schema.type ?? 'any');
  if (type === 'array') return `array of ${typeWords(schema.items) || 'any'}`;
  const format = typeof schema.format === 'string' ? ` (${escapeHtml(schema.format)})` : '';
  return `${escapeHtml(type)}${format}`;
}

/** Table rows of an object schema's fields, nested objects' fields under dotted names. */
function fieldRows(schema: Json, prefix: string): string[] {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  return Object.entries(properties).flatMap(([name, field]) => {
    const description =
      isObject(field) && field.description !== undefined ? escapeHtml(field.description) : '';
    const row =
      `<tr><td><code>${escapeHtml(prefix + name)}</code>` +
      `${required.includes(name) ? ' <span class="req">required</span>' : ''}</td>` +
      `<td>${typeWords(field)}</td><td>${description}</td></tr>`;
    const nested = isObject(field) && isObject(field.properties) ? fieldRows(field, `${prefix}${name}.`) : [];
    return [row, ...nested];
  });
}

/** A schema's fields as a table, or its JSON when it has no plain fields. */
function schemaBlock(schema: unknown): string {
  if (!isObject(schema)) return '';
  if (isObject(schema.properties) && Object.keys(schema.properties).length > 0) {
    const rows = fieldRows(schema, '').join('');
    return `<table><thead><tr><th>field</th><th>type</th><th>meaning</th></tr></thead><tbody>${rows}</tbody></table>`;
  }
  if (!Array.isArray(schema.allOf) && schema.description === undefined) return `<p>${typeWords(schema)}</p>`;
  return `<pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`;
}

function parametersBlock(parameters: unknown): string {
  if (!Array.isArray(parameters) || parameters.length === 0) return '';
  const rows = parameters
    .filter(isObject)
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(p.name)}</code>${p.required === true ? ' <span class="req">required</span>' : ''}</td>` +
        `<td>${escapeHtml(p.in)}</td><td>${typeWords(p.schema)}</td><td>${p.description !== undefined ? escapeHtml(p.description) : ''}</td></tr>`,
    )
    .join('');
  return `<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>type</th><th>meaning</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function contentSchema(content: unknown): { mediaType: string; schema: unknown } | undefined {
  if (!isObject(content)) return undefined;
  const [mediaType, body] = Object.entries(content)[0] ?? [];
  return mediaType === undefined
    ? undefined
    : { mediaType, schema: isObject(body) ? body.schema : undefined };
}

function operationBlock(method: string, path: string, op: Json): string {
  const parts = [
    `<section class="op" id="${anchorOf(method, path)}">`,
    `<h3><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>`,
  ];
  if (op.summary !== undefined) parts.push(`<p class="summary">${escapeHtml(op.summary)}</p>`);
  if (op.description !== undefined) parts.push(`<p>${escapeHtml(op.description)}</p>`);
  parts.push(parametersBlock(op.parameters));
  if (isObject(op.requestBody)) {
    const body = contentSchema(op.requestBody.content);
    if (body)
      parts.push(
        `<h4>Request body <code>${escapeHtml(body.mediaType)}</code>${op.requestBody.required === true ? '' : ' (optional)'}</h4>`,
        schemaBlock(body.schema),
      );
  }
  if (isObject(op.responses)) {
    const rows = Object.entries(op.responses)
      .map(([status, response]) => {
        const r = isObject(response) ? response : {};
        const body = contentSchema(r.content);
        const what = body ? `<code>${escapeHtml(body.mediaType)}</code> ${typeWords(body.schema)}` : '';
        return `<tr><td>${escapeHtml(status)}</td><td>${escapeHtml(r.description ?? '')}</td><td>${what}</td></tr>`;
      })
      .join('');
    parts.push(
      `<h4>Responses</h4><table><thead><tr><th>status</th><th>when</th><th>body</th></tr></thead><tbody>${rows}</tbody></table>`,
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

/** The whole page for an OpenAPI 3 document. */
export function renderApiPage(document: Json, stylesheet = '/api/docs/style.css'): string {
  const info = isObject(document.info) ? document.info : {};
  const title = String(info.title ?? 'API');
  const server =
    Array.isArray(document.servers) && isObject(document.servers[0])
      ? String(document.servers[0].url ?? '')
      : '';
  const paths = isObject(document.paths) ? document.paths : {};
  const operations: [string, string, Json][] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (isObject(op)) operations.push([method, path, op]);
    }
  }
  const contents = operations
    .map(
      ([method, path, op]) =>
        `<li><a href="#${anchorOf(method, path)}"><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> ` +
        `<code>${escapeHtml(path)}</code></a> ${op.summary !== undefined ? escapeHtml(op.summary) : ''}</li>`,
    )
    .join('\n');
  const components = isObject(document.components) ? document.components : {};
  const schemas = isObject(components.schemas) ? components.schemas : {};
  const schemaSections = Object.entries(schemas)
    .map(
      ([name, schema]) =>
        `<section class="schema" id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${schemaBlock(schema)}</section>`,
    )
    .join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<link rel="stylesheet" href="${escapeHtml(stylesheet)}">`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${escapeHtml(title)} <small>${escapeHtml(info.version ?? '')}</small></h1>`,
    info.description !== undefined ? `<p>${escapeHtml(info.description)}</p>` : '',
    `<p>Paths are relative to <code>${escapeHtml(server || '/')}</code>. The machine-readable document: ` +
      `<a href="${escapeHtml(server)}/openapi.json"><code>${escapeHtml(server)}/openapi.json</code></a>.</p>`,
    '</header>',
    '<nav><h2>Operations</h2><ul>',
    contents,
    '</ul></nav>',
    '<main>',
    '<h2>Operations</h2>',
    ...operations.map(([method, path, op]) => operationBlock(method, path, op)),
    schemaSections ? `<h2>Schemas</h2>\n${schemaSections}` : '',
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export const API_PAGE_STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem 2rem; color: #1b1f24; }
h1 small { font-weight: normal; color: #57606a; font-size: 60%; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 90%; }
pre { background: #f6f8fa; padding: .75rem; overflow-x: auto; }
nav ul { list-style: none; padding: 0; columns: 2 28rem; }
nav li { margin: .15rem 0; }
a { color: #0550ae; text-decoration: none; }
a:hover { text-decoration: underline; }
.method { display: inline-block; min-width: 4.2rem; font: bold 80% ui-monospace, monospace; text-align: center;
  border-radius: 3px; padding: 0 .3rem; color: #fff; background: #57606a; }
.method.get { background: #0969da; } .method.post { background: #1a7f37; }
.method.put { background: #9a6700; } .method.delete { background: #cf222e; }
.op, .schema { border-top: 1px solid #d0d7de; padding: .5rem 0 1rem; }
.summary { font-weight: 600; }
table { border-collapse: collapse; margin: .25rem 0 .75rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
.req { color: #cf222e; font-size: 80%; }
`;

/** `GET /api/docs` and its stylesheet, from the admin API's own document. */
export function apiPage(): Router {
  const page = renderApiPage(openApiDocument as unknown as Json);
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.setHeader('Content-Security-Policy', PAGE_POLICY);
    res.type('html').send(page);
  });
  router.get('/style.css', (_req, res) => {
    res.type('css').send(API_PAGE_STYLE);
  });
  return router;
}
