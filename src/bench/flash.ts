import { startCpuMeter } from './cpu.ts';
import { auditFlash, createFlashEvent, type FlashCounts, retireFlashEvent } from './flash-audit.ts';
import {
  type Buyers,
  httpBuyers,
  type Purchase,
  sellOut,
  statementBuyers,
} from './flash-buyers.ts';
import type { OnProgress } from './groups.ts';
import type { FlashShape } from './profiles.ts';
import { median, round } from './stats.ts';

/** One sell-out as the buyers saw it, with the database's verdict. */
export interface FlashSample {
  purchasesPerSec: number;
  seatsPerSec: number;
  soldOutMs: number;
  latencyMs: { p50: number; p99: number; max: number };
  correct: boolean;
  counts: FlashCounts;
  failures: string[];
  cpu: FlashCpu;
}

/** Where the time went: CPU ms per purchase sold, per process, and how busy the machine was. */
export interface FlashCpu {
  msPerPurchase: Record<string, number>;
  machineBusy: number | null;
}

/** The processes whose CPU a sell-out is charged with. */
export interface FlashProcesses {
  pids: ReadonlyMap<string, number | undefined>;
  /** Real PostgreSQL: its server processes are found by name (the embedded one is in pids). */
  postgres: boolean;
}

export interface FlashVariantResult {
  name: string;
  buyers: number;
  capacity: number;
  runs: number;
  /** Medians over the runs (max latency: the worst run). */
  purchasesPerSec: number;
  seatsPerSec: number;
  soldOutMs: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Median over the runs of orders per writing transaction, from the rows' xmin. */
  ordersPerCommit: number;
  /** Medians over the runs. */
  cpu: FlashCpu;
}

export interface FlashReport {
  /** Every run of every variant passed its correctness check. */
  correct: boolean;
  /** Summed over every run of every variant. */
  counts: FlashCounts & { runs: number };
  failures: string[];
  results: FlashVariantResult[];
}

/** A way to buy: over HTTP to a service, or the bare statement from this process. */
export interface FlashVariant {
  name: string;
  buyers: (shape: FlashShape) => Buyers;
}

export const httpVariant = (name: string, url: string): FlashVariant => ({
  name,
  buyers: (shape) => httpBuyers(url, shape.buyers),
});

export const statementVariant = (name: string, databaseUrl: string): FlashVariant => ({
  name,
  buyers: (shape) => statementBuyers(databaseUrl, shape.statementConnections),
});

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function sampleOf(
  purchases: Purchase[],
  soldOutMs: number,
): Omit<FlashSample, 'correct' | 'counts' | 'failures' | 'cpu'> {
  const latencies = purchases.map((p) => p.latencyMs).sort((a, b) => a - b);
  const sold = purchases.filter((p) => p.status === 201);
  const seconds = soldOutMs / 1000;
  return {
    purchasesPerSec: round(sold.length / seconds),
    seatsPerSec: round(sold.reduce((sum, p) => sum + p.quantity, 0) / seconds),
    soldOutMs: round(soldOutMs),
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies[latencies.length - 1] ?? 0),
    },
  };
}

/** One sell-out of a fresh event through one variant, then the check from the database. */
async function runOnce(
  variant: { name: string; buyers: Buyers },
  shape: FlashShape,
  where: { databaseUrl: string; processes: FlashProcesses },
  run: number,
): Promise<FlashSample> {
  const { databaseUrl, processes } = where;
  const eventId = `bench-flash-${variant.name.replaceAll('.', '-')}-${run}`;
  await createFlashEvent(databaseUrl, eventId, shape.capacity);
  const send = variant.buyers.senderFor(eventId);
  try {
    const stopMeter = await startCpuMeter(processes.pids, processes.postgres);
    const { purchases, soldOutMs } = await sellOut(send, shape.buyers, run);
    const spent = await stopMeter();
    const audit = await auditFlash(databaseUrl, eventId, purchases);
    const sold = Math.max(1, audit.counts.created);
    const msPerPurchase = Object.fromEntries(
      Object.entries(spent.processes).map(([name, ms]) => [name, round(ms / sold, 3)]),
    );
    const machineBusy = spent.machineBusy === undefined ? null : round(spent.machineBusy, 3);
    return { ...sampleOf(purchases, soldOutMs), ...audit, cpu: { msPerPurchase, machineBusy } };
  } finally {
    await retireFlashEvent(databaseUrl, eventId);
  }
}

