import { waitFor as poll } from '../../src/shared/wait.ts';

/**
 * Polls until `done` says yes, or fails naming what it waited for (the shared loop of
 * src/shared/wait.ts). The deadline is generous on purpose: it only bounds a broken run, it
 * never decides a passing one.
 */
export async function waitFor(
  what: string,
  done: () => boolean | Promise<boolean>,
  { timeoutMs = 30_000, intervalMs = 20 } = {},
): Promise<void> {
  await poll(what, async () => ((await done()) ? true : undefined), {
    timeoutMs,
    delayMs: intervalMs,
  });
}
