import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LineSink } from '../../local/child-process.ts';
import { type LocalSystem, startLocalSystem } from '../../local/system.ts';
import type { Audit, FaultSettings } from '../../shared/admin-api.ts';
import { AdminClient } from '../../shared/admin-client.ts';
import { answersReady, type FailedAttempt, waitFor } from '../../shared/wait.ts';
import { addFaultCounts, zeroFaultCounts } from '../core/model.ts';
import { withRetry } from '../retry.ts';
import { createStockEvents } from '../stock.ts';
import {
  databaseControl,
  faultActions,
  healthChecks,
  type Local,
  putBackActions,
} from './local-actions.ts';
import type { ChaosTarget } from './target.ts';

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
    controls: { database: databaseControl(local) },
    whyNot: {
      database: 'DATABASE_URL names a PostgreSQL this runner did not start, so it cannot kill it',
      frontend: 'the local shop has one frontend process',
      networkPolicy: 'the local shop has no network policies',
    },
    ...adminCalls(local),
    ...healthChecks(local),
    ...faultActions(local),
    ...putBackActions(local, tempDir),
  };
}

/** Faults, audit and stock, through the logic replicas' admin API. */
function adminCalls({ system, token, retry, anyLogicUrl }: Local) {
  const admin = (url: string) => new AdminClient(url, token);
  return {
    /**
     * One PUT through the first replica (logic keeps the settings in its database and mixes
     * the seed with each replica's name), then a wait until every replica runs on them, so
     * the fault phase starts with all replicas faulty and their counts from zero.
     */
    async setFaults(settings: FaultSettings) {
      const [first] = system.logicUrls;
      if (!first) throw new Error('no logic replica to set faults through');
      await admin(first).putFaults(settings);
      await waitFor(
        'every logic replica to apply the fault settings',
        async () => {
          const applied = await Promise.all(system.logicUrls.map((url) => admin(url).getFaults()));
          return applied.every((a) => sameFaults(a.faults, settings)) || undefined;
        },
        { timeoutMs: 10_000, delayMs: 100 },
      );
    },

    async faultCounts() {
      let sum = zeroFaultCounts();
      for (const url of system.logicUrls)
        sum = addFaultCounts(sum, (await admin(url).getFaults()).injected.counts);
      return sum;
    },

    audit: (eventIds?: readonly string[]): Promise<Audit> =>
      retry('reading GET /admin/audit', 30_000, () => admin(anyLogicUrl()).getAudit(eventIds)),

    createEvents: (events) =>
      retry('creating events with POST /admin/events', 30_000, () =>
        createStockEvents(admin(anyLogicUrl()), events),
      ),

    archiveEvents: (ids) =>
      retry('archiving events with POST /admin/events/archive', 30_000, () =>
        admin(anyLogicUrl()).archiveEvents(ids),
      ),
  } satisfies Partial<ChaosTarget>;
}

function sameFaults(a: FaultSettings, b: FaultSettings): boolean {
  return a.rate === b.rate && a.latencyMs === b.latencyMs && a.mode === b.mode && a.seed === b.seed;
}
