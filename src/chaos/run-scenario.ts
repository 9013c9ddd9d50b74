import { setTimeout as sleep } from 'node:timers/promises';
import { type EvidenceSummary, seatsPerSecond, summarizeEvidence } from './evidence.ts';
import { checkInvariants, type InvariantResult } from './invariants.ts';
import { startLoadGenerator } from './load/load-generator.ts';
import type { RequestLog } from './load/request-log.ts';
import type { ChaosOptions } from './options.ts';
import type { Progress } from './progress.ts';
import type { Random } from './random.ts';
import type { ScenarioResult } from './result.ts';
import { buildResult } from './scenario-result.ts';
import type { Check, Scenario, ScenarioContext } from './scenarios.ts';
import { recoverySeconds } from './statistics.ts';
import {
  largeCapacity,
  largeEvents,
  type Stock,
  seatRateBound,
  smallCapacity,
  smallEvents,
  stockPrefix,
} from './stock.ts';
import type { ChaosTarget } from './targets/target.ts';
import type { Audit } from './types.ts';
import { judge } from './verdict.ts';

/** What the run shares between its scenarios, and with an interrupt handler. */
export interface RunState {
  /** The stock of the scenario under way, until it is archived. */
  stock: Stock | undefined;
  /** Highest seats per second confirmed in a steady phase so far (0 until measured). */
  seatsPerSecond: number;
}

export interface RunContext {
  target: ChaosTarget;
  log: RequestLog;
  options: ChaosOptions;
  progress: Progress;
  random: Random;
  attemptTimeoutMs: number;
  keyPrefix: string;
  /** Names the run's stock: `<runId>-<scenario>-large-1`. */
  runId: string;
  state: RunState;
  /** Receives the database state each scenario was judged on (saved next to the report). */
  onAudit?: (scenario: string, audit: Audit) => void;
}

/** Pause between two operations of one buyer; its low end bounds the purchase rate. */
const THINK_MS: readonly [number, number] = [100, 300];

/** The result of a scenario that never got as far as checking invariants. */
export const EMPTY_INVARIANTS: InvariantResult = {
  oversold: 0,
  quantityMismatch: 0,
  duplicateKeys: 0,
  lostConfirmed: 0,
  orderedRejected: 0,
  outcomeChanged: 0,
  committedUnconfirmed: 0,
  notCommitted: 0,
  examples: [],
};

/**
 * One scenario on its own stock: create the large events → steady state before → release the
 * small events and inject under load → hold → roll back → wait for steady state after
 * (bounded) → stop the load → invariants and evidence on the stock's events → archive them.
 */
export async function runScenario(scenario: Scenario, run: RunContext): Promise<ScenarioResult> {
  const { target, log, options } = run;
  const startedAt = new Date();
  log.scenario = scenario.name;
  log.phase = 'before';
  const t0 = log.now();
  const say = (phase: string) => run.progress.phase(scenario.name, phase);
  const stock: Stock = { prefix: stockPrefix(run.runId, scenario.name), large: [], small: [] };
  run.state.stock = stock;
  const rate = run.state.seatsPerSecond || seatRateBound(options.buyers, THINK_MS[0]);
  const scenarioMaxMs = options.beforeMs + options.faultMs + options.afterMaxMs + 120_000;
  stock.large = largeEvents(stock.prefix, largeCapacity(rate, scenarioMaxMs));
  say('creating its stock');
  await target.createEvents(stock.large);

  say('checking steady state');
  const frontendBefore = await target.frontendIdentity();
  const unhealthyBefore = await target.unhealthy();
  const load = startLoadGenerator({
    shopUrl: target.shopUrl,
    buyers: options.buyers,
    log,
    random: run.random.fork(scenario.name),
    requestTimeoutMs: 15_000,
    clientRetries: 2,
    retryAfterCapMs: 2000,
    thinkMs: THINK_MS,
    catalogShare: 0.2,
    browsers: 1,
    keyPrefix: run.keyPrefix,
    eventPrefix: stock.prefix,
  });
  say('steady state before');
  await sleep(options.beforeMs);
  const measured = seatsPerSecond(log.requestsOf(scenario.name), options.beforeMs);
  run.state.seatsPerSecond = Math.max(run.state.seatsPerSecond, measured);

  log.phase = 'fault';
  const faultStart = log.now();
  const context: ScenarioContext = {
    target,
    seed: run.random.fork(`${scenario.name}-faults`).int(0, 2 ** 30),
    attemptTimeoutMs: run.attemptTimeoutMs,
    checks: [],
    notes: {},
    memo: {},
    now: () => log.now(),
    stockIds: () => [...stock.large, ...stock.small].map((e) => e.id),
  };
  const stepErrors = await releaseSmallStock(scenario, stock, measured, run);
  stepErrors.push(...(await injectHoldRollback(scenario, context, faultStart, run)));
  const faultEnd = log.now();

  log.phase = 'after';
  say('waiting for steady state');
  await waitForSteadyState(run, faultEnd);
  say('stopping the load');
  await load.stop();
  const end = log.now();

  say('checking invariants');
  const unhealthyAfter = await settle(target);
  const frontendAfter = await target.frontendIdentity();
  const requests = log.requestsOf(scenario.name);
  const operations = log.operationsOf(scenario.name);
  let invariants = EMPTY_INVARIANTS;
  let audit: Audit | undefined;
  try {
    audit = await target.audit(context.stockIds());
    run.onAudit?.(scenario.name, audit);
    invariants = checkInvariants(audit, requests);
  } catch (error) {
    stepErrors.push(`reading the audit: ${(error as Error).message}`);
  }
  const summary: EvidenceSummary = summarizeEvidence({
    requests,
    stock,
    audit,
    fault: { start: faultStart, end: faultEnd },
    t0,
    faultCounts: flatCounts(context.memo.injected),
  });
  const proofChecks = scenario.proof?.({
    requests,
    memo: context.memo,
    notes: context.notes,
    invariants,
    attemptTimeoutMs: run.attemptTimeoutMs,
  });
  stepErrors.push(...(await archiveStock(stock, run)));
  if (stepErrors.length > 0) context.notes.restored = await restoreAfterFailure(target);

  const recovery = recoverySeconds(operations, faultEnd);
  const scenarioChecks: Check[] = [...context.checks];
  if (stepErrors.length > 0) {
    scenarioChecks.push({ name: 'scenario steps ran', ok: false, detail: stepErrors.join('; ') });
  }
  const { verdict, checks } = judge({
    scenario,
    requests,
    operations,
    invariants,
    recoverySeconds: recovery,
    unhealthyBefore,
    unhealthyAfter,
    frontendBefore,
    frontendAfter,
    scenarioChecks,
    summary,
    proofChecks: proofChecks ?? [],
    minPurchases: options.minPurchases,
  });
  return buildResult({
    scenario,
    target,
    verdict,
    checks,
    stepErrors,
    seed: context.seed,
    startedAt,
    times: { t0, faultStart, faultEnd, end },
    requests,
    operations,
    invariants,
    recovery,
    notes: context.notes,
    evidence: summary,
    stock: {
      prefix: stock.prefix,
      measuredSeatsPerSecond: Math.round(measured * 10) / 10,
      large: stock.large.map((e) => ({ id: e.id, capacity: e.capacity })),
      small: stock.small.map((e) => ({ id: e.id, capacity: e.capacity })),
    },
  });
}

