import { fileURLToPath } from 'node:url';
import { BrokenCircuitError } from 'cockatiel';
import express, { type Express, type Request, Router } from 'express';
import helmet from 'helmet';
import { AppError } from '../shared/errors.ts';
import { errorHandler, jsonBody, notFound, requestLogging } from '../shared/http.ts';
import type { Logger } from '../shared/logger.ts';
import { rememberRouteBase } from '../shared/metrics.ts';
import { parseIdempotencyKey, parseOrderRequest } from '../shared/order-request.ts';
import { adminRelay } from './admin-relay.ts';
import { type Catalog, CatalogCache } from './catalog.ts';
import type { FrontendConfig } from './config.ts';
import { type LogicClient, LogicUnavailableError } from './logic-client.ts';
import { publicOrderAnswer, publicOrderId } from './public-order.ts';
import { relay } from './relay.ts';

/** The web UI: plain HTML/CSS/JS, the same folder in the repo and in the image. */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

export interface FrontendDeps {
  config: Pick<
    FrontendConfig,
    'ADMIN_TOKEN' | 'BODY_LIMIT' | 'BREAKER_HALF_OPEN_MS' | 'CATALOG_MAX_AGE_MS' | 'POD_NAME'
  >;
  logger: Logger;
  client: LogicClient;
  isDraining: () => boolean;
  before?: express.RequestHandler[];
}

function forwardHeaders(req: Request): Record<string, string> {
  return { 'x-request-id': String(req.id) };
}

/** Each catalog snapshot is turned into JSON once, not once per reader. */
const catalogBodies = new WeakMap<Readonly<Catalog>, Buffer>();
function catalogBody(catalog: Readonly<Catalog>): Buffer {
  let body = catalogBodies.get(catalog);
  if (!body) {
    const { events, stale, fetchedAt } = catalog;
    body = Buffer.from(JSON.stringify({ events, stale, fetchedAt }));
    catalogBodies.set(catalog, body);
  }
  return body;
}

function apiRouter(deps: FrontendDeps): Router {
  const { client } = deps;
  const stale = client.metrics.staleCatalogReads;
  const catalog = new CatalogCache(client, deps.config.CATALOG_MAX_AGE_MS, () => stale.inc());
  const router = Router();

  router.get('/events', async (req, res) => {
    const result = await catalog.read(req.log, forwardHeaders(req));
    if (result.servedBy && !result.stale) res.setHeader('x-served-by', result.servedBy);
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.send(catalogBody(result));
  });

  router.post('/orders', jsonBody(deps.config.BODY_LIMIT), async (req, res) => {
    // The key first: only the client can make a retry of its own request safe, so a request
    // without one is refused rather than given a key it would never send again.
    const key = parseIdempotencyKey(req.get('idempotency-key'));
    const request = parseOrderRequest(req.body);
    const response = await client.call({
      method: 'POST',
      path: '/orders',
      body: request,
      headers: { ...forwardHeaders(req), 'idempotency-key': key },
      idempotent: true,
      log: req.log,
    });
    // A definite answer about seats (booked, or not enough left) makes the cached list old.
    if (response.status === 201 || response.status === 409) catalog.invalidate();
    relay(res, response);
  });

  router.get('/orders/:id', async (req, res) => {
    const id = publicOrderId(req.params.id);
    const response = await client.call({
      method: 'GET',
      path: `/orders/${id}`,
      headers: forwardHeaders(req),
      idempotent: true,
      log: req.log,
    });
    relay(res, publicOrderAnswer(response));
  });

  router.use(notFound);
  return router;
}

/**
 * Security headers on every response (helmet): nosniff, a referrer policy, and a CSP the UI
 * works under — its own scripts, styles and API only, no inline script, never framed. Plain
 * HTTP locally and behind the kind port mapping, so requests are not upgraded to https.
 */
const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      'frame-ancestors': ["'none'"],
      'style-src': ["'self'"],
      'upgrade-insecure-requests': null,
    },
  },
  referrerPolicy: { policy: 'no-referrer' },
  // Plain HTTP (see above): HSTS would only be ignored, or pin a local name to https.
  strictTransportSecurity: false,
});

/** Logic being down or the breaker open is a 503 a person can read, never a 500. */
function logicFailuresAs503(deps: FrontendDeps): express.ErrorRequestHandler {
  return (err, req, _res, next) => {
    if (err instanceof BrokenCircuitError) {
      req.log.warn('circuit open, failing fast');
      const retryAfter = Math.max(1, Math.ceil(deps.config.BREAKER_HALF_OPEN_MS / 1000));
      return next(new AppError('SERVICE_UNAVAILABLE', undefined, { retryAfter, cause: err }));
    }
    if (err instanceof LogicUnavailableError) {
      req.log.warn({ err }, 'logic unavailable');
      return next(new AppError('SERVICE_UNAVAILABLE', undefined, { retryAfter: 2, cause: err }));
    }
    next(err);
  };
}

/**
 * The console's source map stays next to its bundle for stack traces, but is not served: it
 * carries the full sources (sourcesContent), which a visitor has no use for.
 */
const withoutSourceMaps: express.RequestHandler = (req, _res, next) => {
  let path: string;
  try {
    path = decodeURIComponent(req.path); // as the static handler will read it: %2emap too
  } catch {
    return next(); // the static handler refuses a path it cannot decode (400)
  }
  if (!path.toLowerCase().endsWith('.map')) return next();
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}.`));
};

/** The frontend's Express app: the web UI and the public /api gateway to logic. */
export function createFrontendApp(deps: FrontendDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // API answers change with every order: an ETag would only cost a hash per response.
  app.set('etag', false);
  // The client carries the service's metrics, so the app and the client count into one registry.
  app.use(requestLogging(deps.logger, deps.client.metrics.http));
  app.use(securityHeaders);
  for (const middleware of deps.before ?? []) app.use(middleware);

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', (_req, res) => {
    if (deps.isDraining()) return void res.status(503).json({ status: 'draining' });
    res.json({ status: 'ready', breaker: deps.client.breakerState });
  });
  const token = deps.config.ADMIN_TOKEN;
  if (token) {
    app.use(
      '/api/admin',
      rememberRouteBase,
      adminRelay({
        token,
        replica: deps.config.POD_NAME,
        client: deps.client,
        bodyLimit: deps.config.BODY_LIMIT,
      }),
    );
  }
  app.use('/api', rememberRouteBase, apiRouter(deps));
  // The control room: a page of its own; what it can do is guarded by /api/admin's token.
  app.get('/console', (_req, res) => void res.sendFile('console.html', { root: WEB_DIR }));
  app.use(withoutSourceMaps, express.static(WEB_DIR, { index: 'index.html', maxAge: '5m' }));
  app.use(notFound);
  app.use(logicFailuresAs503(deps));
  app.use(errorHandler(deps.logger));
  return app;
}
