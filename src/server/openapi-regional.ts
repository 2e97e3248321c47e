/**
 * The admin API's paths for the regional rules' duties (agreements, changes, route applications, block requests,
 * books).
 */
const json = (schema: object) => ({ 'application/json': { schema } });
const error = { type: 'object', properties: { error: { type: 'string' }, field: { type: 'string' } } };
const errors = {
  401: { description: 'missing or unknown bearer token', content: json(error) },
  403: {
    description: 'the token role (or its spheres, or its participant) may not do this',
    content: json(error),
  },
  404: { description: 'not found', content: json(error) },
  409: { description: 'impossible step, duplicate, or a concurrent change won', content: json(error) },
  429: { description: 'too many requests from this client; see Retry-After', content: json(error) },
};
const withBody = {
  400: { description: 'invalid input: every bad field is named', content: json(error) },
  413: { description: 'the body is too large', content: json(error) },
  415: { description: 'the body is not sent as application/json', content: json(error) },
};
const op = (
  summary: string,
  roles: string,
  extra: { parameters?: object[]; requestBody?: object } = {},
  status: 200 | 201 = 200,
) => ({
  summary,
  description: `Roles: ${roles}.`,
  ...extra,
  responses: {
    [status]: { description: status === 201 ? 'created' : 'done', content: json({ type: 'object' }) },
    ...(extra.requestBody ? withBody : {}),
    ...errors,
  },
});
const body = (schema: object) => ({ requestBody: { required: true, content: json(schema) } });
const path = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const day = { type: 'string', format: 'date', description: 'YYYY-MM-DD' };

export const regionalPaths = {
  '/participants/{id}/agreement': {
    get: op("The participant's interaction agreement (without the document)", 'any', {
      parameters: [path('id')],
    }),
    put: op(
      'Record the interaction agreement with the signed document (replaces an earlier one)',
      'operator',
      {
        parameters: [path('id')],
        ...body({
          type: 'object',
          additionalProperties: false,
          required: ['number', 'signedOn', 'fileName', 'mediaType', 'contentBase64'],
          properties: {
            number: { type: 'string', maxLength: 100 },
            signedOn: day,
            fileName: { type: 'string', description: 'a plain file name, no path' },
            mediaType: {
              enum: [
                'application/pdf',
                'application/pkcs7-mime',
                'application/pkcs7-signature',
                'application/zip',
              ],
            },
            contentBase64: { type: 'string', description: 'the document, base64, at most 5 MiB decoded' },
          },
        }),
      },
    ),
  },
  '/participants/{id}/agreement/file': {
    get: op('The signed agreement document itself', 'any', { parameters: [path('id')] }),
  },
  '/agreements/missing': {
    get: op('State bodies and local governments with no interaction agreement recorded', 'operator, auditor'),
  },
  '/participant-changes': {
    get: op('Reported changes of participant data, newest first', 'operator, auditor', {
      parameters: [
        {
          name: 'late',
          in: 'query',
          schema: { type: 'boolean' },
          description: 'reported after the third day',
        },
        { name: 'participant', in: 'query', schema: { type: 'string' } },
      ],
    }),
  },
  '/route-applications': {
    get: op('Route applications (a participant sees its own)', 'operator, auditor, participant', {
      parameters: [{ name: 'status', in: 'query', schema: { enum: ['applied', 'approved', 'declined'] } }],
    }),
    post: op(
      'Apply for a route of a message type from one of your systems to a recipient',
      'participant, operator',
      {
        ...body({
          type: 'object',
          additionalProperties: false,
          required: ['consumer', 'namespace', 'localName', 'recipient'],
          properties: {
            consumer: { type: 'string' },
            namespace: { type: 'string' },
            localName: { type: 'string' },
            recipient: { type: 'string' },
          },
        }),
      },
      201,
    ),
  },
  '/route-applications/{id}/approve': {
    post: op('Approve: the route is entered', 'operator', {
      parameters: [path('id')],
      requestBody: {
        content: json({
          type: 'object',
          additionalProperties: false,
          properties: {
            provider: { type: 'string', description: 'builtin:<service>, remote:<url> or queue (default)' },
          },
        }),
      },
    }),
  },
  '/route-applications/{id}/decline': {
    post: op('Decline with a reason', 'operator', {
      parameters: [path('id')],
      ...body({ type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } }),
    }),
  },
  '/block-requests': {
    get: op('Requests to block a participant, newest first', 'operator, authority, auditor', {
      parameters: [
        {
          name: 'status',
          in: 'query',
          schema: { enum: ['requested', 'approved', 'declined', 'lifted'] },
        },
        { name: 'participant', in: 'query', schema: { type: 'string' } },
      ],
    }),
    post: op(
      'Ask the authorised body to block a participant breaking the security rules',
      'operator',
      {
        ...body({
          type: 'object',
          additionalProperties: false,
          required: ['participantId', 'reason'],
          properties: {
            participantId: { type: 'string' },
            reason: { type: 'string', maxLength: 1000, description: 'which rules were broken, and how' },
          },
        }),
      },
      201,
    ),
  },
  '/block-requests/{id}': {
    get: op('One block request', 'operator, authority, auditor', { parameters: [path('id')] }),
  },
  '/block-requests/{id}/approve': {
    post: op(
      'Approve: the participant and its systems are blocked, their requests refused with AccessDenied',
      'authority',
      {
        parameters: [path('id')],
        requestBody: {
          content: json({
            type: 'object',
            additionalProperties: false,
            properties: { reason: { type: 'string' } },
          }),
        },
      },
    ),
  },
  '/block-requests/{id}/decline': {
    post: op('Decline with a reason', 'authority', {
      parameters: [path('id')],
      ...body({ type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } }),
    }),
  },
  '/block-requests/{id}/lift': {
    post: op(
      'Lift an approved block: the participant and its systems get their earlier states back',
      'authority',
      {
        parameters: [path('id')],
        ...body({ type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } }),
      },
    ),
  },
  '/reference-books': { get: op('The reference books and their versions', 'any, participant included') },
  '/reference-books/{book}': {
    get: op('A reference book with its entries', 'any, participant included', {
      parameters: [
        path('book'),
        { name: 'withdrawn', in: 'query', schema: { type: 'boolean' } },
        {
          name: 'version',
          in: 'query',
          schema: { type: 'integer', minimum: 1 },
          description:
            'the book as it stood at this version: every entry it held then, withdrawn ones included',
        },
      ],
    }),
  },
  '/reference-books/{book}/{code}': {
    put: op('Add, rename or withdraw an entry; the book version goes up', 'operator', {
      parameters: [path('book'), path('code')],
      ...body({
        type: 'object',
        additionalProperties: false,
        required: ['title'],
        properties: { title: { type: 'string' }, active: { type: 'boolean', default: true } },
      }),
    }),
  },
};

/** A reported change: the application's fields and the day the change took effect. */
