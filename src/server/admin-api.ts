/**
 * The admin API under `/api/v1`: JSON over HTTP with bearer tokens per role. Coordinators check applications;
 * operators register, add systems, certificates and routes, suspend and block; auditors read; the authorised
 * body decides the operator's requests to block a participant. A missing or
 * wrong token is a 401 and a wrong role a 403, both before anything is read or changed.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { RegistryError } from '../registry/errors.js';
import { systemActionStatus } from '../registry/systems.js';
import { LifecycleActionInput, ReasonInput, parseInput } from '../registry/inputs.js';
import { isTransitionName } from '../registry/lifecycle.js';
import { qrPng, qrSvg } from '../registry/qr.js';
import type { Actor, Registry } from '../registry/registry.js';
import { permits, rolesOf, type Permission } from '../registry/permissions.js';
import { clientErrorOf } from '../store/errors.js';
import { MessageQuery, openApiDocument } from './openapi.js';
import type { AuditTrail } from '../audit/trail.js';
import { getMessage, searchMessages } from '../messagelog/query.js';
import type { BodySealer } from '../messagelog/sealing.js';
import { cardsApi } from './cards-api.js';
import { ConsentQuery, listConsents } from '../providers/lab-results/consents.js';
import { CardUseQuery, cardUseCsv, cardUseReport } from '../reports/card-use.js';
import { RegistryDaysQuery, registryDays } from '../providers/certificates/registry-days.js';
import { traceQueuedMessage } from '../queue/trace.js';
import type { Store } from '../store/store.js';
import { logFailure, type Logger } from '../logging/logger.js';

type Authenticated = Response<unknown, { actor: Actor }>;

export interface AdminApiParts {
  readonly registry: Registry;
  readonly store: Store;
  /** Where auditors' reads of the message log are recorded. */
  readonly trail: AuditTrail;
  /** Opens sealed bodies for auditors; absent: they are shown as stored. */
  readonly sealer?: BodySealer | undefined;
  /** The hosted services' business clock ("today" of the daily registries); the wall clock by default. */
  readonly serviceClock?: () => Date;
  /** Where a request that failed on the gateway's side is logged, with its stack. */
  readonly log: Logger;
}

const PARTICIPANT_PATHS = [
  { method: 'GET', path: /^\/route-applications\/?$/ },
  { method: 'POST', path: /^\/route-applications\/?$/ },
  { method: 'GET', path: /^\/reference-books(\/[^/]+)?\/?$/ },
];

const handle =
  (status: number, work: (req: Request, actor: Actor) => Promise<unknown>) =>
  async (req: Request, res: Authenticated, next: NextFunction) => {
    try {
      res.status(status).json(await work(req, res.locals.actor));
    } catch (error) {
      next(error);
    }
  };
const param = (req: Request, name: string) => String(req.params[name]);

