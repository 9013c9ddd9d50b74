import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LineSink, ManagedChild } from './child-process.ts';
import { superviseDatabase } from './database-supervisor.ts';
import { Launcher, stopNewestFirst, withoutPortInUseLines } from './launch.ts';

export interface LocalSystemOptions {
  /** Frontend port; 0 picks a free one. */
  frontendPort: number;
  logicReplicas: number;
  /** Port of the first replica (the next ones count up); 0 gives each a free port. */
  logicBasePort: number;
  /** A real PostgreSQL; when absent the embedded engine is started. */
  databaseUrl?: string | undefined;
  /** Embedded engine's data folder; undefined keeps it in memory. */
  dataDir?: string | undefined;
  embeddedDbPort?: number;
  /**
   * METRICS_PORT of the frontend; logic replica i gets this + 1 + i. 0 or unset gives each a
   * free port (the chaos runner, the benchmarks and tests run side by side).
   */
  metricsBasePort?: number;
  adminToken?: string;
  /** Extra env for every logic replica (e.g. FAULT_RATE) and for the frontend. */
  logicEnv?: Record<string, string>;
  frontendEnv?: Record<string, string>;
  /** Interface the frontend binds; 127.0.0.1 (this machine only) unless set. */
  frontendHost?: string | undefined;
  onLine: LineSink;
  readyTimeoutMs?: number;
  /** Aborting (a signal while starting) stops whatever was started and rejects. */
  signal?: AbortSignal;
}

export interface LocalSystem {
  frontendUrl: string;
  logicUrls: string[];
  /** GET /metrics of the frontend and of each logic replica (docs/METRICS.md). */
  metricsUrls: { frontend: string; logic: string[] };
  databaseUrl: string;
  adminToken: string;
  database: ManagedChild | undefined;
  logic: ManagedChild[];
  frontend: ManagedChild;
  /** Starts a stopped or killed child again on its old port and waits until it is ready. */
  restart(child: ManagedChild): Promise<void>;
  /** Frontend first, then logic, then the database: nothing is cut off mid-request. */
  stop(): Promise<void>;
}

/** Short drains: nobody waits on a laptop's endpoints to update. */
const QUIET_SHUTDOWN = { SHUTDOWN_DRAIN_MS: '300', SHUTDOWN_TIMEOUT_MS: '8000' };

interface EmbeddedDatabase {
  child: ManagedChild;
  url: string;
  supervisor: ReturnType<typeof superviseDatabase>;
}

/** The embedded engine on its port, watched by its supervisor (restarted whenever it dies unasked). */
async function startEmbedded(
  launcher: Launcher,
  options: LocalSystemOptions,
  onLine: LineSink,
): Promise<EmbeddedDatabase> {
  const fatalFile = join(tmpdir(), `flame-db-fatal-${randomBytes(6).toString('hex')}`);
  const child = new ManagedChild(
    {
      label: 'db',
      entry: 'src/local/embedded-db-main.ts',
      env: { EMBEDDED_DB_DIR: options.dataDir ?? '', EMBEDDED_DB_FATAL_FILE: fatalFile },
    },
    onLine,
  );
  const port = await launcher.launch(child, 'EMBEDDED_DB_PORT', options.embeddedDbPort ?? 0);
  const relaunch = async () => void (await launcher.launch(child, 'EMBEDDED_DB_PORT', port));
  const supervisor = superviseDatabase({ child, fatalFile, relaunch, onLine });
  supervisor.watch();
  return { child, url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, supervisor };
}

/** N logic replicas on consecutive ports (or free ones), each ready before this returns. */
async function startLogicReplicas(
  launcher: Launcher,
  options: LocalSystemOptions,
  env: { databaseUrl: string; adminToken: string; onLine: LineSink },
): Promise<{ children: ManagedChild[]; urls: string[] }> {
  const children = Array.from(
    { length: options.logicReplicas },
    (_, i) =>
      new ManagedChild(
        {
          label: `logic-${i + 1}`,
          entry: 'src/logic/main.ts',
          env: {
            ...QUIET_SHUTDOWN,
            HOST: '127.0.0.1',
            DATABASE_URL: env.databaseUrl,
            ADMIN_TOKEN: env.adminToken,
            POD_NAME: `logic-${i + 1}`,
            // Two pools share the embedded engine's one session; keep them small.
            DB_POOL_MAX: options.databaseUrl ? '10' : '5',
            ...options.logicEnv,
          },
        },
        env.onLine,
      ),
  );
  const metricsBase = options.metricsBasePort ?? 0;
  const ports = await Promise.all(
    children.map((child, i) =>
      launcher.launch(
        child,
        'PORT',
        options.logicBasePort === 0 ? 0 : options.logicBasePort + i,
        metricsBase === 0 ? 0 : metricsBase + 1 + i,
      ),
    ),
  );
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  await Promise.all(
    urls.map((url, i) => launcher.ready(`${url}/readyz`, `logic-${i + 1}`, children[i])),
  );
  return { children, urls };
}

