import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LineSink } from '../../local/child-process.ts';
import { type LocalSystem, startLocalSystem } from '../../local/system.ts';
import type { FailedAttempt } from '../../shared/wait.ts';
import {
  type Audit,
  addFaultCounts,
  type FaultSettings,
  NO_FAULTS,
  zeroFaultCounts,
} from '../types.ts';
import {
  answersReady,
  getAudit,
  getFaultCounts,
  postArchive,
  postEvents,
  putFaults,
  withRetry,
} from './admin-client.ts';
import { type ChaosTarget, UnsupportedOnTarget } from './target.ts';

export interface LocalTargetOptions {
  /** A real PostgreSQL; undefined starts the embedded engine (which db-down can kill). */
  databaseUrl: string | undefined;
  logicReplicas: number;
  /** Where the children's log lines go (a file in the report folder). */
  onLine: LineSink;
  frontendEnv?: Record<string, string>;
  /**
   * The embedded database's data folder, kept after the run (a second run on it starts where
   * the first ended). Undefined: a temp folder, removed at the end.
   */
  dataDir?: string | undefined;
}

const READY_TIMEOUT_MS = 60_000;

/**
 * The shop as local processes, started like `npm start` does on free ports, with the embedded
 * database in a temp data folder so its data survives a kill. Stopped by `close`.
 */