export function adminApi({
  registry,
  store,
  trail,
  sealer,
  serviceClock = () => new Date(),
  log,
}: AdminApiParts): Router {
  const api = express.Router();
  api.get('/openapi.json', (_req, res) => void res.json(openApiDocument));

  api.use(async (req, res: Authenticated, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const actor = match?.[1] ? await registry.authenticate(match[1]) : undefined;
    if (!actor) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="smev-gateway"');
      return void res.status(401).json({ error: 'a valid bearer token is required' });
    }
    res.locals.actor = actor;
    // A participant's token reaches its own route applications and the reference books, nothing else.
    if (
      actor.role === 'participant' &&
      !PARTICIPANT_PATHS.some((p) => p.method === req.method && p.path.test(req.path))
    )
      return void res
        .status(403)
        .json({ error: 'a participant token may apply for routes and read reference books only' });
    next();
  });
  // A body of another type would be read as no body at all, and its fields reported missing: say what is wrong.
  api.use((req, res, next) => {
    // An empty body (a lifecycle action with no reason) has no type to check.
    const empty =
      req.headers['transfer-encoding'] === undefined && Number(req.headers['content-length'] ?? 0) === 0;
    if (empty || req.is('application/json')) return next();
    res.status(415).json({
      error:
        'the request body must be JSON sent with Content-Type: application/json ' +
        `(this one came as ${req.headers['content-type'] ?? 'no Content-Type'})`,
    });
  });
  const allow = (permission: Permission) => (_req: Request, res: Authenticated, next: NextFunction) => {
    if (permits(res.locals.actor.role, permission)) return next();
    res.status(403).json({
      error: `this needs the ${rolesOf(permission).join(' or ')} role; the token is ${res.locals.actor.role}`,
    });
  };
  // The agreement carries its signed document, so it alone may be larger than the other bodies: the role is
  // checked before its body is read, so only an operator's token gets eight megabytes parsed.
  api.put(
    '/participants/:id/agreement',
    allow('agreements.record'),
    express.json({ limit: '8mb', strict: true }),
    handle(200, (req, actor) => registry.agreements.record(actor, param(req, 'id'), req.body)),
  );
  api.use(express.json({ limit: '64kb', strict: true }));

  const reason = (req: Request) => parseInput(ReasonInput, req.body ?? {}).reason;

  api.get(
    '/participants',
    handle(200, (req, actor) =>
      registry.listParticipants(actor, {
        ...(typeof req.query.status === 'string' ? { status: req.query.status } : {}),
        ...(req.query.overdue === 'true'
          ? { overdue: true }
          : req.query.overdue === 'false'
            ? { overdue: false }
            : {}),
      }),
    ),
  );
  api.post(
    '/applications',
    allow('participants.apply'),
    handle(201, (req, actor) => registry.submitApplication(actor, req.body)),
  );
  api.get(
    '/participants/:id',
    handle(200, (req, actor) => registry.getParticipant(actor, param(req, 'id'))),
  );
  api.put(
    '/participants/:id',
    allow('participants.update'),
    handle(200, (req, actor) => registry.updateDetails(actor, param(req, 'id'), req.body)),
  );
  api.get('/participants/:id/qr.:format', async (req, res: Authenticated, next) => {
    try {
      const participant = await registry.getParticipant(res.locals.actor, param(req, 'id'));
      if (!participant.registryCode)
        throw new RegistryError('conflict', 'the participant is not registered yet');
      const link = registry.qrContent(participant.registryCode);
      if (req.params.format === 'png') return void res.type('image/png').send(await qrPng(link));
      if (req.params.format === 'svg') return void res.type('image/svg+xml').send(await qrSvg(link));
      throw new RegistryError('not_found', 'QR codes come as qr.png or qr.svg');
    } catch (error) {
      next(error);
    }
  });

  api.get(
    '/participants/:id/agreement',
    handle(200, (req, actor) => registry.agreements.get(actor, param(req, 'id'))),
  );
  api.get('/participants/:id/agreement/file', async (req, res: Authenticated, next) => {
    try {
      const file = await registry.agreements.file(res.locals.actor, param(req, 'id'));
      res.attachment(file.name).type(file.mediaType).send(file.content);
    } catch (error) {
      next(error);
    }
  });
  api.get(
    '/agreements/missing',
    allow('agreements.missing'),
    handle(200, () => registry.agreements.missing()),
  );
  api.get(
    '/participant-changes',
    allow('changes.read'),
    handle(200, (req) =>
      registry.listChanges({
        ...(req.query.late === 'true' ? { late: true } : req.query.late === 'false' ? { late: false } : {}),
        ...(typeof req.query.participant === 'string' ? { participantId: req.query.participant } : {}),
      }),
    ),
  );
  api.get(
    '/route-applications',
    allow('routeApplications.read'),
    handle(200, (req, actor) =>
      registry.routeApplications.list(
        actor,
        typeof req.query.status === 'string' ? { status: req.query.status } : {},
      ),
    ),
  );
  api.post(
    '/route-applications',
    allow('routeApplications.apply'),
    handle(201, (req, actor) => registry.routeApplications.apply(actor, req.body)),
  );
  api.post(
    '/route-applications/:id/approve',
    allow('routeApplications.decide'),
    handle(200, (req, actor) => registry.routeApplications.approve(actor, param(req, 'id'), req.body)),
  );
  api.post(
    '/route-applications/:id/decline',
    allow('routeApplications.decide'),
    handle(200, (req, actor) => registry.routeApplications.decline(actor, param(req, 'id'), req.body)),
  );
  api.get(
    '/block-requests',
    allow('blockRequests.read'),
    handle(200, (req) =>
      registry.blockRequests.list({
        ...(typeof req.query.status === 'string' ? { status: req.query.status } : {}),
        ...(typeof req.query.participant === 'string' ? { participantId: req.query.participant } : {}),
      }),
    ),
  );
  api.post(
    '/block-requests',
    allow('blockRequests.request'),
    handle(201, (req, actor) => registry.blockRequests.request(actor, req.body)),
  );
  api.get(
    '/block-requests/:id',
    allow('blockRequests.read'),
    handle(200, (req) => registry.blockRequests.get(param(req, 'id'))),
  );
  for (const action of ['approve', 'decline', 'lift'] as const) {
    api.post(
      `/block-requests/:id/${action}`,
      allow('blockRequests.decide'),
      handle(200, (req, actor) => registry.blockRequests[action](actor, param(req, 'id'), req.body)),
    );
  }
  api.get(
    '/reference-books',
    handle(200, () => registry.books.list()),
  );
  api.get(
    '/reference-books/:book',
    handle(200, (req) => {
      const version = req.query.version;
      if (version === undefined)
        return registry.books.get(param(req, 'book'), { withdrawn: req.query.withdrawn === 'true' });
      if (typeof version !== 'string' || !/^[1-9][0-9]{0,8}$/.test(version))
        throw new RegistryError('invalid', 'version: must be a positive whole number', 'version');
      return registry.books.at(param(req, 'book'), Number(version));
    }),
  );
  api.put(
    '/reference-books/:book/:code',
    allow('referenceBooks.write'),
    handle(200, (req, actor) =>
      registry.books.setEntry(actor, param(req, 'book'), param(req, 'code'), req.body),
    ),
  );

  api.post(
    '/participants/:id/systems',
    allow('systems.write'),
    handle(201, (req, actor) => registry.addSystem(actor, param(req, 'id'), req.body)),
  );
  api.get(
    '/systems',
    handle(200, (_req, actor) => registry.listSystems(actor)),
  );
  api.get(
    '/systems/:mnemonic/certificates',
    handle(200, (req, actor) => registry.listCertificates(actor, param(req, 'mnemonic'))),
  );
  api.post(
    '/systems/:mnemonic/certificates',
    allow('certificates.write'),
    handle(201, (req, actor) => registry.addCertificate(actor, param(req, 'mnemonic'), req.body)),
  );
  api.delete(
    '/systems/:mnemonic/certificates/:thumbprint',
    allow('certificates.write'),
    handle(200, (req, actor) =>
      registry.withdrawCertificate(actor, param(req, 'mnemonic'), param(req, 'thumbprint')),
    ),
  );
  // Generic lifecycle actions come after the specific sub-resources they would otherwise shadow.
  api.post(
    '/participants/:id/:action',
    allow('participants.transition'),
    handle(200, async (req, actor) => {
      const action = param(req, 'action');
      if (!isTransitionName(action)) throw new RegistryError('not_found', `there is no action ${action}`);
      const input = parseInput(LifecycleActionInput, req.body ?? {});
      return registry.transition(actor, param(req, 'id'), action, input.reason, input.version);
    }),
  );
  api.post(
    '/systems/:mnemonic/:action',
    allow('systems.write'),
    handle(200, (req, actor) => {
      const status = systemActionStatus(param(req, 'action'));
      if (!status) throw new RegistryError('not_found', `there is no system action ${param(req, 'action')}`);
      return registry.setSystemStatus(actor, param(req, 'mnemonic'), status, reason(req));
    }),
  );
  api.get(
    '/routes',
    handle(200, (_req, actor) => registry.listRoutes(actor)),
  );
  api.post(
    '/routes',
    allow('routes.write'),
    handle(201, (req, actor) => registry.addRoute(actor, req.body)),
  );
  api.delete(
    '/routes/:id',
    allow('routes.write'),
    handle(200, (req, actor) => registry.withdrawRoute(actor, param(req, 'id'))),
  );

  // The message log, for auditors; every read is itself recorded in the audit trail.
  const recordRead = (actor: Actor, action: string, subjectId: string, after: unknown) =>
    trail
      .append(store.db, {
        actor: actor.name,
        role: actor.role,
        action,
        subjectType: 'message',
        subjectId,
        after,
      })
      .then(() => trail.afterCommit());
  api.get(
    '/messages',
    allow('messages.read'),
    handle(200, async (req, actor) => {
      const q = parseInput(MessageQuery, req.query);
      const fault =
        q.fault === undefined ? undefined : q.fault === 'true' ? true : q.fault === 'false' ? false : q.fault;
      const result = await searchMessages(store, {
        ...(q.from ? { from: new Date(q.from) } : {}),
        ...(q.to ? { to: new Date(q.to) } : {}),
        ...(q.system ? { system: q.system } : {}),
        ...(q.messageType ? { messageType: q.messageType } : {}),
        ...(q.messageId ? { messageId: q.messageId } : {}),
        ...(fault !== undefined ? { fault } : {}),
        page: q.page,
        pageSize: q.pageSize,
      });
      await recordRead(actor, 'messagelog.search', 'search', {
        query: q,
        returned: result.items.map((i) => i.id),
      });
      return result;
    }),
  );
  api.get(
    '/messages/:id',
    allow('messages.read'),
    handle(200, async (req, actor) => {
      const record = await getMessage(store, param(req, 'id'), sealer);
      if (!record) throw new RegistryError('not_found', `message record ${param(req, 'id')} was not found`);
      await recordRead(actor, 'messagelog.read', record.id, undefined);
      return record;
    }),
  );

  // Where a queued message is: its state and its exchange's, without bodies; the read is recorded like the above.
  api.get(
    '/queue/messages/:id',
    allow('queue.trace'),
    handle(200, async (req, actor) => {
      // MessageIDs are scoped to their senders; `?sender=` picks one when several systems used the same one.
      const sender = typeof req.query['sender'] === 'string' ? req.query['sender'] : undefined;
      const trace = await traceQueuedMessage(store, param(req, 'id'), sender);
      if (!trace) throw new RegistryError('not_found', `no queued message ${param(req, 'id')}`);
      await recordRead(actor, 'queue.read', trace.message.messageId, undefined);
      return trace;
    }),
  );

  api.use('/cards', allow('cards.manage'), cardsApi(store));
  api.get('/reports/cards', allow('reports.cards'), async (req, res, next) => {
    try {
      const query = parseInput(CardUseQuery, req.query);
      const rows = await cardUseReport(store, { from: new Date(query.from), to: new Date(query.to) });
      if (query.format === 'csv')
        return void res.type('text/csv; charset=utf-8').attachment('card-use.csv').send(cardUseCsv(rows));
      res.json({ from: query.from, to: query.to, rows });
    } catch (error) {
      next(error);
    }
  });
  api.get(
    '/certificates/registries',
    allow('certificates.registries'),
    handle(200, (req) => registryDays(store, parseInput(RegistryDaysQuery, req.query), serviceClock())),
  );
  api.get(
    '/tests/consents',
    allow('consents.read'),
    handle(200, (req) => listConsents(store, parseInput(ConsentQuery, req.query))),
  );

  api.use((_req, res) => void res.status(404).json({ error: 'no such API resource' }));
  api.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof RegistryError) {
      return void res.status(error.status).json({
        error: error.message,
        ...(error.field ? { field: error.field } : {}),
        ...(error.problems ? { problems: error.problems } : {}),
      });
    }
    // A body in another charset or coding, malformed or oversize JSON, a path that does not decode: the client's.
    const client = clientErrorOf(error);
    if (client) return void res.status(client.status).json({ error: client.message });
    logFailure(log, req, error);
    res.status(500).json({ error: 'internal error' });
  });
  return api;
}
