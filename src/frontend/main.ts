import { loadOrExit } from '../shared/config.ts';
import { serve, startService } from '../shared/service.ts';
import { loadFrontendConfig } from './config.ts';
import { createFrontendService } from './service.ts';

const config = loadOrExit(() => loadFrontendConfig(process.env));
let closeMetrics = async () => {};
const { logger, shutdown } = startService('frontend', config, () => closeMetrics());
const service = createFrontendService(config, {
  logger,
  isDraining: () => shutdown.draining,
  before: [shutdown.connectionClose],
});
closeMetrics = await serve(service.app, {
  service: 'frontend',
  config,
  logger,
  shutdown,
  registry: service.metrics.registry,
  fields: { logic: config.LOGIC_URL },
});
