import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls until `done` says yes, or fails naming what it waited for. The deadline is generous on
 * purpose: it only bounds a broken run, it never decides a passing one.
 */
export async function waitFor(
  what: string,
  done: () => boolean | Promise<boolean>,
  { timeoutMs = 30_000, intervalMs = 20 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
