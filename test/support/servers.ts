import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { type FrontendConfig, loadFrontendConfig } from '../../src/frontend/config.ts';
import type { LogicClient } from '../../src/frontend/logic-client.ts';
import { createFrontendService } from '../../src/frontend/service.ts';
import { loadLogicConfig } from '../../src/logic/config.ts';
import type { Pool } from '../../src/logic/database.ts';
import type { FaultInjector } from '../../src/logic/faults.ts';
import { migrate } from '../../src/logic/migrations.ts';
import { createLogicService } from '../../src/logic/service.ts';
import type { FaultSettings } from '../../src/shared/admin-api.ts';
import { listen } from '../../src/shared/listen.ts';
import { createLogger, type Logger } from '../../src/shared/logger.ts';
import { serveMetrics } from '../../src/shared/metrics.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** Log lines captured as records, so tests can assert on what was logged. */
export class LogCapture {
  readonly records: Record<string, unknown>[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim()) this.records.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
}

function testLogger(service: 'logic' | 'frontend', replica: string, capture?: LogCapture): Logger {
  return createLogger({
    service,
    replica,
    level: capture ? 'debug' : (process.env.TEST_LOG_LEVEL ?? 'silent'),
    ...(capture ? { destination: capture.stream } : {}),
  });
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export interface RunningLogic {
  url: string;
  /** GET /metrics of this replica, on its own port as main.ts serves it. */
  metricsUrl: string;
  pool: Pool;
  faults: FaultInjector;
  close(): Promise<void>;
}

export async function startLogic(options: {
  databaseUrl: string;
  replica?: string;
  faults?: FaultSettings;
  logs?: LogCapture;
  /** 0 (default) picks a free port; pass the old port to bring a stopped replica back. */
  port?: number;
  /** Stands in for the process's death on POST /admin/crash; absent → no crash route. */
  crash?: () => void;
}): Promise<RunningLogic> {
  const replica = options.replica ?? 'logic-test';
  const logger = testLogger('logic', replica, options.logs);
  const faults = options.faults;
  const config = loadLogicConfig({
    DATABASE_URL: options.databaseUrl,
    ADMIN_TOKEN,
    POD_NAME: replica,
    ...(faults
      ? {
          FAULT_RATE: String(faults.rate),
          FAULT_LATENCY_MS: String(faults.latencyMs),
          FAULT_MODE: faults.mode,
          ...(faults.seed === undefined ? {} : { FAULT_SEED: String(faults.seed) }),
        }
      : {}),
  });
  // The same composition root as src/logic/main.ts; only listening differs (port 0, no signals).
  const service = createLogicService(config, {
    logger,
    ...(options.crash ? { crash: options.crash } : {}),
    isDraining: () => false,
  });
  await migrate(service.pool);
  await service.migrated();
  const { server, port } = await listen(service.app, options.port ?? 0, '127.0.0.1');
  const scrape = await serveMetrics(service.metrics.registry, 0, '127.0.0.1');
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${scrape.port}/metrics`,
    pool: service.pool,
    faults: service.faults,
    close() {
      closed ??= Promise.all([closeServer(server), closeServer(scrape.server)]).then(() =>
        service.close(),
      );
      return closed;
    },
  };
}

export interface RunningFrontend {
  url: string;
  /** GET /metrics of this frontend, on its own port as main.ts serves it. */
  metricsUrl: string;
  client: LogicClient;
  close(): Promise<void>;
}

export async function startFrontend(options: {
  logicUrls: string[];
  env?: Record<string, string>;
  logs?: LogCapture;
}): Promise<RunningFrontend> {
  const config: FrontendConfig = loadFrontendConfig({
    LOGIC_URL: options.logicUrls.join(','),
    POD_NAME: 'frontend-test',
    ...options.env,
  });
  const logger = testLogger('frontend', config.POD_NAME, options.logs);
  // The same composition root as src/frontend/main.ts; only listening differs (port 0, no signals).
  const service = createFrontendService(config, { logger, isDraining: () => false });
  const { server, port } = await listen(service.app, 0, '127.0.0.1');
  const scrape = await serveMetrics(service.metrics.registry, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${scrape.port}/metrics`,
    client: service.client,
    async close() {
      await Promise.all([closeServer(server), closeServer(scrape.server)]);
    },
  };
}
