import express, { type Express, Router } from 'express';
import { z } from 'zod';
import { AppError } from '../shared/errors.ts';
import { errorHandler, jsonBody, notFound, requestLogging } from '../shared/http.ts';
import type { Logger } from '../shared/logger.ts';
import { rememberRouteBase } from '../shared/metrics.ts';
import {
  eventIdSchema,
  idempotencyKeySchema,
  parseIdempotencyKey,
  parseOrderRequest,
} from '../shared/order-request.ts';
import { adminRouter } from './admin.ts';
import { BOOT } from './boot.ts';
import type { LogicConfig } from './config.ts';
import { isDatabaseUnavailable, type Pool } from './database.ts';
import { getEvent, listEvents } from './events.ts';
import { injectFaults, sendResult } from './fault-middleware.ts';
import type { FaultSettingsStore } from './fault-settings-store.ts';
import type { FaultInjector } from './faults.ts';
import type { LogicMetrics } from './metrics.ts';
import { getOrder, getOrderByKey, placeOrder } from './orders.ts';

export interface LogicDeps {
  config: Pick<LogicConfig, 'ADMIN_TOKEN' | 'BODY_LIMIT' | 'POD_NAME'>;
  pool: Pool;
  logger: Logger;
  faults: FaultInjector;
  faultSettings: FaultSettingsStore;
  /** The service's metrics (main.ts serves their registry on METRICS_PORT). */
  metrics: LogicMetrics;
  /** Ends the process abruptly, for POST /admin/crash; absent → no crash route. */
  crash?: () => void;
  /** Readiness inputs: the schema is migrated and the process is not shutting down. */
  isMigrated: () => boolean;
  isDraining: () => boolean;
  /** Extra middleware run first (graceful shutdown's Connection: close). */
  before?: express.RequestHandler[];
}

const orderIdSchema = z.uuid();

/** Marks a key's recorded answer given again (IETF Idempotency-Key draft, Stripe). */
const REPLAYED = { 'Idempotent-Replayed': 'true' } as const;

function readinessProbe(deps: LogicDeps): express.RequestHandler {
  return async (_req, res) => {
    if (deps.isDraining()) return void res.status(503).json({ status: 'draining' });
    if (!deps.isMigrated()) return void res.status(503).json({ status: 'migrating' });
    try {
      await deps.pool.query('SELECT 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  };
}

function apiRouter(deps: LogicDeps): Router {
  const { pool, config } = deps;
  const router = Router();
  router.use(injectFaults(deps.faults));

  router.get('/events', async (_req, res) => {
    sendResult(res, 200, { events: await listEvents(pool) });
  });

  router.get('/events/:id', async (req, res) => {
    const id = eventIdSchema.safeParse(req.params.id);
    if (!id.success) throw new AppError('NOT_FOUND', `There is no event "${req.params.id}".`);
    sendResult(res, 200, { event: await getEvent(pool, id.data) });
  });

  router.post('/orders', async (req, res) => {
    const key = parseIdempotencyKey(req.get('idempotency-key'));
    const request = parseOrderRequest(req.body);
    const outcome = await placeOrder(pool, { key, request, servedBy: config.POD_NAME });
    deps.metrics.orderAnswered(outcome, request.quantity);
    req.log.debug({ status: outcome.status, replayed: outcome.replayed }, 'order answered');
    sendResult(res, outcome.status, outcome.body, outcome.replayed ? REPLAYED : undefined);
  });

  router.get('/orders', async (req, res) => {
    const key = idempotencyKeySchema.safeParse(req.query.idempotencyKey);
    if (!key.success) {
      throw new AppError('INVALID_REQUEST', 'Give ?idempotencyKey= with the key to look up.');
    }
    sendResult(res, 200, { order: await getOrderByKey(pool, key.data) });
  });

  router.get('/orders/:id', async (req, res) => {
    const id = orderIdSchema.safeParse(req.params.id);
    if (!id.success) throw new AppError('NOT_FOUND', `There is no order "${req.params.id}".`);
    sendResult(res, 200, { order: await getOrder(pool, id.data) });
  });

  return router;
}

/** A database that is down is a temporary condition the caller may retry, not a bug. */
const databaseUnavailableAs503: express.ErrorRequestHandler = (err, req, _res, next) => {
  if (!isDatabaseUnavailable(err)) return next(err);
  req.log.warn({ err }, 'database unavailable');
  next(
    new AppError('SERVICE_UNAVAILABLE', 'The database is unavailable.', {
      retryAfter: 1,
      cause: err,
    }),
  );
};

/** The logic service's Express app: events, seat inventory and orders on PostgreSQL. */
export function createLogicApp(deps: LogicDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLogging(deps.logger, deps.metrics.http));
  deps.faults.onInjected = (mode) => deps.metrics.faultInjected(mode);
  app.use((_req, res, next) => {
    res.setHeader('x-served-by', deps.config.POD_NAME);
    res.setHeader('x-boot-id', BOOT.bootId);
    next();
  });
  for (const middleware of deps.before ?? []) app.use(middleware);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', replica: deps.config.POD_NAME, ...BOOT });
  });
  app.get('/readyz', readinessProbe(deps));
  app.use(jsonBody(deps.config.BODY_LIMIT));
  if (deps.config.ADMIN_TOKEN) {
    app.use(
      '/admin',
      rememberRouteBase,
      adminRouter({
        token: deps.config.ADMIN_TOKEN,
        replica: deps.config.POD_NAME,
        faults: deps.faults,
        faultSettings: deps.faultSettings,
        pool: deps.pool,
        logger: deps.logger,
        ...(deps.crash ? { crash: deps.crash } : {}),
      }),
    );
  }
  app.use(apiRouter(deps));
  app.use(notFound);
  app.use(databaseUnavailableAs503);
  app.use(errorHandler(deps.logger));
  return app;
}
