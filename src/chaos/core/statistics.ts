import { requestOk } from './load/request-log.ts';
import type { OperationRecord, Phase, RequestRecord } from './model.ts';

export interface LatencySummary {
  p50: number | null;
  p99: number | null;
  count: number;
}

/** Nearest-rank percentile of a list of numbers (null when empty). */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

export function latency(operations: readonly OperationRecord[]): LatencySummary {
  const durations = operations.map((o) => o.end - o.start);
  return {
    p50: percentile(durations, 50),
    p99: percentile(durations, 99),
    count: durations.length,
  };
}

export function latencyByPhase(
  operations: readonly OperationRecord[],
): Record<Phase, LatencySummary> {
  const of = (phase: Phase) => latency(operations.filter((o) => o.phase === phase));
  return { before: of('before'), fault: of('fault'), after: of('after') };
}

export interface RequestCounts {
  total: number;
  ok: number;
  failed: number;
  /** Status (0 = no response) → count. */
  byStatus: Record<string, number>;
  /** Error code → count (failed requests and 4xx answers). */
  byCode: Record<string, number>;
}

export function countRequests(requests: readonly RequestRecord[]): RequestCounts {
  const byStatus: Record<string, number> = {};
  const byCode: Record<string, number> = {};
  let ok = 0;
  for (const r of requests) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    if (r.errorCode) byCode[r.errorCode] = (byCode[r.errorCode] ?? 0) + 1;
    if (requestOk(r)) ok++;
  }
  return { total: requests.length, ok, failed: requests.length - ok, byStatus, byCode };
}

export interface OperationCounts {
  total: number;
  ok: number;
  failed: number;
  purchases: number;
  purchasesOk: number;
  catalogReads: number;
  catalogOk: number;
}

export function countOperations(operations: readonly OperationRecord[]): OperationCounts {
  const purchases = operations.filter((o) => o.kind === 'purchase');
  const catalog = operations.filter((o) => o.kind === 'catalog');
  const ok = operations.filter((o) => o.ok).length;
  return {
    total: operations.length,
    ok,
    failed: operations.length - ok,
    purchases: purchases.length,
    purchasesOk: purchases.filter((o) => o.ok).length,
    catalogReads: catalog.length,
    catalogOk: catalog.filter((o) => o.ok).length,
  };
}

/** ok / total, or 1 when nothing was sent (a scenario with no load fails elsewhere). */
export function successRate(counts: { total: number; ok: number }): number {
  return counts.total === 0 ? 1 : counts.ok / counts.total;
}

export interface TimelineBucket {
  /** Bucket start, ms since the scenario started. */
  t: number;
  requests: number;
  failed: number;
  /** p99 latency of the requests that started in this bucket. */
  p99: number | null;
}

/** Requests per bucket (by start time) and how many of them failed, for the report's chart. */
export function timeline(
  requests: readonly RequestRecord[],
  from: number,
  to: number,
  bucketMs: number,
): TimelineBucket[] {
  const count = Math.max(1, Math.ceil((to - from) / bucketMs));
  const buckets = Array.from({ length: count }, (_, i) => ({
    t: i * bucketMs,
    durations: [] as number[],
    failed: 0,
  }));
  for (const r of requests) {
    const index = Math.floor((r.start - from) / bucketMs);
    const bucket = buckets[Math.min(Math.max(index, 0), count - 1)];
    if (!bucket) continue;
    bucket.durations.push(r.end - r.start);
    if (!requestOk(r)) bucket.failed++;
  }
  return buckets.map((b) => ({
    t: b.t,
    requests: b.durations.length,
    failed: b.failed,
    p99: percentile(b.durations, 99),
  }));
}

/** Healthy: a definite answer that did not come from the frontend's stale fallback. */
export function healthy(operation: OperationRecord): boolean {
  return operation.ok && !operation.stale;
}

/**
 * Seconds from the end of the fault until steady state: the moment after which every
 * operation was healthy (the end of the last unhealthy one, or the fault's end if none came
 * after it), confirmed by a healthy purchase after it. Null when it never got there.
 */
export function recoverySeconds(
  operations: readonly OperationRecord[],
  faultEnd: number,
): number | null {
  let recoveredAt = faultEnd;
  for (const o of operations) {
    if (!healthy(o) && o.end > recoveredAt) recoveredAt = o.end;
  }
  const purchases = operations.some((o) => o.kind === 'purchase');
  const confirmed = operations.some(
    (o) => healthy(o) && o.start >= recoveredAt && (o.kind === 'purchase' || !purchases),
  );
  if (!confirmed) return null;
  return Math.round((recoveredAt - faultEnd) / 10) / 100;
}

/** A rate as a percentage with two decimals, rounded down: 0.99996 is "99.99%", never 100. */
export function percent(rate: number): string {
  return `${(Math.floor(rate * 10000) / 100).toFixed(2)}%`;
}
