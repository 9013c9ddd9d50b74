import { resolve } from 'node:path';
import { loadOrExit } from '../shared/config.ts';
import { loadLocalConfig } from './config.ts';
import { prettyLineSink } from './pretty-lines.ts';
import { startLocalSystem } from './system.ts';

// `npm start`: the whole shop on this machine, no Docker, no cluster, no database to install.
const config = loadOrExit(() => loadLocalConfig(process.env));
const onLine = prettyLineSink();
const say = (message: string) => process.stdout.write(`\n  ${message}\n`);

say(
  config.DATABASE_URL
    ? 'Starting FlameTickets on your PostgreSQL (DATABASE_URL)…'
    : `Starting FlameTickets with the embedded database (data in ${config.DATA_DIR}/)…`,
);

let system: Awaited<ReturnType<typeof startLocalSystem>>;
try {
  system = await startLocalSystem({
    frontendPort: config.PORT,
    logicReplicas: config.LOGIC_REPLICAS,
    logicBasePort: config.LOGIC_BASE_PORT,
    databaseUrl: config.DATABASE_URL,
    dataDir: resolve(config.DATA_DIR, 'pglite'),
    embeddedDbPort: config.EMBEDDED_DB_PORT,
    ...(config.ADMIN_TOKEN ? { adminToken: config.ADMIN_TOKEN } : {}),
    onLine,
  });
} catch (error) {
  process.stderr.write(`\nCould not start FlameTickets: ${(error as Error).message}\n`);
  process.exit(1);
}

say(`FlameTickets is ready: http://localhost:${new URL(system.frontendUrl).port}`);
say(`Logic replicas: ${system.logicUrls.join(', ')}  (admin token: ${system.adminToken})`);
say('Press Ctrl-C to stop.\n');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping the frontend, the logic replicas, then the database…`);
  await system.stop();
  say('Stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
for (const child of [
  system.frontend,
  ...system.logic,
  ...(system.database ? [system.database] : []),
]) {
  void child.exited.then((code) => {
    if (!stopping) say(`${child.spec.label} exited unexpectedly (code ${code}).`);
  });
}
