import { setTimeout as sleep } from 'node:timers/promises';
import type { Audit } from '../shared/admin-api.ts';
import { seatsPerSecond, summarizeEvidence } from './core/evidence.ts';
import { checkInvariants, EMPTY_INVARIANTS } from './core/invariants.ts';
import { type LoadGenerator, startLoadGenerator } from './core/load/load-generator.ts';
import type { RequestLog } from './core/load/request-log.ts';
import type { InvariantResult, RequestRecord, Stock } from './core/model.ts';
import type { Random } from './core/random.ts';
import type { ScenarioResult } from './core/result.ts';
import { buildResult } from './core/scenario-result.ts';
import { recoverySeconds } from './core/statistics.ts';
import type { ChaosOptions } from './options.ts';
import type { Progress } from './progress.ts';
import {
  archiveStock,
  createLargeStock,
  flatCounts,
  frontendCountsOrNone,
  injectHoldRollback,
  releaseSmallStock,
  restoreAfterFailure,
  THINK_MS,
} from './scenario-steps.ts';
import type { Scenario, ScenarioContext } from './scenarios/index.ts';
import { settle, waitForSteadyState } from './steady-state.ts';
import { stockPrefix } from './stock.ts';
import type { ChaosTarget } from './targets/target.ts';
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

/** What the steps of one scenario hand to each other. */
interface Progression {
  scenario: Scenario;
  stock: Stock;
  context: ScenarioContext;
  startedAt: Date;
  stepErrors: string[];
  times: { t0: number; faultStart: number; faultEnd: number; end: number };
  measured: number;
  frontendBefore: string;
  unhealthyBefore: string | undefined;
}

/**
 * One scenario on its own stock: create the large events → steady state before → release the
 * small events and inject under load → hold → roll back → wait for steady state after
 * (bounded) → stop the load → invariants and evidence on the stock's events → archive them.
 */
export async function runScenario(scenario: Scenario, run: RunContext): Promise<ScenarioResult> {
  const { log } = run;
  log.scenario = scenario.name;
  log.phase = 'before';
  const stock: Stock = { prefix: stockPrefix(run.runId, scenario.name), large: [], small: [] };
  run.state.stock = stock;
  const p: Progression = {
    scenario,
    stock,
    context: scenarioContext(scenario, stock, run),
    startedAt: new Date(),
    stepErrors: [],
    times: { t0: log.now(), faultStart: 0, faultEnd: 0, end: 0 },
    measured: 0,
    frontendBefore: '',
    unhealthyBefore: undefined,
  };
  run.progress.phase(scenario.name, 'creating its stock');
  p.stepErrors.push(
    ...(await createLargeStock(stock, run.target, run.options, run.state.seatsPerSecond)),
  );
  p.frontendBefore = await run.target.frontendIdentity();
  p.unhealthyBefore = await run.target.unhealthy();
  const load = startLoad(run, stock.prefix);
  try {
    await underLoad(p, run);
  } finally {
    run.progress.phase(scenario.name, 'stopping the load');
    await load.stop();
  }
  p.times.end = log.now();
  return judgeScenario(p, run);
}

function scenarioContext(scenario: Scenario, stock: Stock, run: RunContext): ScenarioContext {
  return {
    target: run.target,
    seed: run.random.fork(`${scenario.name}-faults`).int(0, 2 ** 30),
    attemptTimeoutMs: run.attemptTimeoutMs,
    observed: {},
    now: () => run.log.now(),
    stockIds: () => [...stock.large, ...stock.small].map((e) => e.id),
    purchasesAnsweredBy: (replica) =>
      run.log
        .requestsOf(scenario.name)
        .filter((r) => r.kind === 'purchase' && r.servedBy === replica).length,
  };
}

function startLoad(run: RunContext, eventPrefix: string): LoadGenerator {
  return startLoadGenerator({
    shopUrl: run.target.shopUrl,
    buyers: run.options.buyers,
    log: run.log,
    random: run.random.fork(run.log.scenario),
    requestTimeoutMs: 15_000,
    clientRetries: 2,
    retryAfterCapMs: 2000,
    thinkMs: THINK_MS,
    catalogShare: 0.2,
    browsers: 1,
    keyPrefix: run.keyPrefix,
    eventPrefix,
  });
}

