import { setTimeout as sleep } from 'node:timers/promises';
import { loadOrExit } from '../shared/config.ts';
import { exitIfPortInUse, listen } from '../shared/listen.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { createRegistry, serveMetricsIfAsked } from '../shared/metrics.ts';
import { GracefulShutdown, shutDownWithRunner } from '../shared/shutdown.ts';
import { createLogicApp } from './app.ts';
import { loadLogicConfig } from './config.ts';
import { createPool, type Pool } from './database.ts';
import { FaultSettingsStore } from './fault-settings-store.ts';
import { FaultInjector } from './faults.ts';
import { LogicMetrics } from './metrics.ts';
import { migrate } from './migrations.ts';

/** Keeps trying until the database answers: replicas may start before PostgreSQL does. */
async function migrateWhenReachable(
  pool: Pool,
  logger: Logger,
  isStopping: () => boolean,
): Promise<boolean> {
  for (let attempt = 1; !isStopping(); attempt++) {
    try {
      await migrate(pool);
      logger.info({ attempt }, 'database migrated');
      return true;
    } catch (err) {
      const delayMs = Math.min(5000, 250 * 2 ** Math.min(attempt, 5));
      logger.warn({ err, attempt, delayMs }, 'migration failed, retrying');
      await sleep(delayMs);
    }
  }
  return false;
}

const config = loadOrExit(() => loadLogicConfig(process.env));
const logger = createLogger({
  service: 'logic',
  replica: config.POD_NAME,
  level: config.LOG_LEVEL,
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
let closeMetrics = async () => {};
let stopReadingFaults = () => {};
const shutdown = new GracefulShutdown({
  logger,
  drainMs: config.SHUTDOWN_DRAIN_MS,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  // Scrapes go on through the drain, so the last figures of a replica are seen.
  onClosed: async () => {
    stopReadingFaults();
    await Promise.all([pool.end(), closeMetrics()]);
  },
});
shutdown.installSignalHandlers();
shutDownWithRunner(shutdown, logger);

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
const { server, port } = await listen(app, config.PORT, config.HOST).catch((error: unknown) =>
  exitIfPortInUse(error, { port: config.PORT, variable: 'PORT', logger }),
);
shutdown.attach(server);
logger.info({ port }, 'logic listening');
closeMetrics = await serveMetricsIfAsked(metrics.registry, config, logger);
migrated = await migrateWhenReachable(pool, logger, () => shutdown.draining);
if (migrated) {
  // Settings made before this replica started (a restart after a crash) apply at once.
  await faultSettings.refresh().catch((err: unknown) => {
    logger.warn({ err }, 'could not read the fault settings');
  });
  stopReadingFaults = faultSettings.poll();
}
