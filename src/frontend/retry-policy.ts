/** Statuses worth another attempt: the request may succeed on a retry or on another replica. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

export interface BackoffOptions {
  /** First step; doubles with each retry. */
  baseMs: number;
  /** Cap of one computed delay. */
  maxMs: number;
  /** Cap for a server's Retry-After, so a misbehaving server can't stall the caller. */
  retryAfterMaxMs: number;
  /** Injected for tests; defaults to Math.random. */
  random?: () => number;
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or bad. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Delay before retry number `attempt + 1`: the server's Retry-After when it gave one (capped),
 * otherwise capped exponential backoff with full jitter, which spreads retries from many
 * callers so they don't hit a recovering replica in lockstep.
 */
export function backoffDelay(
  attempt: number,
  retryAfter: string | null | undefined,
  options: BackoffOptions,
): number {
  const fromServer = parseRetryAfter(retryAfter);
  if (fromServer !== undefined) return Math.min(fromServer, options.retryAfterMaxMs);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
  return Math.round((options.random ?? Math.random)() * ceiling);
}

/** Network failures and timeouts of one attempt are retryable; the caller's deadline is not. */
export function isRetryable(input: {
  attempt: number;
  retries: number;
  status: number | undefined;
  deadline: AbortSignal;
}): boolean {
  if (input.deadline.aborted || input.attempt >= input.retries) return false;
  return input.status === undefined || RETRYABLE_STATUSES.has(input.status);
}
