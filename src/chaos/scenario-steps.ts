import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultCounts } from '../shared/admin-api.ts';
import type { RequestLog } from './core/load/request-log.ts';
import type { FrontendCounts, Stock } from './core/model.ts';
import type { ChaosOptions } from './options.ts';
import type { Progress } from './progress.ts';
import type { Scenario, ScenarioContext } from './scenarios/index.ts';
import { largeCapacity, largeEvents, seatRateBound, smallCapacity, smallEvents } from './stock.ts';
import type { ChaosTarget } from './targets/target.ts';

/** Pause between two operations of one buyer; its low end bounds the purchase rate. */
export const THINK_MS: readonly [number, number] = [100, 300];

const failure = (what: string, error: unknown) => [`${what}: ${(error as Error).message}`];

/** Large events, sized from the fastest rate measured so far (or the load's upper bound). */
export async function createLargeStock(
  stock: Stock,
  target: ChaosTarget,
  options: ChaosOptions,
  measuredSeatsPerSecond: number,
): Promise<string[]> {
  const rate = measuredSeatsPerSecond || seatRateBound(options.buyers, THINK_MS[0]);
  const scenarioMaxMs = options.beforeMs + options.faultMs + options.afterMaxMs + 120_000;
  stock.large = largeEvents(stock.prefix, largeCapacity(rate, scenarioMaxMs));
  try {
    await target.createEvents(stock.large);
    return [];
  } catch (error) {
    return failure('creating the large events', error);
  }
}

/** Small events go on sale as the fault starts, sized to sell out while it is on. */
export async function releaseSmallStock(
  scenario: Scenario,
  stock: Stock,
  measuredSeatsPerSecond: number,
  target: ChaosTarget,
  faultMs: number,
): Promise<string[]> {
  if (!scenario.buysDuringFault) return [];
  stock.small = smallEvents(stock.prefix, smallCapacity(measuredSeatsPerSecond, faultMs));
  try {
    await target.createEvents(stock.small);
    return [];
  } catch (error) {
    return failure('releasing the small events', error);
  }
}

/** Archives the scenario's stock: the next scenario's buyers never see it. */
export async function archiveStock(stock: Stock, target: ChaosTarget): Promise<string[]> {
  const ids = [...stock.large, ...stock.small].map((e) => e.id);
  try {
    if (ids.length > 0) await target.archiveEvents(ids);
    return [];
  } catch (error) {
    return failure('archiving the stock', error);
  }
}

/** After a failed step, puts the target back for the next scenario; says what it did. */
export async function restoreAfterFailure(target: ChaosTarget): Promise<string> {
  try {
    return (await target.restore()).join('; ');
  } catch (error) {
    return `restoring failed: ${(error as Error).message}`;
  }
}

/** Logic's fault counts, flat, for the report. */
export function flatCounts(injected: FaultCounts | undefined): Record<string, number> {
  if (!injected) return {};
  return {
    injectedBeforeOnOrders: injected.before.orders,
    injectedAfterCommitOnOrders: injected['after-commit'].orders,
    injectedDelayOnOrders: injected.delay.orders,
    injectedOnOtherCalls:
      injected.before.other + injected['after-commit'].other + injected.delay.other,
  };
}

/** Runs the fault steps; a failing step is recorded (and the rollback still attempted). */
export async function injectHoldRollback(
  scenario: Scenario,
  context: ScenarioContext,
  faultStart: number,
  run: { log: RequestLog; options: ChaosOptions; progress: Progress },
): Promise<string[]> {
  const errors: string[] = [];
  const enterPhase = (phase: string) => run.progress.phase(scenario.name, phase);
  const fault = run.options.withoutFault ? undefined : scenario;
  try {
    enterPhase('injecting the fault');
    context.observed.frontendAtInject = await frontendCountsOrNone(context.target);
    await fault?.inject(context);
    enterPhase('fault held');
    const left = faultStart + run.options.faultMs - run.log.now();
    if (left > 0) await sleep(left);
  } catch (error) {
    errors.push(...failure('inject', error));
  }
  try {
    enterPhase('rolling back');
    await fault?.rollback(context);
  } catch (error) {
    errors.push(...failure('rollback', error));
  }
  return errors;
}

/**
 * The frontend's counts, or undefined when its metrics cannot be read (a proof that needs
 * them then says so): reading them is observation, never a reason to stop the scenario.
 */
export async function frontendCountsOrNone(
  target: ChaosTarget,
): Promise<FrontendCounts | undefined> {
  try {
    return await target.frontendCounts();
  } catch {
    return undefined;
  }
}
