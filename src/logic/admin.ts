import { timingSafeEqual } from 'node:crypto';
import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { eventIdSchema, invalidRequest } from '../shared/order-request.ts';
import { readAudit } from './audit.ts';
import type { Pool } from './database.ts';
import { archiveEvents, createEvents } from './events.ts';
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

/** The most events one call creates or archives: a chaos scenario needs a handful. */
const MAX_EVENTS_PER_CALL = 100;

const newEventsSchema = z.strictObject({
  events: z
    .array(
      z.strictObject({
        id: eventIdSchema,
        name: z.string().min(1).max(200),
        venue: z.string().min(1).max(200),
        startsAt: z.iso.datetime({ offset: true }),
        priceCents: z.number().int().min(0).max(100_000_000),
        capacity: z.number().int().min(1).max(10_000_000),
      }),
    )
    .min(1)
    .max(MAX_EVENTS_PER_CALL)
    .refine((events) => new Set(events.map((e) => e.id)).size === events.length, {
      message: 'must not name one id twice',
    }),
});

const archiveSchema = z.strictObject({
  ids: z.array(eventIdSchema).min(1).max(MAX_EVENTS_PER_CALL),
});

/** ?events=a,b,c: the audit of these events and their orders only. */
const auditQuerySchema = z.strictObject({
  events: z
    .string()
    .transform((list) => list.split(',').filter(Boolean))
    .pipe(z.array(eventIdSchema).min(1).max(MAX_EVENTS_PER_CALL))
    .optional(),
});

/** Admin routes exist only when a token is configured. */
export function adminRouter(deps: {
  token: string;
  faults: FaultInjector;
  pool: Pool;
  logger: Logger;
}): Router {
  const router = Router();
  router.use(requireBearer(deps.token));

  const faultsBody = () => ({ faults: deps.faults.settings, injected: deps.faults.injected });

  router.get('/faults', (_req, res) => {
    res.json(faultsBody());
  });

  router.put('/faults', (req, res) => {
    const parsed = faultSettingsSchema.safeParse(req.body);
    if (!parsed.success) throw invalidRequest(parsed.error, 'The fault settings are not valid.');
    deps.faults.update(parsed.data);
    deps.logger.warn({ faults: parsed.data }, 'fault settings changed');
    res.json(faultsBody());
  });

  router.get('/audit', async (req, res) => {
    const query = auditQuerySchema.safeParse(req.query);
    if (!query.success) throw invalidRequest(query.error, 'Give ?events= as a list of event ids.');
    res.json(await readAudit(deps.pool, query.data.events));
  });

  router.post('/events', async (req, res) => {
    const parsed = newEventsSchema.safeParse(req.body);
    if (!parsed.success) throw invalidRequest(parsed.error, 'The events are not valid.');
    const events = await createEvents(deps.pool, parsed.data.events);
    deps.logger.info({ events: events.map((e) => e.id) }, 'events created');
    res.status(201).json({ events });
  });

  router.post('/events/archive', async (req, res) => {
    const parsed = archiveSchema.safeParse(req.body);
    if (!parsed.success) throw invalidRequest(parsed.error, 'Give {ids: [event ids]}.');
    const archived = await archiveEvents(deps.pool, parsed.data.ids);
    deps.logger.info({ archived }, 'events archived');
    res.json({ archived });
  });

  return router;
}
