import { loadOrExit } from '../shared/config.ts';
import { exitIfPortInUse, listen } from '../shared/listen.ts';
import { createLogger } from '../shared/logger.ts';
import { createRegistry, serveMetricsIfAsked } from '../shared/metrics.ts';
import { GracefulShutdown, shutDownWithRunner } from '../shared/shutdown.ts';
import { createFrontendApp } from './app.ts';
import { loadFrontendConfig } from './config.ts';
import { LogicClient } from './logic-client.ts';
import { FrontendMetrics } from './metrics.ts';

const config = loadOrExit(() => loadFrontendConfig(process.env));
const logger = createLogger({
  service: 'frontend',
  replica: config.POD_NAME,
  level: config.LOG_LEVEL,
});
const client = new LogicClient(config, logger, undefined, new FrontendMetrics(createRegistry()));
let closeMetrics = async () => {};
const shutdown = new GracefulShutdown({
  logger,
  drainMs: config.SHUTDOWN_DRAIN_MS,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  onClosed: () => closeMetrics(),
});
shutdown.installSignalHandlers();
shutDownWithRunner(shutdown, logger);

const app = createFrontendApp({
  config,
  logger,
  client,
  isDraining: () => shutdown.draining,
  before: [shutdown.connectionClose],
});
const { server, port } = await listen(app, config.PORT, config.HOST).catch((error: unknown) =>
  exitIfPortInUse(error, { port: config.PORT, variable: 'PORT', logger }),
);
shutdown.attach(server);
logger.info({ port, logic: config.LOGIC_URL }, 'frontend listening');
closeMetrics = await serveMetricsIfAsked(client.metrics.registry, config, logger);
