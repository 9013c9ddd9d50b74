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
  /**
   * Each attempt's own deadline; default (and at most) the time left of the whole wait. An
   * attempt still running then counts as failed: its signal aborts and the wait moves on.
   */
  attemptTimeoutMs?: number;
}

/** An attempt ran past its own deadline (WaitOptions.attemptTimeoutMs or the wait's). */
class AttemptTimedOut extends Error {
  override name = 'AttemptTimedOut';
}

/**
 * Runs one attempt with a signal that aborts at `deadlineMs` or with `outer`, and settles by
 * then even if the attempt ignores its signal: a hung attempt cannot outlive the wait.
 */
async function attemptWithin<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  deadlineMs: number,
  outer: AbortSignal | undefined,
): Promise<T> {
  const controller = new AbortController();
  const timer = Number.isFinite(deadlineMs)
    ? setTimeout(
        () => controller.abort(new AttemptTimedOut(`no answer within ${deadlineMs} ms`)),
        deadlineMs,
      )
    : undefined;
  const onOuterAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), {
      once: true,
    });
  });
  try {
    return await Promise.race([attempt(controller.signal), aborted]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * The one poll/retry loop: calls `attempt` until it returns a value other than undefined and
 * returns that value. A thrown error counts as a failed attempt (its message is the reason).
 * Each attempt gets a signal that aborts at its own deadline (never later than the wait's);
 * an attempt still running then is abandoned as failed, so the wait ends on time even if the
 * attempt hangs. After `timeoutMs`, rejects with TimedOut "Timed out after Ns waiting for
 * <what> (last attempt: <reason>)". Used by the scripts, the chaos runner, the local runner
 * and the logic service's start-up migration.
 */
export async function waitFor<T>(
  what: string,
  attempt: (signal: AbortSignal) => Promise<T | undefined>,
  { timeoutMs, delayMs = 1000, onRetry, signal, attemptTimeoutMs }: WaitOptions = {},
): Promise<T> {
  const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  for (let n = 1; ; n++) {
    signal?.throwIfAborted();
    let reason = 'not yet';
    let failure: unknown;
    try {
      const attemptDeadline = Math.min(
        Math.max(0, deadline - Date.now()),
        attemptTimeoutMs ?? Number.POSITIVE_INFINITY,
      );
      const value = await attemptWithin(attempt, attemptDeadline, signal);
      if (value !== undefined) return value;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      failure = error;
      reason = error instanceof Error ? error.message : String(error);
    }
    const left = deadline - Date.now();
    const pause = typeof delayMs === 'number' ? delayMs : delayMs(n);
    // No attempt starts at the deadline, where it would have no time to answer: the wait
    // gives up then with this attempt's reason.
    const last = left <= pause;
    if (!last) onRetry?.({ what, attempt: n, reason, error: failure, delayMs: pause });
    await sleep(
      Math.max(0, Math.min(pause, left)),
      undefined,
      signal ? { signal } : undefined,
    ).catch((error: unknown) => {
      throw signal?.aborted ? signal.reason : error;
    });
    if (last) {
      throw new TimedOut(
        `Timed out after ${formatSeconds(timeoutMs ?? 0)} waiting for ${what}` +
          (reason === 'not yet' ? '' : ` (last attempt: ${reason})`),
      );
    }
  }
}

/** Capped exponential backoff for waitFor's delayMs: base·2^n, at most maxMs. */
export function backoff(baseMs: number, maxMs: number): (attempt: number) => number {
  return (attempt) => Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
}

/**
 * One look at a readiness probe: resolves when GET url answers 200 within `timeoutMs`, else
 * rejects saying why ("status 503", or fetch's error), for a wait's last reason. The body is
 * cancelled unread, so the connection is not held open by it.
 */
export async function checkReady(url: string, timeoutMs = 1000): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`status ${response.status}`);
}

/** True when GET url answers 200 within `timeoutMs` (checkReady as a yes or no). */
export function answersReady(url: string, timeoutMs = 1000): Promise<boolean> {
  return checkReady(url, timeoutMs).then(
    () => true,
    () => false,
  );
}

export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}
