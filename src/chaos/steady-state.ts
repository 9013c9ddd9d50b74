import { TimedOut, waitFor } from '../shared/wait.ts';
import { confirmedByPhase } from './core/evidence.ts';
import type { RequestLog } from './core/load/request-log.ts';
import { recoverySeconds } from './core/statistics.ts';
import type { ChaosOptions } from './options.ts';
import type { ChaosTarget } from './targets/target.ts';

/**
 * Waits at least afterMinMs, then until no operation failed for steadyWindowMs and the after
 * phase confirmed the profile's N purchases (bounded by afterMaxMs). An operation still in
 * flight that began before the steady point (a purchase in its client retries) may yet fail,
 * so steadiness waits for it to finish.
 */
export async function waitForSteadyState(
  log: RequestLog,
  options: ChaosOptions,
  faultEnd: number,
): Promise<void> {
  const left = options.afterMaxMs - (log.now() - faultEnd);
  await waitFor('steady state', async () => (isSteady(log, options, faultEnd) ? true : undefined), {
    timeoutMs: Math.max(0, left),
    delayMs: 250,
  }).catch((error: unknown) => {
    // Not steady by afterMaxMs: the verdict reports it, the run goes on.
    if (!(error instanceof TimedOut)) throw error;
  });
}

function isSteady(log: RequestLog, options: ChaosOptions, faultEnd: number): boolean {
  const now = log.now();
  if (now - faultEnd < options.afterMinMs) return false;
  if (confirmedByPhase(log.requestsOf(log.scenario)).after < options.minPurchases) return false;
  const all = log.operationsOf(log.scenario);
  const recovered = recoverySeconds(
    all.filter((o) => o.end >= 0),
    faultEnd,
  );
  if (recovered === null) return false;
  const steadySince = faultEnd + recovered * 1000;
  if (all.some((o) => o.end < 0 && o.start < steadySince)) return false;
  return now - steadySince >= options.steadyWindowMs;
}

/** The target's health once things had up to ten seconds to settle (pools reconnecting). */
export async function settle(target: ChaosTarget): Promise<string | undefined> {
  let reason: string | undefined;
  try {
    await waitFor(
      'the target to be healthy',
      async () => {
        reason = await target.unhealthy();
        return reason === undefined ? true : undefined;
      },
      { timeoutMs: 10_000, delayMs: 500 },
    );
  } catch (error) {
    if (!(error instanceof TimedOut)) throw error;
  }
  return reason;
}
