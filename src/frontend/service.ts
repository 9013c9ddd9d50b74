import type { Express, RequestHandler } from 'express';
import type { Logger } from '../shared/logger.ts';
import { createRegistry } from '../shared/metrics.ts';
import { createFrontendApp } from './app.ts';
import type { FrontendConfig } from './config.ts';
import { LogicClient } from './logic-client.ts';
import { FrontendMetrics } from './metrics.ts';

export interface FrontendService {
  app: Express;
  /** The one way to logic; the app's routes and readiness go through it. */
  client: LogicClient;
  /** Counted by the app and the client alike: what the /metrics listener serves. */
  metrics: FrontendMetrics;
}

/**
 * The frontend service built from its config and what only the caller knows: the one
 * composition root, used by main.ts and by the tests, so both run the same wiring.
 */
export function createFrontendService(
  config: FrontendConfig,
  deps: {
    logger: Logger;
    isDraining: () => boolean;
    /** Middleware run first (graceful shutdown's Connection: close). */
    before?: RequestHandler[];
  },
): FrontendService {
  const { logger } = deps;
  const client = new LogicClient(config, logger, undefined, new FrontendMetrics(createRegistry()));
  const app = createFrontendApp({
    config,
    logger,
    client,
    isDraining: deps.isDraining,
    before: deps.before ?? [],
  });
  return { app, client, metrics: client.metrics };
}
