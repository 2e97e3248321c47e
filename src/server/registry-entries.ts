/**
 * The public registry entry a participant's QR code links to (`/registry/<code>`): the participant's short name
 * and status, nothing else, so anyone who scans the code can see whether the participant is registered.
 */
import express, { type Router } from 'express';
import { RegistryError } from '../registry/errors.js';
import type { Registry } from '../registry/registry.js';

export function registryEntries(registry: Registry): Router {
  const router = express.Router();
  router.get('/:code', async (req, res, next) => {
    const code = String(req.params.code);
    try {
      if (!/^REG-\d{13}$/.test(code))
        throw new RegistryError('not_found', 'registry codes look like REG-<OGRN>');
      res.json(await registry.lookupCode(code));
    } catch (error) {
      if (error instanceof RegistryError) return void res.status(404).json({ error: error.message });
      next(error);
    }
  });
  return router;
}
