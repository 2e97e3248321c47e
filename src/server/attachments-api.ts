/**
 * The attachment store over HTTP (docs/attachments.md), both ways streamed, never a whole file in memory:
 *
 * - `POST /attachments?system=MNEMONIC&name=FILE` — a participant's token (`Authorization: Bearer`) uploads the
 *   body as a file of one of its own active information systems; the answer names its `uuid` and `hash`, which
 *   the system puts into the RefAttachmentHeader of its message.
 * - `GET /attachments/:uuid` — the recipient of a message fetches a file with HTTP Basic, user and password being
 *   the FSAttachment's UserName and Password it was handed; the uploader's participant token also reads its own.
 * - `GET /attachments/:uuid/info` — the record of one's own upload (participant token).
 *
 * Anything a caller may not see answers 404, like a file that does not exist.
 */
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { type Request, type Response, type Router } from 'express';
import {
  AttachmentError,
  AttachmentStore,
  HASH_ALGORITHM,
  isStoredUuid,
  type StoredFile,
} from '../attachments/store.js';
import type { Logger } from '../logging/logger.js';
import type { Registry } from '../registry/registry.js';

export interface AttachmentsApiParts {
  readonly files: AttachmentStore;
  readonly registry: Registry;
  readonly log: Logger;
}

type Credentials =
  | { readonly kind: 'basic'; readonly user: string; readonly password: string }
  | { readonly kind: 'bearer'; readonly token: string };

function credentialsOf(req: Request): Credentials | undefined {
  const header = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer?.[1]) return { kind: 'bearer', token: bearer[1] };
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!basic?.[1]) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { kind: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const refuse = (res: Response, status: number, code: string, error: string, extra: object = {}) =>
  void res.status(status).json({ error, code, ...extra });

const unauthorized = (res: Response, schemes: string) => {
  res.setHeader('WWW-Authenticate', schemes);
  refuse(
    res,
    401,
    'Unauthorized',
    'a participant token (Bearer) or a download credential (Basic) is required',
  );
};

const notFound = (res: Response) => refuse(res, 404, 'AttachmentIsNotFound', 'no such file for this caller');

export function attachmentsApi({ files, registry, log }: AttachmentsApiParts): Router {
  const api = express.Router();

  /** The mnemonics of the systems a participant token acts for (active ones only, when asked). */
  const systemsOf = async (token: string, activeOnly: boolean): Promise<string[] | undefined> => {
    const actor = await registry.authenticate(token);
    if (!actor || actor.role !== 'participant' || !actor.participantId) return undefined;
    return (await registry.listSystems(actor))
      .filter((s) => s.participantId === actor.participantId && (!activeOnly || s.status === 'active'))
      .map((s) => s.mnemonic);
  };

  api.post('/attachments', async (req, res, next) => {
    const body = new PassThrough();
    // The store's pipeline reports the body's errors; until it is attached (or when a refusal comes first) an
    // error event with no listener would end the process.
    body.on('error', () => undefined);
    // A client gone mid-upload ends the body with an error, so the half-written file is removed. Listened for
    // before the token's look-ups, and checked once after them: a close during those awaits would otherwise go
    // unheard, and the write would wait for the rest of a body that never comes, its file handle open.
    const cutOff = () => new AttachmentError(400, 'IncompleteUpload', 'the upload was cut off');
    req.on('close', () => {
      if (!req.complete) body.destroy(cutOff());
    });
    try {
      const credentials = credentialsOf(req);
      if (credentials?.kind !== 'bearer') return unauthorized(res, 'Bearer realm="smev-gateway"');
      const systems = await systemsOf(credentials.token, true);
      if (!systems) return unauthorized(res, 'Bearer realm="smev-gateway"');
      const system = typeof req.query.system === 'string' ? req.query.system : '';
      if (!systems.includes(system)) {
        return refuse(
          res,
          403,
          'SystemIsNotYours',
          'name in ?system= an active information system of the token’s participant',
        );
      }
      const length = req.headers['content-length'];
      if (body.destroyed) throw cutOff();
      req.pipe(body);
      const file = await files.put(
        system,
        body,
        {
          fileName: typeof req.query.name === 'string' ? req.query.name : undefined,
          mimeType: req.headers['content-type'],
          declaredBytes: length === undefined ? undefined : Number(length),
        },
        new Date(),
      );
      log.info('attachment stored', { uuid: file.uuid, owner: system, size: file.size });
      res.status(201).location(`/attachments/${file.uuid}`).json(file);
    } catch (error) {
      // The rest of a refused body is not read: the answer goes at once and the connection closes after it.
      req.unpipe(body);
      if (!(error instanceof AttachmentError)) return next(error);
      if (!res.headersSent) {
        res.setHeader('Connection', 'close');
        refuse(res, error.status, error.code, error.message, error.details);
      }
    }
  });

  api.get('/attachments/:uuid/info', async (req, res, next) => {
    try {
      const credentials = credentialsOf(req);
      if (credentials?.kind !== 'bearer') return unauthorized(res, 'Bearer realm="smev-gateway"');
      const systems = await systemsOf(credentials.token, false);
      if (!systems) return unauthorized(res, 'Bearer realm="smev-gateway"');
      const file = await files.infoFor(systems, String(req.params.uuid));
      if (!file) return notFound(res);
      res.json(file);
    } catch (error) {
      next(error);
    }
  });

  api.get('/attachments/:uuid', async (req, res, next) => {
    try {
      const uuid = String(req.params.uuid);
      const credentials = credentialsOf(req);
      if (!credentials) return unauthorized(res, 'Basic realm="smev-gateway attachments"');
      if (!isStoredUuid(uuid)) return notFound(res);
      let file: StoredFile | undefined;
      if (credentials.kind === 'basic') {
        file = await files.redeem(uuid, credentials.user, credentials.password, new Date());
        if (!file) return unauthorized(res, 'Basic realm="smev-gateway attachments"');
      } else {
        const systems = await systemsOf(credentials.token, false);
        if (!systems) return unauthorized(res, 'Bearer realm="smev-gateway"');
        file = await files.infoFor(systems, uuid);
        if (!file) return notFound(res);
      }
      res.status(200);
      res.setHeader('Content-Type', file.mimeType);
      res.setHeader('Content-Length', String(file.size));
      res.setHeader(
        'Content-Disposition',
        `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      );
      res.setHeader('X-Attachment-Hash', file.hash);
      res.setHeader('X-Attachment-Hash-Algorithm', HASH_ALGORITHM);
      res.setHeader('Cache-Control', 'no-store');
      await pipeline(files.open(file), res);
    } catch (error) {
      if (res.headersSent) {
        log.warn('attachment download failed', { error: (error as Error).message });
        res.destroy();
        return;
      }
      next(error);
    }
  });

  return api;
}
