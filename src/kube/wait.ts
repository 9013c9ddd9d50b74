import { setTimeout as sleep } from 'node:timers/promises';
import { ScriptError } from './run.ts';

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between attempts (default 1000 ms). */
  intervalMs?: number;
  /** Prints "still waiting for …" this often while the wait lasts (the scripts: every 10 s). */
  progress?: Progress;
}

/** Where and how often a long wait reports that it is still waiting. */
export interface Progress {
  everyMs: number;
  report(line: string): void;
}

/**
 * Calls `attempt` until it returns a value other than undefined, and returns that value.
 * Throws a ScriptError "Timed out after Ns waiting for <what>" with the last reason given
 * (a thrown error's message counts as a reason, and the attempt is retried).
 *
 * Used by the deploy smoke test and by the chaos runner's kind target.
 */
export async function waitFor<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 1000, progress }: WaitOptions,
): Promise<T> {
  if (progress) {
    return withProgress(what, timeoutMs, progress, () =>
      waitFor(what, attempt, { timeoutMs, intervalMs }),
    );
  }
  const deadline = Date.now() + timeoutMs;
  let lastReason = '';
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
      lastReason = '';
    } catch (error) {
      lastReason = error instanceof Error ? error.message : String(error);
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new ScriptError(
        `Timed out after ${formatSeconds(timeoutMs)} waiting for ${what}` +
          (lastReason ? ` (last attempt: ${lastReason})` : ''),
      );
    }
    await sleep(Math.min(intervalMs, left));
  }
}

export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

/**
 * Runs `work` (a wait, bounded by `timeoutMs` when given, e.g. `kubectl rollout status
 * --timeout`) and reports "still waiting for <what> (20s of 300s)" every `progress.everyMs` until it settles,
 * so a long wait never looks like a hang.
 */
export async function withProgress<T>(
  what: string,
  timeoutMs: number | undefined,
  progress: Progress,
  work: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => {
    progress.report(
      `still waiting for ${what} (${Math.round((Date.now() - started) / 1000)}s` +
        `${timeoutMs === undefined ? '' : ` of ${Math.round(timeoutMs / 1000)}s`})`,
    );
  }, progress.everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
