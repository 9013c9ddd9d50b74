import { type FailedAttempt, formatSeconds, waitFor as poll, TimedOut } from '../shared/wait.ts';
import { ScriptError } from './shell.ts';

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between attempts (default 1000 ms). */
  intervalMs?: number;
  /** Where each failed attempt is told (the scripts: stdout; the chaos runner: system.log). */
  log?: (line: string) => void;
  /** Each attempt's own deadline (default: the time left of the wait). */
  attemptTimeoutMs?: number;
}

/** "  · a smoke purchase: attempt 3 — GET /api/events answered 503; next in 2s" */
export function attemptLine({ what, attempt, reason, delayMs }: FailedAttempt): string {
  return `  · ${what}: attempt ${attempt} — ${reason}; next in ${formatSeconds(delayMs)}`;
}

/**
 * Calls `attempt` until it returns a value other than undefined, telling `log` about each
 * attempt that did not succeed; rejects with TimedOut "Timed out after Ns waiting for <what>
 * (last attempt: …)" as a ScriptError after `timeoutMs`. The shared loop of src/shared/wait.ts:
 * each attempt gets a signal that aborts at its deadline (pass it to kubectl or fetch).
 */
export async function waitFor<T>(
  what: string,
  attempt: (signal: AbortSignal) => Promise<T | undefined>,
  { timeoutMs, intervalMs = 1000, log, attemptTimeoutMs }: WaitOptions,
): Promise<T> {
  try {
    return await poll(what, attempt, {
      timeoutMs,
      delayMs: intervalMs,
      ...(attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs }),
      ...(log ? { onRetry: (failed: FailedAttempt) => log(attemptLine(failed)) } : {}),
    });
  } catch (error) {
    // The scripts print a ScriptError's message alone: the time-out says it all.
    throw error instanceof TimedOut ? new ScriptError(error.message) : error;
  }
}

/** Where and how often a long single command reports that it is still running. */
export interface StillWaiting {
  everyMs: number;
  report(line: string): void;
}

/**
 * Runs `work` (one long command, bounded by `timeoutMs` when given, e.g. `kubectl rollout
 * status --timeout`) and reports "still waiting for <what> (20s of 300s)" every
 * `still.everyMs` until it settles, so a long wait never looks like a hang.
 */
export async function withProgress<T>(
  what: string,
  timeoutMs: number | undefined,
  still: StillWaiting,
  work: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => {
    still.report(
      `still waiting for ${what} (${Math.round((Date.now() - started) / 1000)}s` +
        `${timeoutMs === undefined ? '' : ` of ${Math.round(timeoutMs / 1000)}s`})`,
    );
  }, still.everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
