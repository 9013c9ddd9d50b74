import { loadOrExit } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { createRegistry } from '../shared/metrics.ts';
import { serve, startService } from '../shared/service.ts';
import { backoff, waitFor } from '../shared/wait.ts';
import { createLogicApp } from './app.ts';
import { loadLogicConfig } from './config.ts';
import { createPool, type Pool } from './database.ts';
import { FaultSettingsStore } from './fault-settings-store.ts';
import { FaultInjector } from './faults.ts';
import { LogicMetrics } from './metrics.ts';
import { migrate } from './migrations.ts';

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
let stopReadingFaults = () => {};
const { logger, shutdown } = startService('logic', config, async () => {
  stopReadingFaults();
  // Scrapes go on through the drain, so the last figures of a replica are seen.
  await Promise.all([pool.end(), closeMetrics()]);
});
const pool = createPool({ connectionString: config.DATABASE_URL, max: config.DB_POOL_MAX, logger });
const faultsFromEnv = {
  rate: config.FAULT_RATE,
  latencyMs: config.FAULT_LATENCY_MS,
  mode: config.FAULT_MODE,
  ...(config.FAULT_SEED === undefined ? {} : { seed: config.FAULT_SEED }),
};
const faults = new FaultInjector(faultsFromEnv, { replica: config.POD_NAME });
if (config.FAULT_RATE > 0)
  logger.warn({ faults: faults.settings }, 'fault injection enabled from env');
const faultSettings = new FaultSettingsStore({
  pool,
  replica: config.POD_NAME,
  injector: faults,
  fromEnv: faultsFromEnv,
  logger,
});

const metrics = new LogicMetrics(createRegistry(), pool);

let migrated = false;
const app = createLogicApp({
  config,
  pool,
  logger,
  faults,
  faultSettings,
  metrics,
  // POST /admin/crash: a process killed hard, as the chaos runner's replica-kill does.
  crash: () => process.kill(process.pid, 'SIGKILL'),
  isMigrated: () => migrated,
  isDraining: () => shutdown.draining,
  before: [shutdown.connectionClose],
});
closeMetrics = await serve(app, {
  service: 'logic',
  config,
  logger,
  shutdown,
  registry: metrics.registry,
});
migrated = await migrateWhenReachable(pool, logger, shutdown.stopping);
if (migrated) {
  // Settings made before this replica started (a restart after a crash) apply at once.
  await faultSettings.refresh().catch((err: unknown) => {
    logger.warn({ err }, 'could not read the fault settings');
  });
  stopReadingFaults = faultSettings.poll();
}
