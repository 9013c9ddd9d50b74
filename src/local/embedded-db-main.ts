import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { envField, loadOrExit, parseConfig } from '../shared/config.ts';
import { exitIfPortInUse } from '../shared/listen.ts';
import { createLogger } from '../shared/logger.ts';
import { shutDownWithRunner } from '../shared/shutdown.ts';
import { BatchWatchdog } from './batch-watchdog.ts';
import { startEmbeddedDatabase } from './embedded-db.ts';
import { DEFAULT_LIMITS } from './wire-limits.ts';

/** Set by the local runner (src/local/system.ts). */
const embeddedDbEnvSchema = z.object({
  /** Data folder; unset keeps the database in memory. */
  EMBEDDED_DB_DIR: z.string().optional(),
  EMBEDDED_DB_PORT: envField.port(0),
  /** A client idle inside a transaction is rolled back and disconnected after this long. */
  EMBEDDED_DB_IDLE_IN_TRANSACTION_MS: envField.milliseconds(DEFAULT_LIMITS.idleInTransactionMs),
  /** A batch running longer ends the database process (the runner restarts it). */
  EMBEDDED_DB_BATCH_MS: envField.milliseconds(DEFAULT_LIMITS.batchMs),
  /** Written before a fatal exit, so the runner can tell a crash from a kill it made. */
  EMBEDDED_DB_FATAL_FILE: z.string().optional(),
});

// The local runner's database process. It logs one 'embedded database ready' line with the
// port, which the runner waits for, and stops on the runner's SIGTERM, after the logic
// replicas are gone. On a fatal PGlite error it exits 1 at once: the session is lost, and a
// process that stays up answering FATAL to everyone is worse than one the runner restarts.
const logger = createLogger({ service: 'embedded-db', replica: 'embedded-db' });
const config = loadOrExit(() => parseConfig(embeddedDbEnvSchema, process.env));
const dataDir = config.EMBEDDED_DB_DIR;
const fatalFile = config.EMBEDDED_DB_FATAL_FILE;
const watchdog = new BatchWatchdog(config.EMBEDDED_DB_BATCH_MS, fatalFile);
const startedAt = Date.now();
const db = await startEmbeddedDatabase({
  dataDir,
  port: config.EMBEDDED_DB_PORT,
  limits: {
    idleInTransactionMs: config.EMBEDDED_DB_IDLE_IN_TRANSACTION_MS,
    batchMs: config.EMBEDDED_DB_BATCH_MS,
  },
  watchdog,
  onFatal(error) {
    // Synchronous on purpose (pino writes stdout synchronously by default): PGlite may be
    // looping inside this very callback.
    logger.fatal({ err: error, fatal: true }, 'embedded database lost its session; exiting');
    if (fatalFile) writeFileSync(fatalFile, `${error.message}\n`);
    process.exit(1);
  },
}).catch((error: unknown) =>
  exitIfPortInUse(error, { port: config.EMBEDDED_DB_PORT, variable: 'EMBEDDED_DB_PORT', logger }),
);

let stopping = false;
async function stop(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'stopping embedded database');
  await db.stop();
  await watchdog.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
// The runner went away without stopping us (it was killed), maybe while we were starting:
// don't linger.
shutDownWithRunner({ shutdown: stop }, logger);
// Only now: the runner may signal us as soon as it reads this line.
logger.info(
  {
    port: db.port,
    url: db.url,
    dataDir: dataDir ?? 'memory',
    fsync: db.durable,
    startMs: Date.now() - startedAt,
  },
  'embedded database ready',
);