/** Small events go on sale as the fault starts, sized to sell out while it is on. */
async function releaseSmallStock(
  scenario: Scenario,
  stock: Stock,
  measured: number,
  run: RunContext,
): Promise<string[]> {
  if (!scenario.buysDuringFault) return [];
  stock.small = smallEvents(stock.prefix, smallCapacity(measured, run.options.faultMs));
  try {
    await run.target.createEvents(stock.small);
    return [];
  } catch (error) {
    return [`releasing the small events: ${(error as Error).message}`];
  }
}

/** Archives the scenario's stock; the next scenario's buyers never see it. */
export async function archiveStock(stock: Stock, run: RunContext): Promise<string[]> {
  const ids = [...stock.large, ...stock.small].map((e) => e.id);
  try {
    if (ids.length > 0) await run.target.archiveEvents(ids);
    run.state.stock = undefined;
    return [];
  } catch (error) {
    return [`archiving the stock: ${(error as Error).message}`];
  }
}

async function restoreAfterFailure(target: ChaosTarget): Promise<string> {
  try {
    return (await target.restore()).join('; ');
  } catch (error) {
    return `restoring failed: ${(error as Error).message}`;
  }
}

function flatCounts(injected: ScenarioContext['memo']['injected']): Record<string, number> {
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
async function injectHoldRollback(
  scenario: Scenario,
  context: ScenarioContext,
  faultStart: number,
  run: RunContext,
): Promise<string[]> {
  const errors: string[] = [];
  const say = (phase: string) => run.progress.phase(scenario.name, phase);
  try {
    say('injecting the fault');
    await scenario.inject(context);
    say('fault held');
    const left = faultStart + run.options.faultMs - run.log.now();
    if (left > 0) await sleep(left);
  } catch (error) {
    errors.push(`inject: ${(error as Error).message}`);
  }
  try {
    say('rolling back');
    await scenario.rollback(context);
  } catch (error) {
    errors.push(`rollback: ${(error as Error).message}`);
  }
  return errors;
}

/**
 * Waits at least afterMinMs, then until no operation failed for steadyWindowMs (bounded). An
 * operation still in flight that began before the steady point (a purchase in its client
 * retries) may yet fail, so steadiness waits for it to finish.
 */
async function waitForSteadyState(run: RunContext, faultEnd: number): Promise<void> {
  const { log, options } = run;
  while (log.now() - faultEnd < options.afterMaxMs) {
    await sleep(250);
    const now = log.now();
    if (now - faultEnd < options.afterMinMs) continue;
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
async function settle(target: ChaosTarget): Promise<string | undefined> {
  let reason = await target.unhealthy();
  for (let i = 0; i < 20 && reason !== undefined; i++) {
    await sleep(500);
    reason = await target.unhealthy();
  }
  return reason;
}
