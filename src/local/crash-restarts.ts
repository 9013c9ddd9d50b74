import { sleep } from '../shared/sleep.ts';
import type { ChildExit, ManagedChild } from './child-process.ts';

/** Kubernetes' restart backoff, shortened for a laptop: 1 s, 2 s, 4 s … at most 30 s. */
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
/** A service that stayed up this long starts its backoff from the beginning again. */
const STABLE_MS = 60_000;
/** How long a quoted log line may be in the "why it died" note. */
const QUOTED_LINE_CHARS = 200;

export interface SupervisorOptions {
  /** Starts the child again on its old ports and resolves once it is ready. */
  restart: () => Promise<void>;
  say: (message: string) => void;
  /** True once the whole shop is stopping: nothing is restarted then. */
  isStopping: () => boolean;
  /** A cause the child left behind (the database's fatal note), read once per exit. */
  cause?: () => string | undefined;
  /** Said after "<label> is running again (pid N)". */
  restartedNote?: string;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/** "was killed" / "exited with code 1": the first words of the restart line. */
function how(exit: ChildExit): string {
  return exit.code === null ? 'was killed' : `exited with code ${exit.code}`;
}

/** The message of a JSON log line, or the line itself, shortened. */
function quoted(line: string): string {
  let text = line;
  try {
    const record = JSON.parse(line) as { msg?: unknown };
    if (typeof record.msg === 'string') text = record.msg;
  } catch {
    // not JSON: quote it as it is
  }
  return text.length > QUOTED_LINE_CHARS ? `${text.slice(0, QUOTED_LINE_CHARS)}…` : text;
}

/** "\n    its last lines:\n      …", or nothing when it wrote none. */
function lastLinesOf(exit: ChildExit): string {
  const lines = exit.lastLines.map((line) => `\n      ${quoted(line)}`).join('');
  return lines ? `\n    its last lines:${lines}` : '';
}

/** Why a child died, as the runner tells it: signal or code, any cause, its last lines. */
export function whyItDied(exit: ChildExit, cause?: string): string {
  const ended = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  return `    why: ${ended}, not asked for by the runner${cause ? `; ${cause}` : ''}${lastLinesOf(exit)}`;
}

/**
 * Restarts one child every time it dies without being asked to (stop() and kill() ask), as a
 * kubelet restarts a container: whatever the signal or code, after a growing delay, saying
 * why it died. A restart that fails (the new process dies before it is ready) is retried
 * with the next delay at once, not after a readiness timeout. Call watch() after every start
 * made by someone else (a chaos restore); the supervisor re-arms itself after its own.
 */
export function superviseChild(child: ManagedChild, options: SupervisorOptions) {
  const { say, isStopping } = options;
  const label = child.spec.label;
  const firstDelayMs = options.firstDelayMs ?? FIRST_DELAY_MS;
  const maxDelayMs = options.maxDelayMs ?? MAX_DELAY_MS;
  let delayMs = firstDelayMs;
  let watched: Promise<ChildExit> | undefined;

  async function restartAfter(exit: ChildExit, cause: string | undefined, startedAt: number) {
    if (Date.now() - startedAt >= STABLE_MS) delayMs = firstDelayMs;
    let line = `${label} ${how(exit)}`;
    let why = whyItDied(exit, cause);
    for (;;) {
      say(`${line}; restarting it in ${delayMs / 1000} s, as Kubernetes would.\n${why}`);
      await sleep(delayMs);
      delayMs = Math.min(maxDelayMs, delayMs * 2);
      if (isStopping()) return;
      try {
        await options.restart();
        say(`${label} is running again (pid ${child.pid}).${options.restartedNote ?? ''}`);
        watch();
        return;
      } catch (error) {
        if (isStopping()) return;
        // Died while starting, or never became ready: stop what is left and try again.
        if (child.running) await child.stop();
        line = `${label} did not come back`;
        why = `    why: ${(error as Error).message}${lastLinesOf(await child.ended)}`;
      }
    }
  }

  function watch(): void {
    const ended = child.ended;
    if (ended === watched) return; // this run is watched already
    watched = ended;
    const startedAt = Date.now();
    void ended.then((exit) => {
      const cause = options.cause?.(); // read at every exit, so a note is never stale
      if (exit.asked || isStopping()) return;
      void restartAfter(exit, cause, startedAt);
    });
  }

  return { watch };
}

/** `npm start`: every service other than the database, restarted by superviseChild. */
export function restartCrashedServices(deps: {
  /** Starts a child again on its old ports (the local system's restart). */
  restart: (child: ManagedChild) => Promise<void>;
  services: readonly ManagedChild[];
  say: (message: string) => void;
  isStopping: () => boolean;
}): void {
  const { restart, say, isStopping } = deps;
  for (const child of deps.services) {
    superviseChild(child, { restart: () => restart(child), say, isStopping }).watch();
  }
}
