import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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
  adminToken?: string;
  /** Extra env for every logic replica (e.g. FAULT_RATE) and for the frontend. */
  logicEnv?: Record<string, string>;
  frontendEnv?: Record<string, string>;
  onLine: LineSink;
  readyTimeoutMs?: number;
}

export interface LocalSystem {
  frontendUrl: string;
  logicUrls: string[];
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
  typeof record.port === 'number' && /listening|ready/.test(String(record.msg));

/** Polls GET url until it answers 200, or fails naming what it waited for. */
export async function waitUntilReady(url: string, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${what} was not ready at ${url} within ${timeoutMs} ms (last: ${last})`);
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
  const quietEnv = { SHUTDOWN_DRAIN_MS: '300', SHUTDOWN_TIMEOUT_MS: '8000' };

  async function launch(child: ManagedChild, portEnv: string, port: number): Promise<number> {
    child.start({ [portEnv]: String(port) });
    const ready = child.waitForLog(isListening, readyTimeoutMs);
    started.push(child);
    const record = await ready;
    ports.set(child, record.port as number);
    return record.port as number;
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
        options.onLine,
      );
      database = db;
      const port = await launch(db, 'EMBEDDED_DB_PORT', options.embeddedDbPort ?? 0);
      databaseUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
      const relaunch = async () => void (await launch(db, 'EMBEDDED_DB_PORT', port));
      supervisor = superviseDatabase({ child: db, fatalFile, relaunch, onLine: options.onLine });
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
          options.onLine,
        ),
    );
    const logicPorts = await Promise.all(
      logic.map((child, i) =>
        launch(child, 'PORT', options.logicBasePort === 0 ? 0 : options.logicBasePort + i),
      ),
    );
    const logicUrls = logicPorts.map((port) => `http://127.0.0.1:${port}`);
    await Promise.all(
      logicUrls.map((url, i) => waitUntilReady(`${url}/readyz`, readyTimeoutMs, `logic-${i + 1}`)),
    );

    const frontend = new ManagedChild(
      {
        label: 'frontend',
        entry: 'src/frontend/main.ts',
        env: {
          ...quietEnv,
          LOGIC_URL: logicUrls.join(','),
          POD_NAME: 'frontend',
          ...options.frontendEnv,
        },
      },
      options.onLine,
    );
    const frontendPort = await launch(frontend, 'PORT', options.frontendPort);
    const frontendUrl = `http://127.0.0.1:${frontendPort}`;
    await waitUntilReady(`${frontendUrl}/readyz`, readyTimeoutMs, 'frontend');

    return {
      frontendUrl,
      logicUrls,
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
        await launch(child, portEnv, port);
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
    await Promise.all(started.map((child) => child.kill()));
    throw error;
  }
}
