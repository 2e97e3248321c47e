/** The OpenAPI 3.1 description of the admin API, served at `/api/v1/openapi.json`. */
import { applicationExtras, changeBodyExtras, regionalPaths } from './openapi-regional.js';
const json = (schema: object) => ({ 'application/json': { schema } });
const error = {
  type: 'object',
  properties: { error: { type: 'string' }, field: { type: 'string' } },
  required: ['error'],
};
const errors = {
  400: { description: 'invalid input; `field` names the field', content: json(error) },
  401: { description: 'missing or unknown bearer token', content: json(error) },
  403: { description: 'the token role may not do this', content: json(error) },
  404: { description: 'not found', content: json(error) },
  409: { description: 'impossible transition, duplicate, or a concurrent change won', content: json(error) },
};
const reason = {
  type: 'object',
  properties: { reason: { type: 'string', maxLength: 1000 } },
  additionalProperties: false,
};
const op = (summary: string, roles: string, extra: object = {}) => ({
  summary,
  description: `Roles: ${roles}.`,
  responses: { 200: { description: 'done' }, ...errors },
  ...extra,
});
const body = (schema: object) => ({ requestBody: { required: true, content: json(schema) } });
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const mnemonic = {
  name: 'mnemonic',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[A-Z0-9_]{3,50}$' },
};

const application = {
  type: 'object',
  additionalProperties: false,
  required: ['fullName', 'shortName', 'legalForm', 'ogrn', 'inn', 'address', 'head', 'contact'],
  properties: {
    fullName: { type: 'string' },
    shortName: { type: 'string' },
    legalForm: { type: 'string' },
    ogrn: { type: 'string', description: '13 digits with a valid check digit' },
    inn: { type: 'string', description: '10 digits with a valid check digit' },
    kpp: { type: 'string', pattern: '^\\d{4}[0-9A-Z]{2}\\d{3}$' },
    address: { type: 'string' },
    head: { type: 'string' },
    ...applicationExtras,
    contact: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'position', 'phone', 'email'],
      properties: {
        name: { type: 'string' },
        position: { type: 'string' },
        phone: { type: 'string' },
        email: { type: 'string' },
      },
    },
  },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'smev-gateway admin API', version: '1.0.0' },
  servers: [{ url: '/api/v1' }],
  security: [{ bearer: [] }],
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  paths: {
    '/applications': {
      post: op("Enter an organisation's application to join", 'operator', body(application)),
    },
    '/participants': {
      get: op('List participants with their status and overdue flag', 'any', {
        parameters: [
          { name: 'status', in: 'query', schema: { type: 'string' } },
          { name: 'overdue', in: 'query', schema: { type: 'boolean' } },
        ],
      }),
    },
    '/participants/{id}': {
      get: op('A participant with its transitions and systems', 'any', { parameters: [id] }),
      put: op(
        "Replace a participant's data after it reports a change; a report after the third day is marked late",
        'operator',
        {
          parameters: [id],
          ...body({
            ...application,
            required: [...application.required, 'changedOn'],
            properties: { ...application.properties, ...changeBodyExtras },
          }),
        },
      ),
    },
    '/participants/{id}/{action}': {
      post: op(
        'Move a participant through its lifecycle: check, decline (coordinator); register, activate, suspend, resume, block, withdraw (operator)',
        'coordinator or operator, by action',
        {
          parameters: [
            id,
            {
              name: 'action',
              in: 'path',
              required: true,
              schema: {
                enum: ['check', 'decline', 'register', 'activate', 'suspend', 'resume', 'block', 'withdraw'],
              },
            },
          ],
          requestBody: { content: json(reason) },
        },
      ),
    },
    '/participants/{id}/qr.png': {
      get: op("The registered participant's QR code (PNG)", 'any', { parameters: [id] }),
    },
    '/participants/{id}/qr.svg': {
      get: op("The registered participant's QR code (SVG)", 'any', { parameters: [id] }),
    },
    '/participants/{id}/systems': {
      post: op('Add an information system', 'operator', {
        parameters: [id],
        ...body({
          type: 'object',
          additionalProperties: false,
          required: ['mnemonic', 'name'],
          properties: { mnemonic: { type: 'string' }, name: { type: 'string' } },
        }),
      }),
    },
    '/systems': { get: op('List information systems', 'any') },
    '/systems/{mnemonic}/{action}': {
      post: op('Suspend, resume or block a system', 'operator', {
        parameters: [
          mnemonic,
          { name: 'action', in: 'path', required: true, schema: { enum: ['suspend', 'resume', 'block'] } },
        ],
        requestBody: { content: json(reason) },
      }),
    },
    '/systems/{mnemonic}/certificates': {
      get: op("The system's signing certificates", 'any', { parameters: [mnemonic] }),
      post: op(
        'Register a signing certificate (PEM); it must chain to the trust store and be valid',
        'operator',
        {
          parameters: [mnemonic],
          ...body({
            type: 'object',
            additionalProperties: false,
            required: ['pem'],
            properties: { pem: { type: 'string' } },
          }),
        },
      ),
    },
    '/systems/{mnemonic}/certificates/{thumbprint}': {
      delete: op('Withdraw a certificate', 'operator', {
        parameters: [
          mnemonic,
          { name: 'thumbprint', in: 'path', required: true, schema: { type: 'string' } },
        ],
      }),
    },
    '/routes': {
      get: op('List routes', 'any'),
      post: op(
        "Route a consumer's message type to a recipient and its provider",
        'operator',
        body({
          type: 'object',
          additionalProperties: false,
          required: ['consumer', 'namespace', 'localName', 'recipient', 'provider'],
          properties: {
            consumer: { type: 'string' },
            namespace: { type: 'string' },
            localName: { type: 'string' },
            recipient: { type: 'string' },
            provider: { type: 'string', description: 'builtin:<service> or remote:<url>' },
          },
        }),
      ),
    },
    '/routes/{id}': { delete: op('Withdraw a route', 'operator', { parameters: [id] }) },
    '/messages': {
      get: op('Search the message log (each search is recorded in the audit trail)', 'auditor', {
        parameters: ['from', 'to', 'system', 'messageType', 'messageId', 'fault', 'page', 'pageSize'].map(
          (name) => ({
            name,
            in: 'query',
            schema: { type: ['page', 'pageSize'].includes(name) ? 'integer' : 'string' },
            description: {
              from: 'ISO 8601 time, inclusive',
              to: 'ISO 8601 time, inclusive',
              system: 'sender or recipient mnemonic',
              messageType: '{namespace}localName',
              messageId: 'request, answer or reference MessageID',
              fault: 'true, false, or a fault code such as Client.MessageIsAlreadySent',
              page: 'from 1',
              pageSize: '1 to 500, default 50',
            }[name],
          }),
        ),
      }),
    },
    '/messages/{id}': {
      get: op(
        'One whole record with the request and answer XML as received and sent (the read is recorded)',
        'auditor',
        { parameters: [id] },
      ),
    },
    '/queue/messages/{id}': {
      get: op(
        'Where a queued message is (by MessageID): its state, parties, type, times and hand-outs, and those of the request and answers of its exchange; no bodies (the read is recorded)',
        'operator or auditor',
        { parameters: [id] },
      ),
    },
    ...regionalPaths,
  },
};
