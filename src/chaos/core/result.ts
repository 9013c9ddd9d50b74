import type { EvidenceSummary } from './evidence.ts';
import type { Check, InvariantResult, TargetName, Threshold, Verdict } from './model.ts';
import type {
  LatencySummary,
  OperationCounts,
  RequestCounts,
  TimelineBucket,
} from './statistics.ts';

/** One scenario in report.json (schema documented in docs/CHAOS.md, section report.json). */
export interface ScenarioResult {
  name: string;
  summary: string;
  target: TargetName;
  verdict: Verdict;
  /** Why the scenario was skipped, or what stopped it from running to the end. */
  reason: string | null;
  seed: number;
  thresholds: Threshold;
  /** ISO time the scenario started; the phases are ms since then. */
  startedAt: string;
  phases: { before: Span; fault: Span; after: Span };
  requests: RequestCounts;
  operations: OperationCounts;
  /** ok / total of user operations (purchases with their client retries, catalog reads). */
  successRate: number;
  /** ok / total of single HTTP requests. */
  requestSuccessRate: number;
  latencyMs: {
    p50: number | null;
    p99: number | null;
    before: LatencySummary;
    fault: LatencySummary;
    after: LatencySummary;
  };
  recoverySeconds: number | null;
  /** Local: restart until ready; kind: kill until the replacement pod was Ready. */
  replacementReadySeconds: number | null;
  invariants: InvariantResult;
  /** What the scenario shows it tested (null when skipped). */
  evidence: EvidenceSummary | null;
  /** The scenario's own events (null when skipped). */
  stock: StockReport | null;
  /** Every check; those with `evidence: true` make the verdict inconclusive when they fail. */
  checks: Check[];
  /** What the runner observed, in words and numbers for the report (from its observations). */
  notes: Record<string, string | number>;
  timeline: { bucketMs: number; buckets: TimelineBucket[] };
}

export interface StockReport {
  /** Every event id of the scenario starts with it. */
  prefix: string;
  /** Seats per second confirmed in this scenario's steady phase before the fault. */
  measuredSeatsPerSecond: number;
  large: { id: string; capacity: number }[];
  small: { id: string; capacity: number }[];
}

export interface Span {
  start: number;
  end: number;
}

export interface ChaosReport {
  schemaVersion: 2;
  tool: 'flametickets-chaos';
  target: TargetName;
  seed: number;
  /** The runner's --quick or full timings; live for a control-room session, timed by hand. */
  profile: 'quick' | 'full' | 'live';
  startedAt: string;
  finishedAt: string;
  /** pass only when every scenario passed (inconclusive and skipped are not a pass). */
  verdict: 'pass' | 'fail';
  /** Purchases each scenario had to confirm in its fault window (or before and after). */
  minPurchases: number;
  scenarios: ScenarioResult[];
}
