import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalSystem } from '../../local/system.ts';
import { NO_FAULTS } from '../../shared/admin-api.ts';
import { AdminClient } from '../../shared/admin-client.ts';
import { answersReady } from '../../shared/wait.ts';
import type { ReplicaIdentity } from '../core/model.ts';
import { databaseAnswers, readFrontendCounts, readIdentity } from './observe.ts';
import type { ChaosTarget, DatabaseControl } from './target.ts';

/** What the parts of the local target share: the processes, the admin token, the waits. */
export interface Local {
  system: LocalSystem;
  token: string;
  retry: <T>(what: string, timeoutMs: number, fn: () => Promise<T>) => Promise<T>;
  anyLogicUrl: () => string;
  allLogicReady: () => Promise<void>;
}

/** Which processes serve, and whether they are ready. */
export function healthChecks({ system }: Local) {
  return {
    /** What each replica that answers says it is: a killed one is left out. */
    async logicIdentities() {
      const read = await Promise.allSettled(system.logicUrls.map((url) => readIdentity(url)));
      return read.flatMap((r): ReplicaIdentity[] => (r.status === 'fulfilled' ? [r.value] : []));
    },

    frontendCounts: () => readFrontendCounts(system.metricsUrls.frontend),

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
export function faultActions({ system }: Local) {
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
  } satisfies Partial<ChaosTarget>;
}

/** The embedded database this target started; undefined for a PostgreSQL it did not. */
export function databaseControl({ system, allLogicReady }: Local): DatabaseControl | undefined {
  const database = system.database;
  if (!database) return undefined;
  return {
    kill: () => database.kill(),
    restore: () =>
      timed(async () => {
        await system.restart(database);
        await allLogicReady();
      }),
    reachable: () => databaseAnswers(system.databaseUrl),
  };
}

/** After a failed step, and at the end of the run. */
export function putBackActions(
  { system, token, allLogicReady }: Local,
  tempDir: string | undefined,
) {
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
      // Through each replica: every one applies a PUT it takes at once (see setFaults).
      await Promise.all(
        system.logicUrls.map((url) => new AdminClient(url, token).putFaults(NO_FAULTS)),
      );
      done.push(`faults cleared on ${system.logic.map((c) => c.spec.label).join(', ')}`);
      return done;
    },

    async close() {
      // Fault settings live in logic's database, which may be a data folder kept for the next
      // run (--data): clear them through a replica still up before everything stops.
      const faults = await clearFaultsThroughAnyReplica(system, token);
      await system.stop();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
      const parts = [
        system.database ? 'the database' : '',
        `${system.logic.length} logic replicas`,
      ];
      return [faults, `stopped ${parts.filter(Boolean).join(', ')} and the frontend it started`];
    },
  } satisfies Partial<ChaosTarget>;
}

/** Best effort, bounded: a replica may be down at the moment of an interrupt. */
async function clearFaultsThroughAnyReplica(system: LocalSystem, token: string): Promise<string> {
  const url = system.logicUrls.find((_, i) => system.logic[i]?.running);
  if (!url) return 'no logic replica up to clear the fault settings through';
  try {
    await Promise.race([
      new AdminClient(url, token).putFaults(NO_FAULTS),
      sleep(5000, undefined, { ref: false }).then(() => {
        throw new Error('no answer within 5 s');
      }),
    ]);
    return 'fault settings cleared in the database';
  } catch (error) {
    return `could not clear the fault settings: ${(error as Error).message}`;
  }
}
