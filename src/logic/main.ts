import { loadOrExit } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { serve, startService } from '../shared/service.ts';
import { backoff, waitFor } from '../shared/wait.ts';
import { loadLogicConfig } from './config.ts';
import type { Pool } from './database.ts';
import { migrate } from './migrations.ts';
import { createLogicService } from './service.ts';

/** Keeps trying until the database answers: replicas may start before PostgreSQL does. */
async function migrateWhenReachable(pool: Pool, logger: Logger, stopping: AbortSignal) {
  const migrated = await waitFor(
    'the database to migrate',
    async () => {
      await migrate(pool);
      return true;
    },
    {
      delayMs: backoff(250, 5000),
      signal: stopping,
      onRetry: ({ attempt, error, delayMs }) =>
        logger.warn({ err: error, attempt, delayMs }, 'migration failed, retrying'),
    },
  ).catch((error: unknown) => {
    // Only a shutdown ends this wait: it has no deadline.
    if (stopping.aborted) return false;
    throw error;
  });
  if (migrated) logger.info('database migrated');
  return migrated;
}

const config = loadOrExit(() => loadLogicConfig(process.env));
let closeMetrics = async () => {};
const { logger, shutdown } = startService('logic', config, async () => {
  // Scrapes go on through the drain, so the last figures of a replica are seen.
  await Promise.all([service.close(), closeMetrics()]);
});
const service = createLogicService(config, {
  logger,
  // POST /admin/crash: a process killed hard, as the chaos runner's replica-kill does.
  crash: () => process.kill(process.pid, 'SIGKILL'),
  isDraining: () => shutdown.draining,
  before: [shutdown.connectionClose],
});
closeMetrics = await serve(service.app, {
  service: 'logic',
  config,
  logger,
  shutdown,
  registry: service.metrics.registry,
});
if (await migrateWhenReachable(service.pool, logger, shutdown.stopping)) await service.migrated();
