import { setTimeout as sleep } from 'node:timers/promises';

/** A wait's deadline passed. The message names what was awaited and the last reason given. */
export class TimedOut extends Error {
  override name = 'TimedOut';
}

/** One attempt that did not succeed, as a wait reports it. */
export interface FailedAttempt {
  /** What is awaited, as given to waitFor. */
  what: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** The error's message, or "not yet" when the attempt returned undefined. */
  reason: string;
  /** What the attempt threw, for a logger's `{err}`; undefined when it returned undefined. */
  error: unknown;
  /** The pause before the next attempt. */
  delayMs: number;
}

export interface WaitOptions {
  /** Give up after this long; without it, wait until `signal` aborts. */
  timeoutMs?: number;
  /** Pause after attempt n (1, 2, …): fixed, or a backoff. Default 1000 ms. */
  delayMs?: number | ((attempt: number) => number);
  /** Told about every attempt that did not succeed: every wait says what it is doing. */
  onRetry?: (attempt: FailedAttempt) => void;
  /** Ends the wait early (a shutdown): waitFor then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The one poll/retry loop: calls `attempt` until it returns a value other than undefined and
 * returns that value. A thrown error counts as a failed attempt (its message is the reason).
 * After `timeoutMs`, rejects with TimedOut "Timed out after Ns waiting for <what>
 * (last attempt: <reason>)". Used by the scripts, the chaos runner, the local runner and the
 * logic service's start-up migration.
 */
export async function waitFor<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  { timeoutMs, delayMs = 1000, onRetry, signal }: WaitOptions = {},
): Promise<T> {
  const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  for (let n = 1; ; n++) {
    signal?.throwIfAborted();
    let reason = 'not yet';
    let failure: unknown;
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      failure = error;
      reason = error instanceof Error ? error.message : String(error);
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new TimedOut(
        `Timed out after ${formatSeconds(timeoutMs ?? 0)} waiting for ${what}` +
          (reason === 'not yet' ? '' : ` (last attempt: ${reason})`),
      );
    }
    const pause = Math.min(typeof delayMs === 'number' ? delayMs : delayMs(n), left);
    onRetry?.({ what, attempt: n, reason, error: failure, delayMs: pause });
    await sleep(pause, undefined, signal ? { signal } : undefined).catch((error: unknown) => {
      throw signal?.aborted ? signal.reason : error;
    });
  }
}

/** Capped exponential backoff for waitFor's delayMs: base·2^n, at most maxMs. */
export function backoff(baseMs: number, maxMs: number): (attempt: number) => number {
  return (attempt) => Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
}

export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}
