import { timingSafeEqual } from 'node:crypto';
import { type RequestHandler, Router } from 'express';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { invalidRequest } from '../shared/order-request.ts';
import { readAudit } from './audit.ts';
import type { Pool } from './database.ts';
import { type FaultInjector, faultSettingsSchema } from './faults.ts';

function tokensMatch(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function requireBearer(token: string): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (!tokensMatch(given, token)) return next(new AppError('UNAUTHORIZED'));
    next();
  };
}

/** Admin routes exist only when a token is configured. */
export function adminRouter(deps: {
  token: string;
  faults: FaultInjector;
  pool: Pool;
  logger: Logger;
}): Router {
  const router = Router();
  router.use(requireBearer(deps.token));

  router.get('/faults', (_req, res) => {
    res.json({ faults: deps.faults.settings });
  });

  router.put('/faults', (req, res) => {
    const parsed = faultSettingsSchema.safeParse(req.body);
    if (!parsed.success) throw invalidRequest(parsed.error, 'The fault settings are not valid.');
    deps.faults.update(parsed.data);
    deps.logger.warn({ faults: parsed.data }, 'fault settings changed');
    res.json({ faults: deps.faults.settings });
  });

  router.get('/audit', async (_req, res) => {
    res.json(await readAudit(deps.pool));
  });

  return router;
}