export async function createLocalTarget(options: LocalTargetOptions): Promise<ChaosTarget> {
  const keepData = options.dataDir !== undefined;
  const dataDir = options.databaseUrl
    ? undefined
    : (options.dataDir ?? (await mkdtemp(join(tmpdir(), 'flame-chaos-db-'))));
  let system: LocalSystem;
  try {
    system = await startLocalSystem({
      frontendPort: 0,
      logicReplicas: options.logicReplicas,
      logicBasePort: 0,
      databaseUrl: options.databaseUrl,
      dataDir,
      onLine: options.onLine,
      readyTimeoutMs: READY_TIMEOUT_MS,
      ...(options.frontendEnv ? { frontendEnv: options.frontendEnv } : {}),
    });
  } catch (error) {
    if (dataDir && !keepData) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return localTarget(system, keepData ? undefined : dataDir, options.onLine);
}

/** Creating twice is harmless: ids are unique per run, so "taken" means our own first try. */
const takenByUs = (error: unknown) => /answered 400.*already taken/s.test(String(error));

/** What the parts of the local target share: the processes, the admin token, the waits. */
interface Local {
  system: LocalSystem;
  token: string;
  retry: <T>(what: string, timeoutMs: number, fn: () => Promise<T>) => Promise<T>;
  anyLogicUrl: () => string;
  allLogicReady: () => Promise<void>;
}

/** `tempDir`: removed by close (undefined when the data is to be kept, or not on disk). */
function localTarget(
  system: LocalSystem,
  tempDir: string | undefined,
  onLine: LineSink,
): ChaosTarget {
  // Every failed attempt of an admin call or a readiness wait goes to system.log.
  const logAttempt = ({ what, attempt, reason, delayMs }: FailedAttempt) =>
    onLine('runner', `${what}: attempt ${attempt} failed (${reason}); next in ${delayMs} ms`);
  const retry = <T>(what: string, timeoutMs: number, fn: () => Promise<T>) =>
    withRetry(what, timeoutMs, fn, logAttempt);
  const local: Local = {
    system,
    token: system.adminToken,
    retry,
    anyLogicUrl: () => {
      const index = system.logic.findIndex((child) => child.running);
      return system.logicUrls[Math.max(index, 0)] as string;
    },
    allLogicReady: async () => {
      await retry('every logic replica to answer /readyz', READY_TIMEOUT_MS, async () => {
        const ready = await Promise.all(
          system.logicUrls.map((url) => answersReady(`${url}/readyz`)),
        );
        if (ready.includes(false)) throw new Error(`ready: ${ready.join(', ')}`);
      });
    },
  };
  return {
    name: 'local',
    shopUrl: system.frontendUrl,
    cannotRun: (scenario) => cannotRunLocally(scenario, system),
    ...adminCalls(local),
    ...healthChecks(local),
    ...faultActions(local),
    ...putBackActions(local, tempDir),
  };
}

function cannotRunLocally(scenario: string, system: LocalSystem): string | undefined {
  if (scenario === 'db-down' && !system.database) {
    return 'DATABASE_URL names a PostgreSQL this runner did not start, so it cannot kill it';
  }
  if (scenario === 'frontend-kill' || scenario === 'network-policy') {
    return 'kind only: the local shop has one frontend process and no network policies';
  }
  return undefined;
}

/** Faults, audit and stock, through the logic replicas' admin API. */
function adminCalls({ system, token, retry, anyLogicUrl }: Local) {
  return {
    async setFaults(settings: FaultSettings) {
      await Promise.all(
        system.logicUrls.map((url, i) =>
          putFaults(url, token, {
            ...settings,
            ...(settings.seed === undefined ? {} : { seed: settings.seed + i }),
          }),
        ),
      );
    },

    async faultCounts() {
      let sum = zeroFaultCounts();
      for (const url of system.logicUrls)
        sum = addFaultCounts(sum, await getFaultCounts(url, token));
      return sum;
    },

    audit: (eventIds?: readonly string[]): Promise<Audit> =>
      retry('reading GET /admin/audit', 30_000, () => getAudit(anyLogicUrl(), token, eventIds)),

    createEvents: (events) =>
      retry('creating events with POST /admin/events', 30_000, () =>
        postEvents(anyLogicUrl(), token, events).catch((error: unknown) => {
          if (!takenByUs(error)) throw error;
        }),
      ),

    archiveEvents: (ids) =>
      retry('archiving events with POST /admin/events/archive', 30_000, () =>
        postArchive(anyLogicUrl(), token, ids),
      ),
  } satisfies Partial<ChaosTarget>;
}

/** Which processes serve, and whether they are ready. */
function healthChecks({ system }: Local) {
  return {
    async logicIdentities() {
      return system.logic.map((child) => `${child.spec.label} pid ${child.pid ?? 'none'}`);
    },

    async unhealthy() {
      const parts = [
        ...system.logicUrls.map((url, i) => [`logic-${i + 1}`, url] as const),
        ['frontend', system.frontendUrl] as const,
      ];
      const down: string[] = [];
      for (const [label, url] of parts) {
        if (!(await answersReady(`${url}/readyz`))) down.push(label);
      }
      if (system.database && !system.database.running) down.push('db');
      return down.length > 0 ? `not ready: ${down.join(', ')}` : undefined;
    },

    async frontendIdentity() {
      return `frontend pid ${system.frontend.pid} ${system.frontend.running ? 'running' : 'exited'}`;
    },
  } satisfies Partial<ChaosTarget>;
}

const timed = async (work: () => Promise<void>): Promise<number> => {
  const started = Date.now();
  await work();
  return Math.round((Date.now() - started) / 10) / 100;
};

/** The faults that are processes: kill, stop and start them again. */
function faultActions({ system, allLogicReady }: Local) {
  let killedReplica = 0;
  return {
    async killLogicReplica() {
      const child = system.logic[killedReplica] ?? system.logic[0];
      if (!child) throw new Error('there is no logic replica to kill');
      await child.kill();
      return child.spec.label;
    },

    restoreLogicReplica: () =>
      timed(async () => {
        const child = system.logic[killedReplica];
        if (child) await system.restart(child);
        killedReplica = (killedReplica + 1) % system.logic.length;
      }),

    async rollingRestartLogic() {
      // system.restart sends SIGTERM (graceful drain), waits for the exit, starts it again on
      // the same port and waits until it is ready, before the next replica is touched.
      for (const child of system.logic) await system.restart(child);
    },

    async stopAllLogic() {
      await Promise.all(system.logic.map((child) => child.kill()));
    },

    startAllLogic: () =>
      timed(async () => {
        await Promise.all(system.logic.map((child) => system.restart(child)));
      }),

    async killDatabase() {
      if (!system.database)
        throw new UnsupportedOnTarget('local', 'killing a database it did not start');
      await system.database.kill();
    },

    restoreDatabase: () =>
      timed(async () => {
        if (!system.database) return;
        await system.restart(system.database);
        await allLogicReady();
      }),

    killFrontend: () => Promise.reject(new UnsupportedOnTarget('local', 'frontend-kill')),
    restoreFrontend: () => Promise.reject(new UnsupportedOnTarget('local', 'frontend-kill')),
    probeNetworkPolicy: () => Promise.reject(new UnsupportedOnTarget('local', 'network-policy')),
  } satisfies Partial<ChaosTarget>;
}

/** After a failed step, and at the end of the run. */
function putBackActions({ system, token, allLogicReady }: Local, tempDir: string | undefined) {
  return {
    async restore() {
      const done: string[] = [];
      if (system.database && !system.database.running) {
        await system.restart(system.database);
        done.push('database started again');
      }
      for (const child of system.logic) {
        if (child.running) continue;
        await system.restart(child);
        done.push(`${child.spec.label} started again`);
      }
      await allLogicReady();
      await Promise.all(system.logicUrls.map((url) => putFaults(url, token, NO_FAULTS)));
      done.push(`faults cleared on ${system.logic.map((c) => c.spec.label).join(', ')}`);
      return done;
    },

    async close() {
      // Everything it started stops, faults (held in memory) with it: nothing to put back.
      await system.stop();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
      const parts = [
        system.database ? 'the database' : '',
        `${system.logic.length} logic replicas`,
      ];
      return [`stopped ${parts.filter(Boolean).join(', ')} and the frontend it started`];
    },
  } satisfies Partial<ChaosTarget>;
}
