import type { EvidenceSummary } from './evidence.ts';
import { EMPTY_INVARIANTS } from './invariants.ts';
import type {
  Check,
  InvariantResult,
  Observations,
  OperationRecord,
  RequestRecord,
  TargetName,
  Threshold,
  Verdict,
} from './model.ts';
import type { ScenarioResult, StockReport } from './result.ts';
import {
  countOperations,
  countRequests,
  latency,
  latencyByPhase,
  successRate,
  timeline,
} from './statistics.ts';

/** What one scenario left behind: all of it for a run scenario, little for a skipped one. */
export interface ScenarioOutcome {
  /** What the report names and shows of it (the console passes its live session). */
  scenario: { name: string; summary: string; threshold: Threshold };
  target: TargetName;
  verdict: Verdict;
  /** Why it was skipped, or the steps that failed. */
  reason: string | null;
  seed: number;
  startedAt: Date;
  /** In the log's clock; all zero when skipped. */
  times: { t0: number; faultStart: number; faultEnd: number; end: number };
  checks?: Check[];
  requests?: readonly RequestRecord[];
  operations?: readonly OperationRecord[];
  invariants?: InvariantResult;
  recovery?: number | null;
  observed?: Observations;
  evidence?: EvidenceSummary;
  stock?: StockReport;
}

/** The one way a scenario's entry in report.json is made, whether it ran or was skipped. */
export function buildResult(input: ScenarioOutcome): ScenarioResult {
  const { scenario, times, requests = [], operations = [], observed = {} } = input;
  const rebase = (t: number) => t - times.t0;
  const requestCounts = countRequests(requests);
  const operationCounts = countOperations(operations);
  const overall = latency(operations);
  return {
    name: scenario.name,
    summary: scenario.summary,
    target: input.target,
    verdict: input.verdict,
    reason: input.reason,
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
    recoverySeconds: input.recovery ?? null,
    replacementReadySeconds: observed.replacementReadySeconds ?? null,
    invariants: input.invariants ?? EMPTY_INVARIANTS,
    evidence: input.evidence ?? null,
    stock: input.stock ?? null,
    checks: input.checks ?? [],
    notes: notesOf(observed),
    timeline: {
      bucketMs: 500,
      buckets:
        requests.length === 0
          ? []
          : timeline(
              requests.map((r) => ({ ...r, start: rebase(r.start), end: rebase(r.end) })),
              0,
              rebase(times.end),
              500,
            ),
    },
  };
}

/** The observations a reader of the report wants at a glance, flat. */
export function notesOf(observed: Observations): Record<string, string | number> {
  const notes: Record<string, string | number> = {};
  if (observed.kill) notes.killed = `${observed.kill.replica}@${observed.kill.bootId}`;
  if (observed.killedFrontend) notes.killed = observed.killedFrontend;
  if (observed.injectedLatencyMs !== undefined)
    notes.injectedLatencyMs = observed.injectedLatencyMs;
  if (observed.replacementReadySeconds !== undefined)
    notes.replacementReadySeconds = observed.replacementReadySeconds;
  if (observed.restored) notes.restored = observed.restored;
  const { frontendAtInject: a, frontendAtEnd: b } = observed;
  if (a && b) {
    notes.frontendFailedOrderAttempts5xx =
      b.failedOrderAttempts.status5xx - a.failedOrderAttempts.status5xx;
    notes.frontendOrderAttemptTimeouts =
      b.failedOrderAttempts.timeout - a.failedOrderAttempts.timeout;
    notes.frontendRetries = b.retries - a.retries;
  }
  return notes;
}
