import type { EvidenceSummary } from './evidence.ts';
import type { InvariantResult } from './invariants.ts';
import type { ScenarioResult, StockReport } from './result.ts';
import type { Check, Scenario } from './scenarios.ts';
import {
  countOperations,
  countRequests,
  latency,
  latencyByPhase,
  successRate,
  timeline,
} from './statistics.ts';
import type { ChaosTarget } from './targets/target.ts';
import type { OperationRecord, RequestRecord } from './types.ts';
import type { Verdict } from './verdict.ts';

/** One scenario's entry in report.json, from what the run recorded (times in the log's clock). */
export function buildResult(input: {
  /** What the report names and shows of it (the console passes its own session). */
  scenario: Pick<Scenario, 'name' | 'summary' | 'threshold'>;
  target: Pick<ChaosTarget, 'name'>;
  verdict: Verdict;
  checks: Check[];
  stepErrors: string[];
  seed: number;
  startedAt: Date;
  times: { t0: number; faultStart: number; faultEnd: number; end: number };
  requests: RequestRecord[];
  operations: OperationRecord[];
  invariants: InvariantResult;
  recovery: number | null;
  notes: Record<string, string | number>;
  evidence: EvidenceSummary;
  stock: StockReport;
}): ScenarioResult {
  const { scenario, times, requests, operations } = input;
  const rebase = (t: number) => t - times.t0;
  const requestCounts = countRequests(requests);
  const operationCounts = countOperations(operations);
  const overall = latency(operations);
  const replacement = input.notes.replacementReadySeconds;
  return {
    name: scenario.name,
    summary: scenario.summary,
    target: input.target.name,
    verdict: input.verdict,
    reason: input.stepErrors.length > 0 ? input.stepErrors.join('; ') : null,
    seed: input.seed,
    thresholds: scenario.threshold,
    startedAt: input.startedAt.toISOString(),
    phases: {
      before: { start: 0, end: rebase(times.faultStart) },
      fault: { start: rebase(times.faultStart), end: rebase(times.faultEnd) },
      after: { start: rebase(times.faultEnd), end: rebase(times.end) },
    },
    requests: requestCounts,
    operations: operationCounts,
    successRate: successRate(operationCounts),
    requestSuccessRate: successRate(requestCounts),
    latencyMs: { p50: overall.p50, p99: overall.p99, ...latencyByPhase(operations) },
    recoverySeconds: input.recovery,
    replacementReadySeconds: typeof replacement === 'number' ? replacement : null,
    invariants: input.invariants,
    evidence: input.evidence,
    stock: input.stock,
    checks: input.checks,
    notes: input.notes,
    timeline: {
      bucketMs: 500,
      buckets: timeline(
        requests.map((r) => ({ ...r, start: rebase(r.start), end: rebase(r.end) })),
        0,
        rebase(times.end),
        500,
      ),
    },
  };
}
