import { loadOrExit } from '../shared/config.ts';
import { createRegistry } from '../shared/metrics.ts';
import { serve, startService } from '../shared/service.ts';
import { createFrontendApp } from './app.ts';
import { loadFrontendConfig } from './config.ts';
import { LogicClient } from './logic-client.ts';
import { FrontendMetrics } from './metrics.ts';

const config = loadOrExit(() => loadFrontendConfig(process.env));
let closeMetrics = async () => {};
const { logger, shutdown } = startService('frontend', config, () => closeMetrics());
const client = new LogicClient(config, logger, undefined, new FrontendMetrics(createRegistry()));

const app = createFrontendApp({
  config,
  logger,
  client,
  isDraining: () => shutdown.draining,
  before: [shutdown.connectionClose],
});
closeMetrics = await serve(app, {
  service: 'frontend',
  config,
  logger,
  shutdown,
  registry: client.metrics.registry,
  fields: { logic: config.LOGIC_URL },
});
