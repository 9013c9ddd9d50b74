import { sleep } from '../shared/sleep.ts';
import type { ManagedChild } from './child-process.ts';
import type { LocalSystem } from './system.ts';

/** Kubernetes' restart backoff, shortened for a laptop: 1 s, 2 s, 4 s … at most 30 s. */
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
/** A service that stayed up this long starts its backoff from the beginning again. */
const STABLE_MS = 60_000;

/**
 * Restarts a service of `npm start` that died on its own (a crash from the console, an
 * out-of-memory kill) as a kubelet restarts a container: after a growing delay, saying so.
 * The embedded database has a supervisor of its own (database-supervisor.ts).
 */
export function restartCrashedServices(deps: {
  system: LocalSystem;
  services: readonly ManagedChild[];
  say: (message: string) => void;
  isStopping: () => boolean;
}): void {
  const { system, say, isStopping } = deps;
  const watch = (child: ManagedChild, delayMs: number) => {
    const startedAt = Date.now();
    void child.exited.then(async (code) => {
      if (isStopping()) return;
      const delay = Date.now() - startedAt >= STABLE_MS ? FIRST_DELAY_MS : delayMs;
      const how = code === null ? 'was killed' : `exited with code ${code}`;
      say(`${child.spec.label} ${how}; restarting it in ${delay / 1000} s, as Kubernetes would.`);
      await sleep(delay);
      if (isStopping()) return;
      try {
        await system.restart(child);
        say(`${child.spec.label} is running again (pid ${child.pid}).`);
      } catch (error) {
        say(`${child.spec.label} did not come back: ${(error as Error).message}`);
      }
      watch(child, Math.min(MAX_DELAY_MS, delay * 2));
    });
  };
  for (const child of deps.services) watch(child, FIRST_DELAY_MS);
}
