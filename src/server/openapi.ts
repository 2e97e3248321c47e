/**
 * The OpenAPI 3.1 description of the admin API, served at `/api/v1/openapi.json`. Request bodies and queries are
 * the very zod schemas the handlers parse with, turned into JSON Schema, so the description cannot drift from
 * what is accepted; a test compares its paths with the routes the server registers.
 */
import { z } from 'zod';
import { ListCardsQuery } from '../providers/cards/index.js';
import {
  ApplicationInput,
  CertificateInput,
  ChangeInput,
  LifecycleActionInput,
  ReasonInput,
  RouteInput,
  SystemInput,
} from '../registry/inputs.js';
import { TRANSITIONS } from '../registry/lifecycle.js';
import { regionalPaths } from './openapi-regional.js';
import { RegistryDaysQuery } from '../providers/certificates/registry-days.js';
import { ConsentQuery } from '../providers/lab-results/consents.js';
import { CardUseQuery } from '../reports/card-use.js';

/** The message-log search of `GET /messages`. */
export const MessageQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional().describe('ISO 8601 time, inclusive'),
    to: z.iso.datetime({ offset: true }).optional().describe('ISO 8601 time, inclusive'),
    system: z.string().max(64).optional().describe('sender or recipient mnemonic'),
    messageType: z.string().max(800).optional().describe('{namespace}localName'),
    messageId: z.string().max(64).optional().describe('request, answer or reference MessageID'),
    fault: z
      .string()
      .max(200)
      .optional()
      .describe('true, false, or a fault code such as Client.MessageIsAlreadySent'),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

type JsonSchema = Record<string, unknown>;

/** JSON Schema of what a handler accepts (its input side: defaults make fields optional). */
function schemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
  return rest;
}

/** Query parameters, one per field of a zod object schema. */
function queryOf(schema: z.ZodObject): JsonSchema[] {
  const json = schemaOf(schema) as { properties: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: 'query',
      required: json.required?.includes(name) ?? false,
      schema: rest,
      ...(description ? { description } : {}),
    };
  });
}

const json = (schema: object) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const list = (name: string) => ({ type: 'array', items: ref(name) });
const error = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    field: { type: 'string', description: 'the first bad field' },
    problems: {
      type: 'array',
      description: 'every bad field of the request',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, message: { type: 'string' } },
        required: ['field', 'message'],
      },
    },
  },
  required: ['error'],
};
const errors = {
  401: { description: 'missing or unknown bearer token', content: json(error) },
  403: { description: 'the token role may not do this', content: json(error) },
  404: { description: 'not found', content: json(error) },
  409: { description: 'impossible transition, duplicate, or a concurrent change won', content: json(error) },
  429: { description: 'too many requests from this client; see Retry-After', content: json(error) },
};
const withBody = {
  400: { description: 'invalid input: every bad field is named', content: json(error) },
  413: { description: 'the body is larger than 64 KiB', content: json(error) },
  415: { description: 'the body is not sent as application/json', content: json(error) },
};

interface Operation {
  readonly summary: string;
  readonly roles: string;
  /** The success status and what it carries. */
  readonly status?: 200 | 201;
  readonly returns: object;
  readonly mediaType?: string;
  readonly parameters?: readonly object[];
  readonly body?: z.ZodType;
  readonly bodyRequired?: boolean;
  readonly query?: z.ZodObject;
  readonly public?: boolean;
}

function operation(op: Operation) {
  const status = op.status ?? 200;
  return {
    summary: op.summary,
    description: `Roles: ${op.roles}.`,
    ...(op.public ? { security: [] } : {}),
    ...(op.parameters || op.query
      ? { parameters: [...(op.parameters ?? []), ...(op.query ? queryOf(op.query) : [])] }
      : {}),
    ...(op.body
      ? { requestBody: { required: op.bodyRequired ?? true, content: json(schemaOf(op.body)) } }
      : {}),
    responses: {
      [status]: {
        description: status === 201 ? 'created' : 'done',
        content: { [op.mediaType ?? 'application/json']: { schema: op.returns } },
      },
      ...(op.body || op.query ? withBody : {}),
      ...(op.public ? {} : errors),
    },
  };
}

