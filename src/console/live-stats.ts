import type { RequestLog } from '../chaos/core/load/request-log.ts';
import { countOperations, percentile, successRate } from '../chaos/core/statistics.ts';

/** What the console shows every second about the buyers' own experience. */
export interface LiveStats {
  operationsPerSecond: number;
  /** Share of finished operations that got a definite answer, since the buyers started. */
  successRate: number | null;
  finished: number;
  failed: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Requests by HTTP status (0 = no answer), since the buyers started. */
  byStatus: Record<string, number>;
  /** Requests answered per logic replica (x-served-by). */
  servedBy: Record<string, number>;
  staleCatalogReads: number;
  purchasesConfirmed: number;
}

/** Rates and latencies over the last few seconds: what is happening now, not on average. */
const WINDOW_MS = 5000;

function tally(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

export function liveStats(log: RequestLog): LiveStats {
  const now = log.now();
  const finished = log.operations.filter((o) => o.end >= 0);
  const recent = finished.filter((o) => o.end >= now - WINDOW_MS);
  const counts = countOperations(finished);
  const durations = recent.map((o) => o.end - o.start);
  const answered = log.requests.filter((r) => r.end >= 0);
  return {
    operationsPerSecond: Math.round((recent.length / (WINDOW_MS / 1000)) * 10) / 10,
    successRate: counts.total === 0 ? null : successRate(counts),
    finished: counts.total,
    failed: counts.failed,
    p50Ms: percentile(durations, 50),
    p99Ms: percentile(durations, 99),
    byStatus: tally(answered.map((r) => String(r.status))),
    servedBy: tally(answered.flatMap((r) => (r.servedBy ? [r.servedBy] : []))),
    staleCatalogReads: answered.filter((r) => r.kind === 'catalog' && r.stale === true).length,
    purchasesConfirmed: new Set(answered.flatMap((r) => (r.orderId ? [r.orderId] : []))).size,
  };
}
