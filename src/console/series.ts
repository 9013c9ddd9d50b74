import type { RequestLog } from '../chaos/core/load/request-log.ts';
import { confirmsOrder } from '../chaos/core/model.ts';
import { percentile } from '../chaos/core/statistics.ts';

/** One value per second; null where nothing ended in that second. */
type Column = (number | null)[];

/** What the charts draw: per second of wall-clock time, by when answers arrived. */
export interface SecondSeries {
  /** Second starts, in seconds since the epoch (uPlot's time axis). */
  x: number[];
  confirmed: Column;
  /** Share (%) of the operations that ended in a second which got a definite answer. */
  successPercent: Column;
  p50: Column;
  p99: Column;
  /** Answers per second by HTTP status ("no answer" for none), and by logic replica. */
  byStatus: Map<string, Column>;
  byReplica: Map<string, Column>;
}

const statusLabel = (status: number) => (status === 0 ? 'no answer' : String(status));

function countInto(map: Map<string, Column>, key: string, index: number, length: number): void {
  let column = map.get(key);
  if (!column) {
    column = Array.from({ length }, () => 0);
    map.set(key, column);
  }
  column[index] = (column[index] ?? 0) + 1;
}

/**
 * The log's answers in whole seconds from `fromMs` to `toMs` (ms since the epoch). A purchase
 * counts as confirmed once, in the second its first confirmation arrived.
 */
export function perSecond(log: RequestLog, fromMs: number, toMs: number): SecondSeries {
  const first = Math.floor(fromMs / 1000);
  const length = Math.max(1, Math.floor(toMs / 1000) - first + 1);
  const slot = (end: number) => Math.floor((log.startedAt + end) / 1000) - first;
  const inWindow = (i: number) => i >= 0 && i < length;
  const series: SecondSeries = {
    x: Array.from({ length }, (_, i) => first + i),
    confirmed: Array.from({ length }, () => 0),
    successPercent: [],
    p50: [],
    p99: [],
    byStatus: new Map(),
    byReplica: new Map(),
  };
  const confirmedKeys = new Set<string>();
  for (const r of log.requests) {
    if (r.end < 0) continue;
    const i = slot(r.end);
    const firstConfirmation = confirmsOrder(r) && r.key !== null && !confirmedKeys.has(r.key);
    if (firstConfirmation) confirmedKeys.add(r.key as string);
    if (!inWindow(i)) continue;
    if (firstConfirmation) series.confirmed[i] = (series.confirmed[i] ?? 0) + 1;
    countInto(series.byStatus, statusLabel(r.status), i, length);
    if (r.servedBy) countInto(series.byReplica, r.servedBy, i, length);
  }
  const ended = Array.from({ length }, () => ({ ok: 0, durations: [] as number[] }));
  for (const o of log.operations) {
    const bucket = o.end >= 0 ? ended[slot(o.end)] : undefined;
    if (!bucket) continue;
    bucket.durations.push(o.end - o.start);
    if (o.ok) bucket.ok++;
  }
  for (const { ok, durations } of ended) {
    series.successPercent.push(durations.length === 0 ? null : (ok / durations.length) * 100);
    series.p50.push(percentile(durations, 50));
    series.p99.push(percentile(durations, 99));
  }
  return series;
}
