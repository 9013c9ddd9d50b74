import { resolve } from 'node:path';
import { loadLocalConfig } from '../src/local/config.ts';
import { restartCrashedServices } from '../src/local/crash-restarts.ts';
import { prettyLineSink } from '../src/local/pretty-lines.ts';
import { type LocalSystem, startLocalSystem } from '../src/local/system.ts';
import { loadOrExit } from '../src/shared/config.ts';
import { buildConsole } from './lib/console-build.ts';

// `npm start`: the whole shop on this machine, no Docker, no cluster, no database to install.
const config = loadOrExit(() => loadLocalConfig(process.env));
const onLine = prettyLineSink();
const say = (message: string) => process.stdout.write(`\n  ${message}\n`);

// Stopping is wired before anything starts: a Ctrl-C or SIGTERM while starting stops what is
// already running instead of killing only this process and orphaning the services.
const starting = new AbortController();
let system: LocalSystem | undefined;
let stopping = false;
async function stop(reason: string): Promise<void> {
  if (stopping) return; // a terminal and npm may each pass the same signal on
  stopping = true;
  if (!system) {
    say(`${reason}: stopping what has started so far…`);
    starting.abort(new Error(reason));
    return; // the start below fails, stops its children and exits
  }
  say(`${reason}: stopping the frontend, the logic replicas, then the database…`);
  await system.stop();
  say('Stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGHUP', () => void stop('SIGHUP'));
stopWhenParentGone(stop);

say(
  config.DATABASE_URL
    ? 'Starting FlameTickets on your PostgreSQL (DATABASE_URL)…'
    : `Starting FlameTickets with the embedded database (data in ${config.DATA_DIR}/)…`,
);
try {
  // The control room's browser bundle, from this checkout's sources (a second or less).
  await buildConsole();
  system = await startLocalSystem({
    frontendPort: config.PORT,
    frontendHost: config.HOST,
    logicReplicas: config.LOGIC_REPLICAS,
    logicBasePort: config.LOGIC_BASE_PORT,
    databaseUrl: config.DATABASE_URL,
    dataDir: resolve(config.DATA_DIR, 'pglite'),
    embeddedDbPort: config.EMBEDDED_DB_PORT,
    metricsBasePort: config.METRICS_BASE_PORT,
    ...(config.ADMIN_TOKEN ? { adminToken: config.ADMIN_TOKEN } : {}),
    onLine,
    signal: starting.signal,
  });
} catch (error) {
  if (starting.signal.aborted) {
    say('Stopped.');
    process.exit(0);
  }
  process.stderr.write(`\nCould not start FlameTickets: ${(error as Error).message}\n`);
  process.exit(1);
}
if (starting.signal.aborted) {
  // Stopped in the moment between the last step of the start and here: nothing saw it yet.
  await system.stop();
  say('Stopped.');
  process.exit(0);
}

const port = new URL(system.frontendUrl).port;
say(`FlameTickets is ready: http://localhost:${port}`);
say(`Control room: http://localhost:${port}/console  (admin token: ${system.adminToken})`);
say(`Logic replicas: ${system.logicUrls.join(', ')}`);
say(
  `Metrics (Prometheus text): ${[system.metricsUrls.frontend, ...system.metricsUrls.logic].join(', ')}`,
);
say('Press Ctrl-C to stop.\n');

// The embedded database has its supervisor already (system.ts): the chaos runner needs it too.
const running = system;
restartCrashedServices({
  restart: (child) => running.restart(child),
  services: [system.frontend, ...system.logic],
  say,
  isStopping: () => stopping,
});

/**
 * npm does not always pass a signal on (its shell may not), and a killed npm passes nothing:
 * when the process that started this one is gone, stop as if Ctrl-C had been pressed.
 */
function stopWhenParentGone(stopAll: (reason: string) => Promise<void>): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stopAll('parent process gone');
  }, 500).unref();
}
