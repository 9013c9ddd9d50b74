import { Router } from 'express';
import { z } from 'zod';
import { type CrashAnswer, type FaultsAnswer, MAX_EVENTS_PER_CALL } from '../shared/admin-api.ts';
import { archiveSchema, faultUpdateSchema, newEventsSchema } from '../shared/admin-schemas.ts';
import { requireBearer } from '../shared/bearer-token.ts';
import type { Logger } from '../shared/logger.ts';
import { eventIdSchema, invalidRequest } from '../shared/order-request.ts';
import { readAudit } from './audit.ts';
import type { Pool } from './database.ts';
import { archiveEvents, createEvents } from './events.ts';
import type { FaultSettingsStore } from './fault-settings-store.ts';
import type { FaultInjector } from './faults.ts';

/** ?events=a,b,c: the audit of these events and their orders only. */
const auditQuerySchema = z.strictObject({
  events: z
    .string()
    .transform((list) => list.split(',').filter(Boolean))
    .pipe(z.array(eventIdSchema).min(1).max(MAX_EVENTS_PER_CALL))
    .optional(),
});

export interface AdminDeps {
  token: string;
  replica: string;
  faults: FaultInjector;
  faultSettings: FaultSettingsStore;
  pool: Pool;
  logger: Logger;
  /** Ends the process abruptly (SIGKILL in a service); absent → no crash route. */
  crash?: () => void;
}

/** Admin routes exist only when a token is configured (ADMIN_ROUTES in the shared contract). */
export function adminRouter(deps: AdminDeps): Router {
  const router = Router();
  router.use(requireBearer(deps.token));

  const faultsAnswer = (): FaultsAnswer => ({
    replica: deps.replica,
    faults: deps.faults.settings,
    source: deps.faultSettings.source,
    injected: deps.faults.injected,
  });

  router.get('/faults', (_req, res) => {
    res.json(faultsAnswer());
  });

  router.put('/faults', async (req, res) => {
    const parsed = faultUpdateSchema.safeParse(req.body);
    if (!parsed.success) throw invalidRequest(parsed.error, 'The fault settings are not valid.');
    await deps.faultSettings.save(parsed.data);
    deps.logger.warn({ faults: parsed.data }, 'fault settings changed');
    res.json(faultsAnswer());
  });

  const crash = deps.crash;
  if (crash) {
    router.post('/crash', (_req, res) => {
      deps.logger.warn('crash requested: this replica dies abruptly after answering');
      res.on('finish', crash);
      res.status(202).json({ crashing: deps.replica } satisfies CrashAnswer);
    });
  }

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
