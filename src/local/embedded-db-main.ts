import { z } from 'zod';
import { envField, loadOrExit, parseConfig } from '../shared/config.ts';
import { exitIfPortInUse } from '../shared/listen.ts';
import { createLogger } from '../shared/logger.ts';
import { shutDownWithRunner } from '../shared/shutdown.ts';
import { startEmbeddedDatabase } from './embedded-db.ts';

/** Set by the local runner (src/local/system.ts). */
const embeddedDbEnvSchema = z.object({
  /** Data folder; unset keeps the database in memory. */
  EMBEDDED_DB_DIR: z.string().optional(),
  EMBEDDED_DB_PORT: envField.port(0),
});

// The local runner's database process. It logs one 'embedded database ready' line with the
// port, which the runner waits for, and stops on the runner's SIGTERM, after the logic
// replicas are gone.
const logger = createLogger({ service: 'embedded-db', replica: 'embedded-db' });
const config = loadOrExit(() => parseConfig(embeddedDbEnvSchema, process.env));
const dataDir = config.EMBEDDED_DB_DIR;
const db = await startEmbeddedDatabase({ dataDir, port: config.EMBEDDED_DB_PORT }).catch(
  (error: unknown) =>
    exitIfPortInUse(error, { port: config.EMBEDDED_DB_PORT, variable: 'EMBEDDED_DB_PORT', logger }),
);
logger.info(
  { port: db.port, url: db.url, dataDir: dataDir ?? 'memory' },
  'embedded database ready',
);

let stopping = false;
async function stop(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'stopping embedded database');
  await db.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
// The runner went away without stopping us (it was killed), maybe while we were starting:
// don't linger.
shutDownWithRunner({ shutdown: stop }, logger);