/** The frontend in front of the replicas, ready before this returns. */
async function startFrontendChild(
  launcher: Launcher,
  options: LocalSystemOptions,
  env: { logicUrls: string[]; adminToken: string; onLine: LineSink },
): Promise<{ child: ManagedChild; url: string }> {
  const child = new ManagedChild(
    {
      label: 'frontend',
      entry: 'src/frontend/main.ts',
      env: {
        ...QUIET_SHUTDOWN,
        HOST: options.frontendHost ?? '127.0.0.1',
        LOGIC_URL: env.logicUrls.join(','),
        ADMIN_TOKEN: env.adminToken,
        POD_NAME: 'frontend',
        ...options.frontendEnv,
      },
    },
    env.onLine,
  );
  const port = await launcher.launch(
    child,
    'PORT',
    options.frontendPort,
    options.metricsBasePort ?? 0,
  );
  const url = `http://127.0.0.1:${port}`;
  await launcher.ready(`${url}/readyz`, 'frontend', child);
  return { child, url };
}

/**
 * The whole shop as local processes: the embedded database (unless a DATABASE_URL is given),
 * N logic replicas and the frontend. Used by `npm start`, the chaos runner and the benchmarks.
 */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const launcher = new Launcher(options);
  const adminToken = options.adminToken ?? randomBytes(24).toString('hex');
  const onLine = withoutPortInUseLines(options.onLine);
  try {
    const embedded = options.databaseUrl
      ? undefined
      : await startEmbedded(launcher, options, onLine);
    const databaseUrl = options.databaseUrl ?? (embedded as EmbeddedDatabase).url;
    const logic = await startLogicReplicas(launcher, options, { databaseUrl, adminToken, onLine });
    const frontend = await startFrontendChild(launcher, options, {
      logicUrls: logic.urls,
      adminToken,
      onLine,
    });
    return runningSystem({ launcher, embedded, databaseUrl, adminToken, logic, frontend });
  } catch (error) {
    await stopNewestFirst(launcher.started);
    throw error;
  }
}

/** What a started shop offers: its URLs, its children, a restart of one and a stop of all. */
function runningSystem(parts: {
  launcher: Launcher;
  embedded: EmbeddedDatabase | undefined;
  databaseUrl: string;
  adminToken: string;
  logic: { children: ManagedChild[]; urls: string[] };
  frontend: { child: ManagedChild; url: string };
}): LocalSystem {
  const { launcher, embedded, logic, frontend } = parts;
  const database = embedded?.child;
  const metricsUrl = (child: ManagedChild) =>
    `http://127.0.0.1:${launcher.metricsPorts.get(child)}/metrics`;
  return {
    frontendUrl: frontend.url,
    logicUrls: logic.urls,
    metricsUrls: { frontend: metricsUrl(frontend.child), logic: logic.children.map(metricsUrl) },
    databaseUrl: parts.databaseUrl,
    adminToken: parts.adminToken,
    database,
    logic: logic.children,
    frontend: frontend.child,
    async restart(child) {
      const port = launcher.ports.get(child);
      if (port === undefined) throw new Error(`${child.spec.label} was never started`);
      await child.stop();
      const portEnv = child === database ? 'EMBEDDED_DB_PORT' : 'PORT';
      await launcher.launch(child, portEnv, port, launcher.metricsPorts.get(child));
      if (child === database) embedded?.supervisor.watch();
      else await launcher.ready(`http://127.0.0.1:${port}/readyz`, child.spec.label, child);
    },
    async stop() {
      embedded?.supervisor.stop();
      await frontend.child.stop();
      await Promise.all(logic.children.map((child) => child.stop()));
      await database?.stop();
    },
  };
}
