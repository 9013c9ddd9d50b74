import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request, Response } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { exitIfPortInUse } from './listen.ts';
import type { Logger } from './logger.ts';

/**
 * A service's own registry with prom-client's default process metrics (CPU, memory, event
 * loop lag, GC). One per service, never prom-client's global one: the tests run logic and the
 * frontend in one process, and each must show only its own figures.
 */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Requests no route of ours handled: static files of the web UI, 404s, faults drawn before routing. */
export const NO_ROUTE = 'none';

/**
 * The label of a request's route: the Express pattern (`/api/orders/:id`), never the raw URL,
 * so the number of series stays bounded whatever clients send. The mount path is read from
 * `res.locals.routeBase` when a router recorded it (`rememberRouteBase`), because Express
 * resets `req.baseUrl` once an error leaves the router.
 */
export function routeLabel(req: Request, res: Response): string {
  const route = req.route as { path?: unknown } | undefined;
  if (typeof route?.path !== 'string') return NO_ROUTE;
  const base = typeof res.locals.routeBase === 'string' ? res.locals.routeBase : req.baseUrl;
  return base + route.path;
}

/** Mount before a router: records its mount path for `routeLabel`. */
export function rememberRouteBase(req: Request, res: Response, next: () => void): void {
  res.locals.routeBase = req.baseUrl;
  next();
}

/**
 * `flame_http_request_duration_seconds` by method, route and status. Each label combination's
 * child is looked up once and kept, so a request costs a string key and a map lookup, not a
 * label object hashed by prom-client.
 */
export class HttpMetrics {
  readonly #histogram: Histogram<'method' | 'route' | 'status_code'>;
  readonly #children = new Map<string, Histogram.Internal<'method' | 'route' | 'status_code'>>();

  constructor(registry: Registry) {
    this.#histogram = new Histogram({
      name: 'flame_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  observe(req: Request, res: Response, seconds: number): void {
    const route = routeLabel(req, res);
    const status = res.statusCode;
    const key = `${req.method} ${status} ${route}`;
    let child = this.#children.get(key);
    if (!child) {
      child = this.#histogram.labels(req.method, route, String(status));
      this.#children.set(key, child);
    }
    child.observe(seconds);
  }
}

/**
 * Serves the registry as Prometheus text on its own port, apart from the public API: the
 * Kubernetes Services do not expose it and a NetworkPolicy admits only scrapers.
 */
export function serveMetrics(
  registry: Registry,
  port: number,
  host: string,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?', 1)[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Metrics are at GET /metrics.\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}

/**
 * For main.ts, after the API listens: serves the registry on METRICS_PORT when it is set, logs
 * the port as `metricsPort` (not `port`, which the local runner reads as the API's), and
 * returns how to close it. A taken port ends the process naming METRICS_PORT.
 */
export async function serveMetricsIfAsked(
  registry: Registry,
  config: { METRICS_PORT?: number | undefined; HOST: string },
  logger: Logger,
): Promise<() => Promise<void>> {
  const wanted = config.METRICS_PORT;
  if (wanted === undefined) return async () => undefined;
  const { server, port } = await serveMetrics(registry, wanted, config.HOST).catch(
    (error: unknown) => exitIfPortInUse(error, { port: wanted, variable: 'METRICS_PORT', logger }),
  );
  logger.info({ metricsPort: port }, 'metrics served on GET /metrics');
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
}
