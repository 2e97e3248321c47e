/**
 * The web console at `/console`: server-rendered pages over the same registry, message log, queue and audit
 * trail calls as the admin API, behind the same permission table (registry/permissions.ts). Plain forms, POST
 * then redirect; no script at all. Sessions live in the store (session.ts), every change carries a CSRF token
 * (csrf.ts), every change goes through a registry call that records it in the audit trail under the token's
 * name, and auditors' reads are recorded as the admin API records them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { CertificateCheck } from '../signature/pki/checkpoint-signers.js';
import type { AuditTrail } from '../audit/trail.js';
import { exportArchive } from '../messagelog/archive.js';
import { messageSignatureProblems } from '../messagelog/message-signatures.js';
import { getMessage, searchMessages } from '../messagelog/query.js';
import type { BodySealer } from '../messagelog/sealing.js';
import { verifyStoredLog } from '../messagelog/store-verify.js';
import { onlyUnproven, openBodies, type TimestampCheck } from '../messagelog/verify.js';
import { onlyUnproven as onlyUnprovenEntries } from '../audit/verify.js';
import type { Credential, DocumentsAnswer } from '../providers/documents/codec.js';
import type { ProviderOutcome } from '../providers/contract.js';
import { traceQueuedMessage } from '../queue/trace.js';
import { RegistryError } from '../registry/errors.js';
import { systemActionStatus } from '../registry/systems.js';
import { isTransitionName } from '../registry/lifecycle.js';
import { permits, type Permission } from '../registry/permissions.js';
import type { Actor, Registry } from '../registry/registry.js';
import type { TrustStore } from '../signature/pki/trust-store.js';
import type { Store } from '../store/store.js';
import { logFailure, type Logger } from '../logging/logger.js';
import { csrfToken, csrfValid, preSession, preSessionOf } from './csrf.js';
import type { Html } from './html.js';
import { languageOf, translator, type Key } from './i18n.js';
import { page, type PageContext } from './layout.js';
import { Sessions } from './session.js';
import { dashboardStats } from './stats.js';
import { CONSOLE_STYLE } from './style.js';
import { auditView } from './views/audit.js';
import { checkView, type CheckResult } from './views/check.js';
import { dashboardView } from './views/dashboard.js';
import { problemView } from './views/errors.js';
import { logView, type LogQuery } from './views/log.js';
import { applicationsView, participantsView } from './views/participants.js';
import { recordView } from './views/record.js';
import { routesView } from './views/routes.js';
import { signInView } from './views/sign-in.js';
import { systemsView } from './views/systems.js';
import { tokensView } from './views/tokens.js';
import { verdictView } from './views/verdict.js';
import { whereaboutsView } from './views/whereabouts.js';
import { clientErrorOf } from '../store/errors.js';
import type { XmlLimits } from '../xml/guard.js';

/** The console's pages may load their own stylesheet and post forms to the gateway; nothing else, no script. */
export const CONSOLE_POLICY =
  "default-src 'none';style-src 'self';img-src 'self';form-action 'self';base-uri 'none';frame-ancestors 'none'";

/** The documents service's authenticity check (providers/documents), as the public page calls it. */
export interface AuthenticityCheck {
  checkAuthenticity(credential: Credential, viewer: string): Promise<ProviderOutcome<DocumentsAnswer>>;
}

export interface ConsoleParts {
  readonly store: Store;
  readonly registry: Registry;
  readonly trail: AuditTrail;
  readonly sealer?: BodySealer | undefined;
  readonly trust?: TrustStore | undefined;
  /** Who may sign log and audit checkpoints (for "verify"); absent: signatures only. */
  readonly checkpointSigners?: CertificateCheck | undefined;
  /** How "verify" checks the checkpoints' time-stamps; absent: it does not. */
  readonly timestamps?: TimestampCheck | undefined;
  /** The endpoint's `limits.*`: a record's bodies are read within them when its signatures are checked. */
  readonly xmlLimits?: XmlLimits | undefined;
  /** The trusted CA certificates and CRLs (PEM) an exported archive carries. */
  readonly trustPems?: { certificates: string[]; crls: string[] } | undefined;
  readonly documents?: AuthenticityCheck | undefined;
  readonly sessionIdleMinutes: number;
  readonly sessionMaxHours: number;
  /** Reached over TLS (served by the gateway or ended at a proxy): the session cookie is Secure. */
  readonly https: boolean;
  /** Where a request that failed on the gateway's side is logged, with its stack. */
  readonly log: Logger;
  readonly clock?: () => Date;
}