/** Variants side by side, round after round, each selling out its own event of the same size. */
export async function measureFlashSale(
  variants: readonly FlashVariant[],
  shape: FlashShape,
  where: { databaseUrl: string; processes: FlashProcesses },
  progress: OnProgress,
): Promise<FlashSample[][]> {
  const samples: FlashSample[][] = variants.map(() => []);
  const open = variants.map((variant) => ({ name: variant.name, buyers: variant.buyers(shape) }));
  try {
    // An unrecorded small sell-out first, so JIT, pools and sockets are warm for every variant.
    progress('flash: warming up');
    const warmup = { ...shape, capacity: Math.ceil(shape.capacity / 10) };
    for (const variant of open) await runOnce(variant, warmup, where, 0);
    for (let run = 1; run <= shape.runs; run++) {
      for (const [i, variant] of open.entries()) {
        const s = await runOnce(variant, shape, where, run);
        samples[i]?.push(s);
        progress(
          `flash ${shape.capacity} seats, ${shape.buyers} buyers, run ${run}/${shape.runs}: ` +
            `${variant.name} sold out in ${s.soldOutMs} ms, ${Math.round(s.purchasesPerSec)} ` +
            `purchases/s, ${Math.round(s.seatsPerSec)} seats/s, p50 ${s.latencyMs.p50} ms, ` +
            `p99 ${s.latencyMs.p99} ms, max ${s.latencyMs.max} ms, ` +
            `${s.correct ? 'correct' : `WRONG: ${s.failures.join('; ')}`}`,
        );
      }
    }
  } finally {
    await Promise.all(open.map((variant) => variant.buyers.close()));
  }
  return samples;
}

/** Round-by-round ratio of seats/s, then the median: the machine's mood hits both alike. */
export function flashRatio(top: FlashSample[], bottom: FlashSample[]): number {
  const ratios = top.flatMap((s, i) => {
    const other = bottom[i];
    return other ? [s.seatsPerSec / other.seatsPerSec] : [];
  });
  return round(median(ratios), 3);
}

function medianCpu(runs: readonly FlashSample[]): FlashCpu {
  const names = new Set(runs.flatMap((s) => Object.keys(s.cpu.msPerPurchase)));
  const msPerPurchase = Object.fromEntries(
    [...names].map((name) => [
      name,
      round(median(runs.flatMap((s) => s.cpu.msPerPurchase[name] ?? [])), 3),
    ]),
  );
  const busy = runs.flatMap((s) => s.cpu.machineBusy ?? []);
  return { msPerPurchase, machineBusy: busy.length > 0 ? round(median(busy), 3) : null };
}

function sumCounts(samples: readonly FlashSample[]): FlashCounts & { runs: number } {
  const total = { runs: samples.length } as FlashCounts & { runs: number };
  for (const s of samples) {
    for (const [name, value] of Object.entries(s.counts) as [keyof FlashCounts, number][]) {
      total[name] = (total[name] ?? 0) + value;
    }
  }
  return total;
}

export function flashReport(
  variants: readonly FlashVariant[],
  shape: FlashShape,
  samples: FlashSample[][],
): FlashReport {
  const all = samples.flat();
  const results = variants.map((variant, i): FlashVariantResult => {
    const runs = samples[i] ?? [];
    return {
      name: variant.name,
      buyers: shape.buyers,
      capacity: shape.capacity,
      runs: runs.length,
      purchasesPerSec: round(median(runs.map((s) => s.purchasesPerSec))),
      seatsPerSec: round(median(runs.map((s) => s.seatsPerSec))),
      soldOutMs: round(median(runs.map((s) => s.soldOutMs))),
      latencyMs: {
        p50: round(median(runs.map((s) => s.latencyMs.p50))),
        p99: round(median(runs.map((s) => s.latencyMs.p99))),
        max: round(Math.max(...runs.map((s) => s.latencyMs.max))),
      },
      ordersPerCommit: round(
        median(runs.map((s) => s.counts.orders / Math.max(1, s.counts.transactions))),
      ),
      cpu: medianCpu(runs),
    };
  });
  return {
    correct: all.length > 0 && all.every((s) => s.correct),
    counts: sumCounts(all),
    failures: all.flatMap((s) => s.failures).slice(0, 20),
    results,
  };
}
