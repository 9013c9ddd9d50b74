import { createLogger } from '../shared/logger.ts';
import { startEmbeddedDatabase } from './embedded-db.ts';

// The local runner's database process. It logs one 'embedded database ready' line with the
// port, which the runner waits for. Terminal Ctrl-C reaches the whole process group: this
// process ignores SIGINT and stops on the runner's SIGTERM, after the logic replicas are gone.
const logger = createLogger({ service: 'embedded-db', replica: 'embedded-db' });
const dataDir = process.env.EMBEDDED_DB_DIR || undefined;
const port = Number(process.env.EMBEDDED_DB_PORT ?? 0);
const db = await startEmbeddedDatabase({ dataDir, port });
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
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => void stop('SIGTERM'));
// The runner went away without stopping us (it was killed): don't linger.
process.on('disconnect', () => void stop('runner gone'));