const path = (name: string, schema: object = { type: 'string' }) => ({
  name,
  in: 'path',
  required: true,
  schema,
});
const id = path('id');
const mnemonic = path('mnemonic', { type: 'string', pattern: '^[A-Z0-9_]{3,50}$' });
const text = { type: 'string' };
const object = (properties: Record<string, object>, extra: object = {}) => ({
  type: 'object',
  properties,
  ...extra,
});

const schemas = {
  Participant: object({
    id: text,
    registryCode: { type: ['string', 'null'] },
    status: {
      enum: ['submitted', 'checked', 'registered', 'active', 'suspended', 'blocked', 'declined', 'withdrawn'],
    },
    fullName: text,
    shortName: text,
    ogrn: text,
    inn: text,
    overdue: { type: 'boolean' },
  }),
  ParticipantDetails: {
    allOf: [
      ref('Participant'),
      object({
        transitions: {
          type: 'array',
          items: object({ from_status: {}, to_status: text, actor: text, role: text }),
        },
        systems: { type: 'array', items: ref('InformationSystem') },
      }),
    ],
  },
  InformationSystem: object({ mnemonic: text, name: text, status: text }),
  Certificate: object({
    thumbprint: text,
    subject: text,
    serial: text,
    notBefore: text,
    notAfter: text,
    status: text,
  }),
  Route: object({
    id: text,
    consumer: text,
    namespace: text,
    localName: text,
    recipient: text,
    provider: text,
  }),
  Page: object({
    page: { type: 'integer' },
    pageSize: { type: 'integer' },
    total: { type: 'integer' },
    items: { type: 'array' },
  }),
  Record: { type: 'object', description: 'a record as stored, its fields named as in the store' },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'smev-gateway admin API',
    version: '1.0.0',
    description:
      'Every call needs a bearer token of a role (operator, coordinator, auditor, participant, authority) made with the CLI. ' +
      "A coordinator scoped to spheres sees only its spheres' participants and their systems, certificates and routes; " +
      'any other answers 404, as one that does not exist.',
  },
  servers: [{ url: '/api/v1' }],
  security: [{ bearer: [] }],
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas },
  paths: {
    '/openapi.json': {
      get: operation({
        summary: 'This document',
        roles: 'none (public)',
        returns: { type: 'object' },
        public: true,
      }),
    },
    '/applications': {
      post: operation({
        summary: "Enter an organisation's application to join (a declined organisation may apply again)",
        roles: 'operator',
        status: 201,
        body: ApplicationInput,
        returns: ref('Participant'),
      }),
    },
    '/participants': {
      get: operation({
        summary: 'List participants with their status and overdue flag',
        roles: 'any',
        parameters: [
          { name: 'status', in: 'query', schema: text },
          { name: 'overdue', in: 'query', schema: { enum: ['true', 'false'] } },
        ],
        returns: list('Participant'),
      }),
    },
    '/participants/{id}': {
      get: operation({
        summary: 'A participant with its transitions and systems',
        roles: 'any',
        parameters: [id],
        returns: ref('ParticipantDetails'),
      }),
      put: operation({
        summary:
          "Replace a participant's data after it reports a change (checked like an application, with the day it took effect; a report after the third day is marked late). " +
          "A checked application whose organisation's data changed (anything but the contact) goes back to submitted for a new check; `change.checkAgain` names the fields. " +
          "A registered participant's OGRN and INN do not change (409).",
        roles: 'operator',
        parameters: [id],
        body: ChangeInput,
        returns: ref('Participant'),
      }),
    },
    '/participants/{id}/{action}': {
      post: operation({
        summary:
          'Move a participant through its lifecycle (a reason is required to decline, suspend, block, withdraw); ' +
          'with `version`, the version read, the action is refused (409) if the participant changed since',
        roles: 'coordinator for check and decline, operator for the rest',
        parameters: [id, path('action', { enum: Object.keys(TRANSITIONS) })],
        body: LifecycleActionInput,
        bodyRequired: false,
        returns: ref('Participant'),
      }),
    },
    '/participants/{id}/qr.{format}': {
      get: operation({
        summary: "The registered participant's QR code, PNG or SVG",
        roles: 'any',
        parameters: [id, path('format', { enum: ['png', 'svg'] })],
        mediaType: 'image/*',
        returns: { type: 'string', contentMediaType: 'image/png or image/svg+xml' },
      }),
    },
    '/participants/{id}/systems': {
      post: operation({
        summary: 'Add an information system',
        roles: 'operator',
        status: 201,
        parameters: [id],
        body: SystemInput,
        returns: ref('InformationSystem'),
      }),
    },
    '/systems': {
      get: operation({
        summary: 'List information systems',
        roles: 'any',
        returns: list('InformationSystem'),
      }),
    },
    '/systems/{mnemonic}/{action}': {
      post: operation({
        summary: 'Suspend, resume or block a system',
        roles: 'operator',
        parameters: [mnemonic, path('action', { enum: ['suspend', 'resume', 'block'] })],
        body: ReasonInput,
        bodyRequired: false,
        returns: ref('InformationSystem'),
      }),
    },
    '/systems/{mnemonic}/certificates': {
      get: operation({
        summary: "The system's signing certificates",
        roles: 'any',
        parameters: [mnemonic],
        returns: list('Certificate'),
      }),
      post: operation({
        summary: 'Register a signing certificate (PEM); it must chain to the trust store and be valid',
        roles: 'operator',
        status: 201,
        parameters: [mnemonic],
        body: CertificateInput,
        returns: ref('Certificate'),
      }),
    },
    '/systems/{mnemonic}/certificates/{thumbprint}': {
      delete: operation({
        summary: 'Withdraw a certificate',
        roles: 'operator',
        parameters: [mnemonic, path('thumbprint', { type: 'string', pattern: '^[0-9a-f]{64}$' })],
        returns: ref('Certificate'),
      }),
    },
    '/routes': {
      get: operation({ summary: 'List routes', roles: 'any', returns: list('Route') }),
      post: operation({
        summary: "Route a consumer's message type to a recipient and its provider",
        roles: 'operator',
        status: 201,
        body: RouteInput,
        returns: ref('Route'),
      }),
    },
    '/routes/{id}': {
      delete: operation({
        summary: 'Withdraw a route',
        roles: 'operator',
        parameters: [id],
        returns: ref('Route'),
      }),
    },
    '/messages': {
      get: operation({
        summary: 'Search the message log (each search is recorded in the audit trail)',
        roles: 'auditor',
        query: MessageQuery,
        returns: ref('Page'),
      }),
    },
    '/messages/{id}': {
      get: operation({
        summary:
          'One whole record with the request and answer XML as received and sent (the read is recorded)',
        roles: 'auditor',
        parameters: [id],
        returns: ref('Record'),
      }),
    },
    '/queue/messages/{id}': {
      get: operation({
        summary:
          'Where a queued message is (by MessageID): its state, parties, type, times and hand-outs, and those of ' +
          'the request and answers of its exchange; no bodies (the read is recorded)',
        roles: 'operator or auditor',
        parameters: [id],
        query: z.object({
          sender: z.string().optional().describe('the sending system, when several used the same MessageID'),
        }),
        returns: ref('Record'),
      }),
    },
    '/reports/cards': {
      get: operation({
        summary: 'Card use per connection point over a period: connected, blocked, unblocked, deregistered',
        roles: 'operator or auditor',
        query: CardUseQuery,
        returns: { type: 'object', properties: { from: text, to: text, rows: { type: 'array' } } },
      }),
    },
    '/certificates/registries': {
      get: operation({
        summary: 'Past days each supplier sent no daily registry, and registries that came late',
        roles: 'operator or auditor',
        query: RegistryDaysQuery,
        returns: { type: 'object' },
      }),
    },
    '/tests/consents': {
      get: operation({
        summary: 'Consents to personal-data processing given at visit registration (phone as a keyed hash)',
        roles: 'auditor',
        query: ConsentQuery,
        returns: { type: 'array', items: { type: 'object' } },
      }),
    },
    '/cards': {
      get: operation({
        summary: 'The social card register, a page at a time (no card numbers: the last four digits only)',
        roles: 'operator',
        query: ListCardsQuery,
        returns: ref('Page'),
      }),
    },
    '/cards/{id}': {
      get: operation({
        summary: 'One card and its history',
        roles: 'operator',
        parameters: [path('id', { type: 'string', format: 'uuid' })],
        returns: ref('Record'),
      }),
    },
    ...regionalPaths,
  },
};
