import type { Express, RequestHandler } from 'express';
import type { FaultSettings } from '../shared/admin-api.ts';
import type { Logger } from '../shared/logger.ts';
import { createRegistry } from '../shared/metrics.ts';
import { reconnectEvery } from '../shared/reconnect-every.ts';
import { createLogicApp } from './app.ts';
import type { LogicConfig } from './config.ts';
import { createPool, type Pool } from './database.ts';
import { FaultSettingsStore } from './fault-settings-store.ts';
import { FaultInjector } from './faults.ts';
import { LogicMetrics } from './metrics.ts';

export interface LogicService {
  app: Express;
  pool: Pool;
  faults: FaultInjector;
  metrics: LogicMetrics;
  /**
   * Once the schema is migrated: readiness turns ready, fault settings made before this start
   * (a restart after a crash) apply at once, and the replica keeps reading them.
   */
  migrated(): Promise<void>;
  /** Stops reading fault settings and closes the pool (after the server has closed). */
  close(): Promise<void>;
}

/** The faults a replica starts with, from FAULT_RATE, FAULT_LATENCY_MS, FAULT_MODE, FAULT_SEED. */
export function faultsFromConfig(config: LogicConfig): FaultSettings {
  return {
    rate: config.FAULT_RATE,
    latencyMs: config.FAULT_LATENCY_MS,
    mode: config.FAULT_MODE,
    ...(config.FAULT_SEED === undefined ? {} : { seed: config.FAULT_SEED }),
  };
}

/**
 * The logic service built from its config and what only the caller knows: the one composition
 * root, used by main.ts and by the tests, so both run the same wiring.
 */
export function createLogicService(
  config: LogicConfig,
  deps: {
    logger: Logger;
    /** Ends the process abruptly, for POST /admin/crash; absent → no crash route. */
    crash?: () => void;
    isDraining: () => boolean;
    /** Middleware run first (graceful shutdown's Connection: close). */
    before?: RequestHandler[];
  },
): LogicService {
  const { logger } = deps;
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    max: config.DB_POOL_MAX,
    logger,
  });
  const fromEnv = faultsFromConfig(config);
  const faults = new FaultInjector(fromEnv, { replica: config.POD_NAME });
  if (fromEnv.rate > 0)
    logger.warn({ faults: faults.settings }, 'fault injection enabled from env');
  const faultSettings = new FaultSettingsStore({
    pool,
    replica: config.POD_NAME,
    injector: faults,
    fromEnv,
    logger,
  });
  const metrics = new LogicMetrics(createRegistry(), pool);
  let isMigrated = false;
  let stopReadingFaults = () => {};
  const app = createLogicApp({
    config,
    pool,
    logger,
    faults,
    faultSettings,
    metrics,
    ...(deps.crash ? { crash: deps.crash } : {}),
    isMigrated: () => isMigrated,
    isDraining: deps.isDraining,
    before: [reconnectEvery(config.KEEPALIVE_MAX_REQUESTS), ...(deps.before ?? [])],
  });
  return {
    app,
    pool,
    faults,
    metrics,
    async migrated() {
      isMigrated = true;
      await faultSettings.refresh().catch((err: unknown) => {
        logger.warn({ err }, 'could not read the fault settings');
      });
      stopReadingFaults = faultSettings.poll();
    },
    async close() {
      stopReadingFaults();
      await pool.end();
    },
  };
}
