import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';
import { DurableNodeFS } from './durable-nodefs.ts';
import { ensureDataDir } from './embedded-data-dir.ts';
import { loadTemplate, loadTemplateFolder } from './pglite-template.ts';
import { PgliteWireServer, type WireServerOptions } from './pglite-wire-server.ts';
import { DEFAULT_LIMITS, type SessionLimits } from './wire-limits.ts';

export interface EmbeddedDatabase {
  /** postgres:// URL that pg clients connect to. */
  url: string;
  port: number;
  /** Whether commits are flushed to disk before they are acknowledged. */
  durable: boolean;
  /** fsync calls that reached the disk so far (always 0 in memory). */
  syncCount(): number;
  /** Clients waiting for the one session now: what a transaction left open holds up. */
  waitingClients(): number;
  /** Settles with the error when PGlite reports a fatal one; the session is then unusable. */
  fatal: Promise<Error>;
  /** A fresh cluster from the cached template (no initdb), or the data folder already there. */
  startedFrom: 'template' | 'existing';
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  /** Folder for the data files; omit for an in-memory database (tests). */
  dataDir?: string | undefined;
  /** 0 picks a free port, so it never clashes with a real PostgreSQL on 5432. */
  port?: number;
  host?: string;
  /** How long one client may hold the session; see wire-limits.ts. */
  limits?: Partial<SessionLimits>;
  /** Where the pre-initialised cluster is cached; see pglite-template.ts. */
  templateCacheDir?: string;
  /**
   * Flush commits to disk before acknowledging them (fsync on). Default true on disk; false
   * only to measure what it costs. In memory it is always off.
   */
  durable?: boolean;
  /** Called once when PGlite reports a fatal error (see `fatal`). */
  onFatal?: (error: Error) => void;
  /** Enforces limits.batchMs; only for a process of its own (see batch-watchdog.ts). */
  watchdog?: WireServerOptions['watchdog'];
}

/**
 * PGlite's start flags without `-F` (fsync off), and with WAL flushed by fsync(), the one
 * call DurableNodeFS makes real (fdatasync, the Linux default, is a no-op under Emscripten).
 */
function durableStartParams(): string[] {
  return [
    ...PGlite.defaultStartParams.filter((flag) => flag !== '-F'),
    '-c',
    'wal_sync_method=fsync',
  ];
}

async function openPglite(options: EmbeddedDatabaseOptions) {
  if (!options.dataDir) {
    // In memory nothing survives the process anyway: fsync stays off.
    const loadDataDir = await loadTemplate(options.templateCacheDir);
    const db = await PGlite.create({ dataDir: 'memory://', loadDataDir });
    return { db, fs: undefined, startedFrom: 'template' as const };
  }
  await mkdir(dirname(options.dataDir), { recursive: true });
  const startedFrom = await ensureDataDir(options.dataDir, () =>
    loadTemplateFolder(options.templateCacheDir),
  );
  if (options.durable === false) {
    const db = await PGlite.create({ fs: new NodeFS(options.dataDir) });
    return { db, fs: undefined, startedFrom };
  }
  const fs = new DurableNodeFS(options.dataDir);
  const db = await PGlite.create({ fs, startParams: durableStartParams() });
  return { db, fs, startedFrom };
}

/**
 * PGlite (Postgres compiled to WASM) served on the Postgres wire protocol, so the logic
 * service talks to it through `pg` exactly as it would to a real server. PGlite has one
 * session; PgliteWireServer lets clients take turns safely.
 */
export async function startEmbeddedDatabase(
  options: EmbeddedDatabaseOptions = {},
): Promise<EmbeddedDatabase> {
  const { db, fs, startedFrom } = await openPglite(options);
  const host = options.host ?? '127.0.0.1';
  let reportFatal: (error: Error) => void = () => undefined;
  const fatal = new Promise<Error>((resolve) => {
    reportFatal = resolve;
  });
  const server = new PgliteWireServer(db, {
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    onFatal: (error) => {
      reportFatal(error);
      options.onFatal?.(error);
    },
    ...(options.watchdog ? { watchdog: options.watchdog } : {}),
  });
  const port = await server.listen(options.port ?? 0, host);
  return {
    url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    port,
    durable: fs !== undefined,
    startedFrom,
    syncCount: () => fs?.syncs ?? 0,
    waitingClients: () => server.waitingClients,
    fatal,
    async stop() {
      await server.close();
      await db.close();
    },
  };
}
