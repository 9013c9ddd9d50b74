import { type FailedAttempt, waitFor } from '../shared/wait.ts';

/**
 * Retries `fn` every 250 ms until it resolves or `timeoutMs` passes (then rejects with TimedOut
 * naming `what` and the last error), telling `log` about each failed attempt.
 */
export async function withRetry<T>(
  what: string,
  timeoutMs: number,
  fn: () => Promise<T>,
  log?: (attempt: FailedAttempt) => void,
): Promise<T> {
  // waitFor polls for a defined value: a void result counts as done.
  const { value } = await waitFor(what, async () => ({ value: await fn() }), {
    timeoutMs,
    delayMs: 250,
    ...(log ? { onRetry: log } : {}),
  });
  return value;
}
