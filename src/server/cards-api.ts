/**
 * The operator's read-only view of the card register over HTTP, mounted by the admin API under
 * `/api/v1/cards` behind the operator token:
 *   GET /            ?page=1&pageSize=50&status=ACTIVE|BLOCKED|DEREGISTERED  → { page, pageSize, total, items }
 *   GET /:id         → the card and its history (events), or 404
 * The router checks its own input and answers its own errors (400, 404) in the admin API's JSON shape.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Store } from '../store/store.js';
import { ListCardsQuery, getCard, listCards } from '../providers/cards/index.js';

const SOCIAL_CARD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function cardsApi(store: Store): Router {
  const router = express.Router();

  router.get('/', async (req: Request, res: Response, next: NextFunction) => {
    const query = ListCardsQuery.safeParse(req.query);
    if (!query.success) {
      const issue = query.error.issues[0];
      return void res.status(400).json({
        error: `${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'is not valid'}`,
        ...(issue?.path.length ? { field: issue.path.join('.') } : {}),
      });
    }
    try {
      res.json(await listCards(store, query.data));
    } catch (error) {
      next(error);
    }
  });

  router.get('/:id', async (req: Request, res: Response, next: NextFunction) => {
    const id = String(req.params.id);
    if (!SOCIAL_CARD_ID.test(id)) {
      return void res
        .status(400)
        .json({ error: 'the social card id must be a lower-case UUID', field: 'id' });
    }
    try {
      const card = await getCard(store, id);
      if (!card) return void res.status(404).json({ error: `there is no social card ${id} in the register` });
      res.json(card);
    } catch (error) {
      next(error);
    }
  });

  return router;
}
