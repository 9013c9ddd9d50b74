import { randomBytes } from 'node:crypto';
import { type Audit, NO_FAULTS } from '../shared/admin-api.ts';
import { RequestLog } from './core/load/request-log.ts';
import { seededRandom } from './core/random.ts';
import type { ChaosReport, ScenarioResult } from './core/result.ts';
import { buildResult } from './core/scenario-result.ts';
import type { ChaosOptions } from './options.ts';
import type { Progress } from './progress.ts';
import { type RunState, runScenario } from './run-scenario.ts';
import { SCENARIOS, type Scenario } from './scenarios/index.ts';
import { type ChaosTarget, missingControl } from './targets/target.ts';

export interface ChaosRun {
  report: ChaosReport;
  log: RequestLog;
  /** The audit each scenario was judged on, by scenario name. */
  audits: Map<string, Audit>;
}

/** The scenarios a run takes: the ones asked for, or every one the target supports. */
export function plannedScenarios(options: ChaosOptions): Scenario[] {
  if (options.scenarios.length > 0) {
    return SCENARIOS.filter((s) => options.scenarios.includes(s.name));
  }
  return SCENARIOS.filter((s) => s.targets.includes(options.target));
}

/** Runs every planned scenario against a target that is already up, in the fixed order. */
export async function runChaos(
  options: ChaosOptions,
  target: ChaosTarget,
  progress: Progress,
  attemptTimeoutMs: number,
  state: RunState = { stock: undefined, seatsPerSecond: 0 },
): Promise<ChaosRun> {
  const startedAt = new Date();
  const log = new RequestLog();
  const random = seededRandom(options.seed);
  // Unique per run, so keys and stock of two runs against one database never meet.
  const runId = `chaos-${options.seed}-${randomBytes(3).toString('hex')}`;
  const keyPrefix = runId;
  const results: ScenarioResult[] = [];
  const audits = new Map<string, Audit>();
  progress.watch(log);
  try {
    // Fault settings live in logic's database: a run killed before it could put them back
    // (SIGKILL, a lost terminal) leaves them there. Every run starts from none.
    await target.setFaults(NO_FAULTS);
    for (const scenario of plannedScenarios(options)) {
      const reason = !scenario.targets.includes(target.name)
        ? `not a ${target.name} scenario (targets: ${scenario.targets.join(', ')})`
        : missingControl(target, scenario.needs);
      if (reason) {
        results.push(skipped(scenario, target, options.seed, reason));
        progress.keep(`○ ${scenario.name}: skipped — ${reason}`);
        continue;
      }
      const result = await runScenario(scenario, {
        target,
        log,
        options,
        progress,
        random,
        attemptTimeoutMs,
        keyPrefix,
        runId,
        state,
        onAudit: (name, audit) => audits.set(name, audit),
      });
      results.push(result);
      const confirmed = result.evidence?.purchasesConfirmed;
      progress.keep(
        `${VERDICT_MARK[result.verdict]} ${scenario.name}: ${result.verdict} — ` +
          `${(result.successRate * 100).toFixed(2)}% ok of ${result.operations.total}, ` +
          `${confirmed?.fault ?? 0} purchases confirmed during the fault, ` +
          `recovery ${result.recoverySeconds ?? '—'}s`,
      );
    }
  } finally {
    progress.stop();
  }
  return {
    log,
    audits,
    report: {
      schemaVersion: 2,
      tool: 'flametickets-chaos',
      target: target.name,
      seed: options.seed,
      profile: options.quick ? 'quick' : 'full',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      verdict: results.length > 0 && results.every((r) => r.verdict === 'pass') ? 'pass' : 'fail',
      minPurchases: options.minPurchases,
      scenarios: results,
    },
  };
}

const VERDICT_MARK = { pass: '✔', fail: '✖', inconclusive: '?', skipped: '○' } as const;

/**
 * 0 all passed; 1 something failed or was inconclusive (it tested nothing: never a pass);
 * 2 nothing failed but something was skipped.
 */
export function exitCodeFor(report: ChaosReport): number {
  if (report.scenarios.some((s) => s.verdict === 'fail' || s.verdict === 'inconclusive')) return 1;
  if (report.scenarios.length === 0) return 1;
  return report.scenarios.some((s) => s.verdict === 'skipped') ? 2 : 0;
}

function skipped(
  scenario: Scenario,
  target: ChaosTarget,
  seed: number,
  reason: string,
): ScenarioResult {
  const times = { t0: 0, faultStart: 0, faultEnd: 0, end: 0 };
  return buildResult({
    scenario,
    target: target.name,
    verdict: 'skipped',
    reason,
    seed,
    startedAt: new Date(),
    times,
  });
}
