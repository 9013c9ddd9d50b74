import type { Express } from 'express';
import type { Registry } from 'prom-client';
import { exitIfPortInUse, listen } from './listen.ts';
import { createLogger, type Logger } from './logger.ts';
import { serveMetricsIfAsked } from './metrics.ts';
import { GracefulShutdown, shutDownWithRunner } from './shutdown.ts';

/** What both services' configs hold for the steps below (serviceEnvFields in config.ts). */
export interface ServiceConfig {
  PORT: number;
  HOST: string;
  METRICS_PORT?: number | undefined;
  SHUTDOWN_DRAIN_MS: number;
  SHUTDOWN_TIMEOUT_MS: number;
  LOG_LEVEL: string;
  POD_NAME: string;
}

/**
 * The first steps of both services' main.ts: the root logger, and a graceful shutdown wired to
 * SIGTERM/SIGINT and to the local runner going away. `onClosed` releases what the service holds
 * once the server has closed (the pool, the metrics listener).
 */
export function startService(
  service: 'frontend' | 'logic',
  config: ServiceConfig,
  onClosed: () => Promise<unknown>,
): { logger: Logger; shutdown: GracefulShutdown } {
  const logger = createLogger({ service, replica: config.POD_NAME, level: config.LOG_LEVEL });
  const shutdown = new GracefulShutdown({
    logger,
    drainMs: config.SHUTDOWN_DRAIN_MS,
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onClosed: async () => {
      await onClosed();
    },
  });
  shutdown.installSignalHandlers();
  shutDownWithRunner(shutdown, logger);
  return { logger, shutdown };
}

/**
 * The last steps: listen (a taken PORT exits 1 naming the variable), hand the server to the
 * shutdown, log "<service> listening", and serve /metrics when METRICS_PORT asks for it.
 * Returns what closes the metrics listener.
 */
export async function serve(
  app: Express,
  {
    service,
    config,
    logger,
    shutdown,
    registry,
    fields = {},
  }: {
    service: 'frontend' | 'logic';
    config: ServiceConfig;
    logger: Logger;
    shutdown: GracefulShutdown;
    registry: Registry;
    /** Extra fields of the "listening" line. */
    fields?: Record<string, unknown>;
  },
): Promise<() => Promise<void>> {
  const { server, port } = await listen(app, config.PORT, config.HOST).catch((error: unknown) =>
    exitIfPortInUse(error, { port: config.PORT, variable: 'PORT', logger }),
  );
  shutdown.attach(server);
  logger.info({ port, ...fields }, `${service} listening`);
  return serveMetricsIfAsked(registry, config, logger);
}
