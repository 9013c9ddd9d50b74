import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PORT_IN_USE } from '../shared/listen.ts';
import { TimedOut, waitFor } from '../shared/wait.ts';
import { type LineSink, ManagedChild } from './child-process.ts';
import { superviseDatabase } from './database-supervisor.ts';

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

const isListening = (record: Record<string, unknown>) =>
  typeof record.port === 'number' &&
  record.code !== PORT_IN_USE &&
  /\b(listening|ready)\b/.test(String(record.msg));

/** Polls GET url until it answers 200, or fails naming what it waited for. */
export async function waitUntilReady(
  url: string,
  timeoutMs: number,
  what: string,
  signal?: AbortSignal,
): Promise<void> {
  let last = 'no answer';
  const answers = async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`status ${response.status}`);
    return true;
  };
  await waitFor(`${what} at ${url}`, answers, {
    timeoutMs,
    delayMs: 100,
    onRetry: ({ reason }) => {
      last = reason;
    },
    ...(signal ? { signal } : {}),
  }).catch((error: unknown) => {
    if (!(error instanceof TimedOut)) throw error;
    throw new Error(`${what} was not ready at ${url} within ${timeoutMs} ms (last: ${last})`);
  });
}

/** The variable of `npm start` that sets each child's port (logic replicas count up from it). */
function portVariable(label: string): string {
  if (label === 'db') return 'EMBEDDED_DB_PORT';
  return label === 'frontend' ? 'PORT' : 'LOGIC_BASE_PORT';
}

/** The line a service logs once GET /metrics listens (`serveMetricsIfAsked`). */
const isServingMetrics = (record: Record<string, unknown>) =>
  typeof record.metricsPort === 'number';

/**
 * A child that exited because its port is taken says so in one fatal line naming its own
 * variable; the runner says it once, naming the variable of `npm start`, and hides the
 * child's line.
 */
function explainStartFailure(child: ManagedChild, error: unknown): unknown {
  const fatal = child.lastFatal;
  if (fatal?.code !== PORT_IN_USE) return error;
  const variable =
    fatal.variable === 'METRICS_PORT' ? 'METRICS_BASE_PORT' : portVariable(child.spec.label);
  return new Error(
    `${child.spec.label} cannot listen: port ${fatal.port} is already in use; stop what runs there, or set ${variable} to another port`,
  );
}
const withoutPortInUseLines =
  (sink: LineSink): LineSink =>
  (label, line) => {
    if (!line.includes(`"code":"${PORT_IN_USE}"`)) sink(label, line);
  };

/** Resolves like `work`, or rejects as soon as `signal` aborts. */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Stops children newest first (the frontend before logic before the database). */
async function stopNewestFirst(children: ManagedChild[]): Promise<void> {
  for (const child of [...children].reverse()) await child.stop();
}

