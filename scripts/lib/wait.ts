import { setTimeout as sleep } from 'node:timers/promises';
import { ScriptError } from './run.ts';

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between attempts (default 1000 ms). */
  intervalMs?: number;
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
  { timeoutMs, intervalMs = 1000 }: WaitOptions,
): Promise<T> {
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