interface Signed {
  readonly ctx: PageContext;
  readonly actor: Actor;
}

type Locals = { ctx: PageContext; actor?: Actor; sessionId?: string };
type ConsoleResponse = Response<unknown, Locals>;

const AUDIT_PAGE = 50;
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
/** A datetime-local field's value (no zone) read as UTC; undefined when empty or not a time. */
const utc = (v: string): Date | undefined => {
  if (!v) return undefined;
  const d = new Date(/Z|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

export function consoleRouter(parts: ConsoleParts): Router {
  const { store, registry, trail } = parts;
  const clock = parts.clock ?? (() => new Date());
  const sessions = new Sessions(
    store,
    registry,
    {
      idleMs: parts.sessionIdleMinutes * 60_000,
      maxMs: parts.sessionMaxHours * 3_600_000,
      secure: parts.https,
    },
    clock,
  );
  const router = express.Router();

  router.use((req, res: ConsoleResponse, next) => {
    res.setHeader('Content-Security-Policy', CONSOLE_POLICY);
    res.setHeader('Cache-Control', 'no-store');
    const lang = languageOf(req, res);
    res.locals.ctx = {
      lang,
      t: translator(lang),
      path: req.path === '/' ? '/console/' : `/console${req.path}`,
    };
    next();
  });
  router.get('/assets/console.css', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type('css').send(CONSOLE_STYLE);
  });
  router.use(express.urlencoded({ extended: false, limit: '128kb', parameterLimit: 50 }));

  const send = (res: ConsoleResponse, status: number, ctx: PageContext, titleKey: Key, body: Html) =>
    void res
      .status(status)
      .type('html')
      .send(page(ctx, ctx.t(titleKey), body));
  const refuse = (res: ConsoleResponse, status: number, message: string, titleKey: Key = 'forbidden') =>
    send(res, status, res.locals.ctx, titleKey, problemView(res.locals.ctx, message));

  /** Sign-ins and reads recorded in the audit trail, as the admin API records them. */
  const record = (actor: Actor, action: string, subjectType: string, subjectId: string, after?: unknown) =>
    trail
      .append(store.db, { actor: actor.name, role: actor.role, action, subjectType, subjectId, after })
      .then(() => trail.afterCommit());

  // ---- public: sign-in and the document check ----

  const signInPage = (req: Request, res: ConsoleResponse, status: number, problem?: string) => {
    const ctx = { ...res.locals.ctx, csrf: csrfToken(preSession(req, res, parts.https)) };
    send(res, status, ctx, 'signIn', signInView(ctx, problem));
  };
  router.get('/', (_req, res) => res.redirect(303, '/console/dashboard'));
  router.get('/sign-in', (req, res: ConsoleResponse) =>
    signInPage(req, res, 200, req.query['expired'] === '1' ? res.locals.ctx.t('expired') : undefined),
  );
  router.post('/sign-in', async (req, res: ConsoleResponse, next) => {
    try {
      if (!csrfValid(req, preSessionOf(req))) return refuse(res, 403, res.locals.ctx.t('csrf'));
      const actor = await registry.authenticate(str((req.body as Record<string, unknown>)['token']));
      if (!actor) return signInPage(req, res, 401, res.locals.ctx.t('badToken'));
      if (!permits(actor.role, 'console.use'))
        return signInPage(req, res, 403, res.locals.ctx.t('wrongRole'));
      await sessions.open(res, actor.tokenId);
      await record(actor, 'console.sign-in', 'session', actor.tokenId);
      res.redirect(303, '/console/dashboard');
    } catch (error) {
      next(error);
    }
  });

  const checkPage = async (req: Request, res: ConsoleResponse) => {
    const ctx = { ...res.locals.ctx, csrf: csrfToken(preSession(req, res, parts.https)) };
    let result: CheckResult | undefined;
    if (req.method === 'POST') {
      if (!csrfValid(req, preSessionOf(req))) return refuse(res, 403, ctx.t('csrf'));
      const code = str((req.body as Record<string, unknown>)['code']);
      if (!parts.documents) result = { kind: 'unavailable' };
      else {
        const credential: Credential = /^\d{6}$/.test(code)
          ? { kind: 'code', code }
          : { kind: 'qr', qr: code };
        // Wrong codes lock out the address that sends them, as they lock out a system.
        const outcome = await parts.documents.checkAuthenticity(credential, `web:${req.ip ?? 'unknown'}`);
        result =
          outcome.kind === 'rejected'
            ? { kind: 'refused', code: outcome.code, description: outcome.description }
            : outcome.body.kind === 'check'
              ? { kind: 'answer', body: outcome.body }
              : { kind: 'unavailable' };
      }
    }
    send(res, 200, ctx, 'check', checkView(ctx, result));
  };
  router.get('/check', (req, res: ConsoleResponse, next) => void checkPage(req, res).catch(next));
  router.post('/check', (req, res: ConsoleResponse, next) => void checkPage(req, res).catch(next));

  // ---- everything else needs a session ----

  router.use(async (req, res: ConsoleResponse, next) => {
    try {
      const found = await sessions.lookup(req);
      if (found.kind !== 'active') {
        if (req.method !== 'GET') return refuse(res, 401, res.locals.ctx.t('expired'), 'signIn');
        return res.redirect(
          303,
          found.kind === 'expired' ? '/console/sign-in?expired=1' : '/console/sign-in',
        );
      }
      res.locals.actor = found.actor;
      res.locals.ctx = { ...res.locals.ctx, actor: found.actor, csrf: csrfToken(found.id) };
      if (req.method === 'POST' && !csrfValid(req, found.id))
        return refuse(res, 403, res.locals.ctx.t('csrf'));
      next();
    } catch (error) {
      next(error);
    }
  });
  router.post('/sign-out', async (req, res: ConsoleResponse, next) => {
    try {
      await sessions.close(req, res);
      res.redirect(303, '/console/sign-in');
    } catch (error) {
      next(error);
    }
  });

  /** A page or action for the roles a permission names; anything else gets the 403 page. */
  const route =
    (permission: Permission, work: (req: Request, res: ConsoleResponse, signed: Signed) => Promise<void>) =>
    async (req: Request, res: ConsoleResponse, next: NextFunction) => {
      const actor = res.locals.actor;
      if (!actor || !permits(actor.role, permission))
        return refuse(res, 403, `${res.locals.ctx.t('forbiddenLead')} (${permission})`);
      try {
        await work(req, res, { ctx: res.locals.ctx, actor });
      } catch (error) {
        next(error);
      }
    };
  const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;
  const done = (req: Request) => req.query['done'] === '1';

  router.get(
    '/dashboard',
    route('console.use', async (_req, res, { ctx, actor }) => {
      const now = clock();
      send(
        res,
        200,
        ctx,
        'dashboard',
        dashboardView(ctx, await dashboardStats(store, registry, parts.trust, now, actor), now),
      );
    }),
  );

  // ---- operators and coordinators: participants and their lifecycle ----

  router.get(
    '/participants',
    route('participants.update', async (req, res, { ctx, actor }) => {
      send(
        res,
        200,
        ctx,
        'participants',
        participantsView(ctx, actor, await registry.listParticipants(actor), done(req)),
      );
    }),
  );
  router.get(
    '/applications',
    route('participants.transition', async (req, res, { ctx, actor }) => {
      const list = await registry.listParticipants(actor, { status: 'submitted' });
      send(res, 200, ctx, 'applications', applicationsView(ctx, actor, list, done(req)));
    }),
  );
  router.post(
    '/participants/:id/:action',
    route('participants.transition', async (req, res, { actor }) => {
      const action = String(req.params['action']);
      if (!isTransitionName(action)) throw new RegistryError('not_found', `there is no action ${action}`);
      const reason = str(body(req)['reason']);
      // The version of the participant the page showed: the action is refused if it changed since.
      const version = Number.parseInt(str(body(req)['version']), 10);
      await registry.transition(
        actor,
        String(req.params['id']),
        action,
        reason || undefined,
        Number.isSafeInteger(version) ? version : undefined,
      );
      const back =
        body(req)['back'] === '/console/applications' ? '/console/applications' : '/console/participants';
      res.redirect(303, `${back}?done=1`);
    }),
  );

  // ---- operators: systems, certificates, routes, tokens, the queue ----

  router.get(
    '/systems',
    route('systems.write', async (req, res, { ctx, actor }) => {
      const [systems, depths, certificates, participants] = await Promise.all([
        registry.listSystems(actor),
        dashboardStats(store, registry, undefined, clock(), actor).then((s) => s.queue),
        store.db
          .selectFrom('system_certificates as c')
          .innerJoin('information_systems as s', 's.id', 'c.system_id')
          .select(['s.mnemonic', 'c.thumbprint', 'c.pem'])
          .where('c.status', '=', 'active')
          .execute(),
        registry.listParticipants(actor),
      ]);
      const now = clock();
      const rows = await Promise.all(
        systems.map(async (system) => {
          const listed = (await registry.listCertificates(actor, system.mnemonic)).filter(
            (c) => c.status === 'active',
          );
          return {
            system,
            depth: depths.find((d) => d.recipient === system.mnemonic)?.depth ?? 0,
            certificates: listed.map((certificate) => {
              const pem = certificates.find((c) => c.thumbprint === certificate.thumbprint)?.pem;
              return { certificate, problem: pem ? certificateProblem(parts.trust, pem, now) : undefined };
            }),
          };
        }),
      );
      const open = participants.filter((p) => p.status === 'registered' || p.status === 'active');
      send(res, 200, ctx, 'systems', systemsView(ctx, rows, open, done(req)));
    }),
  );
  router.post(
    '/systems',
    route('systems.write', async (req, res, { actor }) => {
      const b = body(req);
      await registry.addSystem(actor, str(b['participantId']), {
        mnemonic: str(b['mnemonic']),
        name: str(b['name']),
      });
      res.redirect(303, '/console/systems?done=1');
    }),
  );
  router.post(
    '/systems/:mnemonic/certificates',
    route('certificates.write', async (req, res, { actor }) => {
      await registry.addCertificate(actor, String(req.params['mnemonic']), { pem: str(body(req)['pem']) });
      res.redirect(303, '/console/systems?done=1');
    }),
  );
  router.post(
    '/systems/:mnemonic/:action',
    route('systems.write', async (req, res, { actor }) => {
      const action = String(req.params['action']);
      const status = systemActionStatus(action);
      if (!status) throw new RegistryError('not_found', `there is no system action ${action}`);
      const reason = str(body(req)['reason']);
      await registry.setSystemStatus(actor, String(req.params['mnemonic']), status, reason || undefined);
      res.redirect(303, '/console/systems?done=1');
    }),
  );
  router.get(
    '/routes',
    route('routes.write', async (req, res, { ctx, actor }) => {
      send(res, 200, ctx, 'routes', routesView(ctx, await registry.listRoutes(actor), done(req)));
    }),
  );
  router.post(
    '/routes',
    route('routes.write', async (req, res, { actor }) => {
      const b = body(req);
      await registry.addRoute(actor, {
        consumer: str(b['consumer']),
        namespace: str(b['namespace']),
        localName: str(b['localName']),
        recipient: str(b['recipient']),
        provider: str(b['provider']),
      });
      res.redirect(303, '/console/routes?done=1');
    }),
  );
  router.post(
    '/routes/:id/withdraw',
    route('routes.write', async (req, res, { actor }) => {
      await registry.withdrawRoute(actor, String(req.params['id']));
      res.redirect(303, '/console/routes?done=1');
    }),
  );
  router.get(
    '/tokens',
    route('tokens.read', async (_req, res, { ctx }) => {
      send(res, 200, ctx, 'tokens', tokensView(ctx, await registry.listTokens()));
    }),
  );
  router.get(
    '/whereabouts',
    route('queue.trace', async (req, res, { ctx, actor }) => {
      const messageId = str(req.query['messageId']);
      const trace = messageId ? await traceQueuedMessage(store, messageId) : undefined;
      if (trace) await record(actor, 'queue.read', 'message', trace.message.messageId);
      send(res, 200, ctx, 'whereabouts', whereaboutsView(ctx, messageId, trace));
    }),
  );

  // ---- auditors: the message log and the audit trail ----

  router.get(
    '/log',
    route('messages.read', async (req, res, { ctx, actor }) => {
      const q: LogQuery = {
        from: str(req.query['from']),
        to: str(req.query['to']),
        sender: str(req.query['sender']),
        recipient: str(req.query['recipient']),
        messageId: str(req.query['messageId']),
        fault: str(req.query['fault']),
        page: Math.max(1, Math.min(10_000, Number.parseInt(str(req.query['page']), 10) || 1)),
      };
      const from = utc(q.from);
      const to = utc(q.to);
      const result = await searchMessages(store, {
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(q.sender ? { sender: q.sender } : {}),
        ...(q.recipient ? { recipient: q.recipient } : {}),
        ...(q.messageId ? { messageId: q.messageId } : {}),
        ...(q.fault ? { fault: q.fault } : {}),
        page: q.page,
        pageSize: 50,
      });
      await record(actor, 'messagelog.search', 'message', 'search', {
        query: q,
        returned: result.items.map((i) => i.id),
      });
      send(res, 200, ctx, 'log', logView(ctx, q, result));
    }),
  );
  router.post(
    '/log/verify',
    route('messages.verify', async (_req, res, { ctx, actor }) => {
      const v = await verifyStoredLog(store, {
        checkpointSigners: parts.checkpointSigners,
        sealer: parts.sealer,
        timestamps: parts.timestamps,
      });
      await record(actor, 'messagelog.verify', 'message', 'log', { ok: v.ok, records: v.records });
      const broken = v.firstBroken;
      send(
        res,
        200,
        ctx,
        'log',
        verdictView(
          ctx,
          {
            ok: v.ok,
            checked: v.records,
            checkpoints: v.checkpoints,
            firstBroken: broken && `${broken.instance} #${broken.seq}: ${broken.problem}`,
            problems: v.problems,
            unprovenOnly: onlyUnproven(v),
          },
          '/console/log',
        ),
      );
    }),
  );
  router.get(
    '/log/export',
    route('messages.export', async (req, res, { actor }) => {
      const from = utc(str(req.query['from']));
      const to = utc(str(req.query['to']));
      if (!from || !to || from > to)
        throw new RegistryError('invalid', 'from and to must be times, from before to');
      await withTemporaryFile('message-log.json', async (file) => {
        await exportArchive(
          store,
          { from, to },
          parts.trustPems ?? { certificates: [], crls: [] },
          file,
          parts.sealer,
        );
        await record(actor, 'messagelog.export', 'message', 'archive', { from, to });
        await download(res, file, `message-log-${from.toISOString().slice(0, 10)}.json`);
      });
    }),
  );
  router.get(
    '/log/:id',
    route('messages.read', async (req, res, { ctx, actor }) => {
      const id = String(req.params['id']);
      const found = await getMessage(store, id, parts.sealer);
      if (!found) throw new RegistryError('not_found', `message record ${id} was not found`);
      await record(actor, 'messagelog.read', 'message', found.id);
      const row = await store.db
        .selectFrom('message_log')
        .selectAll()
        .where('instance_id', '=', found.instance)
        .where('seq', '=', found.seq)
        .executeTakeFirstOrThrow();
      const opened = openBodies(row, parts.sealer, []);
      // Only the record's own bodies: signatures over others would vouch for what is not this exchange.
      const problems =
        parts.trust && found.integrity.ok
          ? messageSignatureProblems(opened, parts.trust, parts.xmlLimits)
          : [];
      const [length, cover] = await Promise.all([
        store.db
          .selectFrom('message_log')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('instance_id', '=', found.instance)
          .executeTakeFirst(),
        store.db
          .selectFrom('message_log_checkpoints')
          .select(['seq', 'at'])
          .where('instance_id', '=', found.instance)
          .where('kind', '=', 'head')
          .where('seq', '>=', found.seq)
          .orderBy('seq')
          .limit(1)
          .executeTakeFirst(),
      ]);
      send(
        res,
        200,
        ctx,
        'record',
        recordView(ctx, found, problems, {
          length: Number(length?.n ?? 0),
          coveredBy: cover && { seq: Number(cover.seq), at: Number(cover.at) },
        }),
      );
    }),
  );
  router.get(
    '/audit',
    route('audit.read', async (req, res, { ctx }) => {
      const before = Number.parseInt(str(req.query['before']), 10);
      let query = store.db.selectFrom('audit_entries').selectAll().orderBy('seq', 'desc').limit(AUDIT_PAGE);
      if (Number.isSafeInteger(before)) query = query.where('seq', '<', before);
      send(res, 200, ctx, 'audit', auditView(ctx, await query.execute(), AUDIT_PAGE));
    }),
  );
  router.post(
    '/audit/verify',
    route('audit.verify', async (_req, res, { ctx, actor }) => {
      const v = await trail.verify(parts.checkpointSigners);
      await record(actor, 'audit.verify', 'audit', 'trail', { ok: v.ok, entries: v.entries });
      send(
        res,
        200,
        ctx,
        'audit',
        verdictView(
          ctx,
          {
            ok: v.ok,
            checked: v.entries,
            checkpoints: v.checkpoints,
            firstBroken: v.firstBroken && `#${v.firstBroken.seq}: ${v.firstBroken.problem}`,
            problems: v.problems,
            unprovenOnly: onlyUnprovenEntries(v),
          },
          '/console/audit',
        ),
      );
    }),
  );
  router.get(
    '/audit/export',
    route('audit.export', async (_req, res, { actor }) => {
      await withTemporaryFile('audit.json', async (file) => {
        await record(actor, 'audit.export', 'audit', 'trail');
        await trail.export(file);
        await download(res, file, `audit-trail-${clock().toISOString().slice(0, 10)}.json`);
      });
    }),
  );

  router.use((_req, res: ConsoleResponse) => refuse(res, 404, res.locals.ctx.t('notFound'), 'notFound'));
  router.use((error: unknown, req: Request, res: ConsoleResponse, _next: NextFunction) => {
    if (error instanceof RegistryError) {
      const status = error.status;
      return refuse(
        res,
        status,
        error.message,
        status === 403 ? 'forbidden' : status === 404 ? 'notFound' : 'badRequest',
      );
    }
    const client = clientErrorOf(error);
    if (client) return refuse(res, client.status, client.message, 'badRequest');
    logFailure(parts.log, req, error);
    refuse(res, 500, 'internal error', 'badRequest');
  });
  return router;
}

/** What the trust store says of a certificate now: undefined when it is valid, else why not (revoked, expired). */
function certificateProblem(trust: TrustStore | undefined, pem: string, now: Date): string | undefined {
  if (!trust) return undefined;
  try {
    trust.check(pem, now);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

async function withTemporaryFile(name: string, work: (file: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'smev-console-'));
  try {
    await work(join(dir, name));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function download(res: Response, file: string, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    res.download(file, name, { headers: { 'Content-Type': 'application/json; charset=utf-8' } }, (error) =>
      error ? reject(error) : resolve(),
    );
  });
}
