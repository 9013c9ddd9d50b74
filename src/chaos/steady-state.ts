import { setTimeout as sleep } from 'node:timers/promises';
import { confirmedByPhase } from './evidence.ts';
import type { RequestLog } from './load/request-log.ts';
import type { ChaosOptions } from './options.ts';
import { recoverySeconds } from './statistics.ts';
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
  while (log.now() - faultEnd < options.afterMaxMs) {
    await sleep(250);
    const now = log.now();
    if (now - faultEnd < options.afterMinMs) continue;
    if (confirmedByPhase(log.requestsOf(log.scenario)).after < options.minPurchases) continue;
    const all = log.operationsOf(log.scenario);
    const recovered = recoverySeconds(
      all.filter((o) => o.end >= 0),
      faultEnd,
    );
    if (recovered === null) continue;
    const steadySince = faultEnd + recovered * 1000;
    if (all.some((o) => o.end < 0 && o.start < steadySince)) continue;
    if (now - steadySince >= options.steadyWindowMs) return;
  }
}

/** The target's health once things had a few seconds to settle (pools reconnecting). */
export async function settle(target: ChaosTarget): Promise<string | undefined> {
  let reason = await target.unhealthy();
  for (let i = 0; i < 20 && reason !== undefined; i++) {
    await sleep(500);
    reason = await target.unhealthy();
  }
  return reason;
}