/**
 * The whole shop as local processes: the embedded database (unless a DATABASE_URL is given),
 * N logic replicas and the frontend. Used by `npm start`, the chaos runner and the benchmarks.
 */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const adminToken = options.adminToken ?? randomBytes(24).toString('hex');
  const started: ManagedChild[] = [];
  const ports = new Map<ManagedChild, number>();
  const metricsPorts = new Map<ManagedChild, number>();
  const quietEnv = { SHUTDOWN_DRAIN_MS: '300', SHUTDOWN_TIMEOUT_MS: '8000' };
  const { signal } = options;
  const onLine = withoutPortInUseLines(options.onLine);
  const ready = (url: string, what: string) => waitUntilReady(url, readyTimeoutMs, what, signal);

  /** Starts a child on `port`; with `metricsPort`, also waits for its metrics listener. */
  async function launch(
    child: ManagedChild,
    portEnv: string,
    port: number,
    metricsPort?: number,
  ): Promise<number> {
    signal?.throwIfAborted();
    const metricsEnv: Record<string, string> =
      metricsPort === undefined ? {} : { METRICS_PORT: String(metricsPort) };
    child.start({ [portEnv]: String(port), ...metricsEnv });
    const listening = child.waitForLog(isListening, readyTimeoutMs);
    const metrics =
      metricsPort === undefined ? undefined : child.waitForLog(isServingMetrics, readyTimeoutMs);
    metrics?.catch(() => undefined); // awaited below, after the API's line
    started.push(child);
    try {
      const record = await unlessAborted(listening, signal);
      ports.set(child, record.port as number);
      if (metrics)
        metricsPorts.set(child, (await unlessAborted(metrics, signal)).metricsPort as number);
      return record.port as number;
    } catch (error) {
      throw explainStartFailure(child, error);
    }
  }

  try {
    let database: ManagedChild | undefined;
    let supervisor: ReturnType<typeof superviseDatabase> | undefined;
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      const fatalFile = join(tmpdir(), `flame-db-fatal-${randomBytes(6).toString('hex')}`);
      const db = new ManagedChild(
        {
          label: 'db',
          entry: 'src/local/embedded-db-main.ts',
          env: { EMBEDDED_DB_DIR: options.dataDir ?? '', EMBEDDED_DB_FATAL_FILE: fatalFile },
        },
        onLine,
      );
      database = db;
      const port = await launch(db, 'EMBEDDED_DB_PORT', options.embeddedDbPort ?? 0);
      databaseUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
      const relaunch = async () => void (await launch(db, 'EMBEDDED_DB_PORT', port));
      supervisor = superviseDatabase({ child: db, fatalFile, relaunch, onLine });
      supervisor.watch();
    }

    const logic = Array.from(
      { length: options.logicReplicas },
      (_, i) =>
        new ManagedChild(
          {
            label: `logic-${i + 1}`,
            entry: 'src/logic/main.ts',
            env: {
              ...quietEnv,
              HOST: '127.0.0.1',
              DATABASE_URL: databaseUrl,
              ADMIN_TOKEN: adminToken,
              POD_NAME: `logic-${i + 1}`,
              // Two pools share the embedded engine's one session; keep them small.
              DB_POOL_MAX: options.databaseUrl ? '10' : '5',
              ...options.logicEnv,
            },
          },
          onLine,
        ),
    );
    const metricsBase = options.metricsBasePort ?? 0;
    const logicPorts = await Promise.all(
      logic.map((child, i) =>
        launch(
          child,
          'PORT',
          options.logicBasePort === 0 ? 0 : options.logicBasePort + i,
          metricsBase === 0 ? 0 : metricsBase + 1 + i,
        ),
      ),
    );
    const logicUrls = logicPorts.map((port) => `http://127.0.0.1:${port}`);
    await Promise.all(logicUrls.map((url, i) => ready(`${url}/readyz`, `logic-${i + 1}`)));

    const frontend = new ManagedChild(
      {
        label: 'frontend',
        entry: 'src/frontend/main.ts',
        env: {
          ...quietEnv,
          HOST: options.frontendHost ?? '127.0.0.1',
          LOGIC_URL: logicUrls.join(','),
          ADMIN_TOKEN: adminToken,
          POD_NAME: 'frontend',
          ...options.frontendEnv,
        },
      },
      onLine,
    );
    const frontendPort = await launch(frontend, 'PORT', options.frontendPort, metricsBase);
    const frontendUrl = `http://127.0.0.1:${frontendPort}`;
    await ready(`${frontendUrl}/readyz`, 'frontend');

    const metricsUrl = (child: ManagedChild) =>
      `http://127.0.0.1:${metricsPorts.get(child)}/metrics`;
    return {
      frontendUrl,
      logicUrls,
      metricsUrls: { frontend: metricsUrl(frontend), logic: logic.map(metricsUrl) },
      databaseUrl,
      adminToken,
      database,
      logic,
      frontend,
      async restart(child) {
        const port = ports.get(child);
        if (port === undefined) throw new Error(`${child.spec.label} was never started`);
        await child.stop();
        const portEnv = child === database ? 'EMBEDDED_DB_PORT' : 'PORT';
        await launch(child, portEnv, port, metricsPorts.get(child));
        if (child === database) supervisor?.watch();
        if (child !== database) {
          await waitUntilReady(`http://127.0.0.1:${port}/readyz`, readyTimeoutMs, child.spec.label);
        }
      },
      async stop() {
        supervisor?.stop();
        await frontend.stop();
        await Promise.all(logic.map((child) => child.stop()));
        await database?.stop();
      },
    };
  } catch (error) {
    await stopNewestFirst(started);
    throw error;
  }
}
