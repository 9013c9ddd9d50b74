import { setTimeout as sleep } from 'node:timers/promises';
import { checkInvariants, type InvariantResult } from './invariants.ts';
import { startLoadGenerator } from './load/load-generator.ts';
import type { RequestLog } from './load/request-log.ts';
import type { ChaosOptions } from './options.ts';
import type { Progress } from './progress.ts';
import type { Random } from './random.ts';
import type { ScenarioResult } from './result.ts';
import type { Check, Scenario, ScenarioContext } from './scenarios.ts';
import {
  countOperations,
  countRequests,
  latency,
  latencyByPhase,
  recoverySeconds,
  successRate,
  timeline,
} from './statistics.ts';
import type { ChaosTarget } from './targets/target.ts';
import { type Audit, NO_FAULTS } from './types.ts';
import { judge } from './verdict.ts';

export interface RunContext {
  target: ChaosTarget;
  log: RequestLog;
  options: ChaosOptions;
  progress: Progress;
  random: Random;
  attemptTimeoutMs: number;
  keyPrefix: string;
  /** Receives the database state each scenario was judged on (saved next to the report). */
  onAudit?: (scenario: string, audit: Audit) => void;
}

/** The result of a scenario that never got as far as checking invariants. */
export const EMPTY_INVARIANTS: InvariantResult = {
  oversold: 0,
  quantityMismatch: 0,
  duplicateKeys: 0,
  lostConfirmed: 0,
  orderedRejected: 0,
  committedUnconfirmed: 0,
  notCommitted: 0,
  examples: [],
};

/**
 * One scenario: steady state before → inject under load → hold → roll back → wait for steady
 * state after (bounded) → stop the load → invariants against the database → verdict.
 */
export async function runScenario(scenario: Scenario, run: RunContext): Promise<ScenarioResult> {
  const { target, log, options, progress } = run;
  const startedAt = new Date();
  log.scenario = scenario.name;
  log.phase = 'before';
  const t0 = log.now();
  const say = (phase: string) => progress.phase(scenario.name, phase);

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
    thinkMs: [100, 300],
    catalogShare: 0.2,
    browsers: 1,
    keyPrefix: run.keyPrefix,
  });
  say('steady state before');
  await sleep(options.beforeMs);

  log.phase = 'fault';
  const faultStart = log.now();
  const context: ScenarioContext = {
    target,
    seed: run.random.fork(`${scenario.name}-faults`).int(0, 2 ** 30),
    attemptTimeoutMs: run.attemptTimeoutMs,
    checks: [],
    notes: {},
    memo: {},
  };
  const stepErrors = await injectHoldRollback(scenario, context, faultStart, run);
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
  try {
    const audit = await target.audit();
    run.onAudit?.(scenario.name, audit);
    invariants = checkInvariants(audit, requests);
  } catch (error) {
    stepErrors.push(`reading the audit: ${(error as Error).message}`);
  }
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
    minFaultOperations: 5,
  });
  const requestCounts = countRequests(requests);
  const operationCounts = countOperations(operations);
  const overall = latency(operations);
  const rebase = (t: number) => t - t0;
  const replacement = context.notes.replacementReadySeconds;
  return {
    name: scenario.name,
    summary: scenario.summary,
    target: target.name,
    verdict,
    reason: stepErrors.length > 0 ? stepErrors.join('; ') : null,
    seed: context.seed,
    thresholds: scenario.threshold,
    startedAt: startedAt.toISOString(),
    phases: {
      before: { start: 0, end: rebase(faultStart) },
      fault: { start: rebase(faultStart), end: rebase(faultEnd) },
      after: { start: rebase(faultEnd), end: rebase(end) },
    },
    requests: requestCounts,
    operations: operationCounts,
    successRate: successRate(operationCounts),
    requestSuccessRate: successRate(requestCounts),
    latencyMs: { p50: overall.p50, p99: overall.p99, ...latencyByPhase(operations) },
    recoverySeconds: recovery,
    replacementReadySeconds: typeof replacement === 'number' ? replacement : null,
    invariants,
    checks,
    notes: context.notes,
    timeline: {
      bucketMs: 500,
      buckets: timeline(
        requests.map((r) => ({ ...r, start: rebase(r.start), end: rebase(r.end) })),
        0,
        rebase(end),
        500,
      ),
    },
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
    await run.target.setFaults(NO_FAULTS).catch(() => undefined);
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