/** Before → fault → after, with the buyers running. */
async function underLoad(p: Progression, run: RunContext): Promise<void> {
  const { log, options, target } = run;
  const enterPhase = (phase: string) => run.progress.phase(p.scenario.name, phase);
  enterPhase('steady state before');
  await sleep(options.beforeMs);
  p.measured = seatsPerSecond(log.requestsOf(p.scenario.name), options.beforeMs);
  run.state.seatsPerSecond = Math.max(run.state.seatsPerSecond, p.measured);
  if (p.scenario.ready) {
    enterPhase('waiting until it can be tested');
    await p.scenario.ready(p.context);
  }

  log.phase = 'fault';
  p.times.faultStart = log.now();
  p.stepErrors.push(
    ...(await releaseSmallStock(p.scenario, p.stock, p.measured, target, options.faultMs)),
  );
  p.stepErrors.push(...(await injectHoldRollback(p.scenario, p.context, p.times.faultStart, run)));
  p.times.faultEnd = log.now();

  log.phase = 'after';
  enterPhase('waiting for steady state');
  await waitForSteadyState(log, options, p.times.faultEnd);
}

/** Invariants and evidence on the scenario's own events, then its stock archived. */
async function judgeScenario(p: Progression, run: RunContext): Promise<ScenarioResult> {
  const { target, log } = run;
  const { scenario, context, stepErrors, times } = p;
  run.progress.phase(scenario.name, 'checking invariants');
  const unhealthyAfter = await settle(target);
  const frontendAfter = await target.frontendIdentity();
  const observed = context.observed;
  observed.frontendAtEnd = await frontendCountsOrNone(target);
  const requests = log.requestsOf(scenario.name);
  const operations = log.operationsOf(scenario.name);
  const { audit, invariants } = await auditScenario(p, run, requests);
  const summary = summarizeEvidence({
    requests,
    stock: p.stock,
    audit,
    fault: { start: times.faultStart, end: times.faultEnd },
    t0: times.t0,
    faultCounts: flatCounts(observed.injected),
  });
  const proofChecks = scenario.proof({
    requests,
    observed,
    invariants,
    attemptTimeoutMs: run.attemptTimeoutMs,
  });
  await cleanUp(p, run);
  const recovery = recoverySeconds(operations, times.faultEnd);
  const { verdict, checks } = judge({
    scenario,
    requests,
    operations,
    invariants,
    recoverySeconds: recovery,
    unhealthyBefore: p.unhealthyBefore,
    unhealthyAfter,
    frontendBefore: p.frontendBefore,
    frontendAfter,
    stepErrors,
    summary,
    proofChecks,
    minPurchases: run.options.minPurchases,
  });
  return buildResult({
    scenario,
    target: target.name,
    verdict,
    reason: stepErrors.length > 0 ? stepErrors.join('; ') : null,
    checks,
    seed: context.seed,
    startedAt: p.startedAt,
    times,
    requests,
    operations,
    invariants,
    recovery,
    observed,
    evidence: summary,
    stock: stockSummary(p),
  });
}

/** The audit of the scenario's own events and the invariants checked on it. */
async function auditScenario(
  p: Progression,
  run: RunContext,
  requests: readonly RequestRecord[],
): Promise<{ audit: Audit | undefined; invariants: InvariantResult }> {
  try {
    const audit = await run.target.audit(p.context.stockIds());
    run.onAudit?.(p.scenario.name, audit);
    return { audit, invariants: checkInvariants(audit, requests) };
  } catch (error) {
    p.stepErrors.push(`reading the audit: ${(error as Error).message}`);
    return { audit: undefined, invariants: EMPTY_INVARIANTS };
  }
}

/** Archives the scenario's stock; after a failed step, puts the target back as it was. */
async function cleanUp(p: Progression, run: RunContext): Promise<void> {
  const archived = await archiveStock(p.stock, run.target);
  if (archived.length === 0) run.state.stock = undefined;
  p.stepErrors.push(...archived);
  if (p.stepErrors.length > 0) p.context.observed.restored = await restoreAfterFailure(run.target);
}

function stockSummary(p: Progression) {
  return {
    prefix: p.stock.prefix,
    measuredSeatsPerSecond: Math.round(p.measured * 10) / 10,
    large: p.stock.large.map((e) => ({ id: e.id, capacity: e.capacity })),
    small: p.stock.small.map((e) => ({ id: e.id, capacity: e.capacity })),
  };
}
