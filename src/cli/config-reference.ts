/**
 * docs/configuration.md, written from the zod schemas themselves (names, types, defaults, limits and the
 * `.describe()` text of every setting), so the page cannot drift from what the gateway accepts.
 * `npm run docs:config` writes it; test/config/reference.test.ts fails when the file differs.
 */
import { z } from 'zod';
import { CardsSettingsSchema } from '../providers/cards/settings.js';
import { DocumentsSettingsSchema } from '../providers/documents/settings.js';
import { RemoteSettingsSchema } from '../providers/remote/remote-provider.js';
import { LabResultsSettingsSchema } from '../providers/lab-results/settings.js';
import { ConfigSchema, ENVIRONMENT } from '../config/config.js';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
}

const toJson = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (value: unknown): string =>
  '`' + (typeof value === 'string' ? value : JSON.stringify(value)) + '`';

/** A setting's type in words, with its limits. */
function typeOf(schema: JsonSchema): string {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return [...new Set(alternatives.map(typeOf))].join(' or ');
  if (schema.const !== undefined) return code(schema.const);
  if (schema.enum) return schema.enum.map(code).join(', ');
  if (schema.type === 'array') return `list of ${schema.items ? typeOf(schema.items) : 'values'}`;
  if (schema.type === 'object') return 'object';
  let words =
    schema.type === undefined ? 'any' : Array.isArray(schema.type) ? schema.type.join(' or ') : schema.type;
  if (schema.format === 'uri') words = 'URL';
  if (schema.format === 'email') words = 'e-mail address';
  const limits: string[] = [];
  if (schema.minimum !== undefined) limits.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) limits.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER)
    limits.push(`≤ ${schema.maximum}`);
  if (schema.pattern !== undefined && schema.format === undefined)
    limits.push(`matching ${code(schema.pattern)}`);
  return limits.length > 0 ? `${words} (${limits.join(', ')})` : words;
}

function defaultOf(schema: JsonSchema, required: boolean): string {
  if (schema.default !== undefined) return code(schema.default);
  return required ? 'required' : '—';
}

const isSection = (schema: JsonSchema): boolean =>
  schema.type === 'object' && schema.properties !== undefined;

/** The leaves of one section as table rows, nested sections flattened into dotted names. */
function rows(schema: JsonSchema, prefix: string, environment: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix + name;
    if (isSection(child)) {
      out.push(...rows(child, path + '.', environment));
      continue;
    }
    const required = schema.required?.includes(name) ?? false;
    out.push(
      `| \`${path}\` | ${environment.has(path) ? `\`${environment.get(path)}\`` : ''} | ${cell(typeOf(child))} | ` +
        `${cell(defaultOf(child, required))} | ${cell(child.description ?? '')} |`,
    );
  }
  return out;
}

const HEADER = ['| setting | environment | type | default | meaning |', '| --- | --- | --- | --- | --- |'];

function table(schema: JsonSchema, prefix: string, environment: Map<string, string>): string[] {
  return [...HEADER, ...rows(schema, prefix, environment)];
}

/** The whole page. */
export function configurationReference(): string {
  const environment = new Map(Object.entries(ENVIRONMENT).map(([variable, path]) => [path, variable]));
  const root = toJson(ConfigSchema);
  const properties = root.properties ?? {};
  const general: JsonSchema = {
    type: 'object',
    properties: Object.fromEntries(
      Object.entries(properties).filter(([name, child]) => !isSection(child) && name !== 'services'),
    ),
  };
  const lines: string[] = [
    '# Configuration',
    '',
    "<!-- Generated from the zod schemas (src/config/config.ts, src/config/http.ts and the services' settings) by",
    '     `npm run docs:config`. Do not edit by hand: test/config/reference.test.ts fails when this file differs. -->',
    '',
    'Settings come from defaults, then a JSON file (`--config FILE` or `SMEV_GATEWAY_CONFIG`), then environment',
    'variables, later ones winning. Unknown keys are refused at start with a message naming them, and so is a value',
    'of the wrong type or out of its range. The defaults run out of the box: SQLite in `data/gateway.db`, the sample',
    'PKI and the sample participants, plain HTTP on `127.0.0.1:8080`.',
    '',
    'Example `gateway.json`:',
    '',
    '```json',
    '{ "port": 9090, "store": { "databaseUrl": "postgres://gateway@db.internal/gateway" }, "logLevel": "warn" }',
    '```',
    '',
    'Environment variables: ' +
      Object.entries(ENVIRONMENT)
        .map(([variable, path]) => `\`${variable}\` (\`${path}\`)`)
        .join(', ') +
      '.',
    '',
    '## General',
    '',
    ...table(general, '', environment),
  ];
  for (const [name, child] of Object.entries(properties)) {
    if (!isSection(child)) continue;
    lines.push('', `## \`${name}\``, '');
    if (child.description) lines.push(child.description, '');
    lines.push(...table(child, name + '.', environment));
  }
  lines.push(
    '',
    '## Service settings',
    '',
    properties.services?.description ?? '',
    'Each section is checked when its service starts; a wrong one stops the gateway with the setting named.',
  );
  const services: [string, z.ZodType, string][] = [
    ['cards', CardsSettingsSchema, 'The social cards service.'],
    [
      'lab-results',
      LabResultsSettingsSchema,
      'The positive-test lookups (`services.tests`, its former name, is read too).',
    ],
    [
      'documents',
      DocumentsSettingsSchema,
      'Digital documents by QR code or short code, see docs/documents.md.',
    ],
    ['remote', RemoteSettingsSchema, 'Remote providers (`remote:<url>` routes), see docs/protocol.md.'],
  ];
  for (const [name, schema, what] of services) {
    lines.push(
      '',
      `### \`services.${name}\``,
      '',
      what,
      '',
      ...table(toJson(schema), `services.${name}.`, environment),
    );
  }
  lines.push(
    '',
    "A third party's provider module takes its own section, `services.<name>` with its `module` (see",
    '`examples/provider-module/README.md`).',
    '',
  );
  return lines.join('\n');
}
